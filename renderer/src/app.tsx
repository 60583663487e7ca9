import { COMPANION_VERSION, PRODUCT_NAME } from '../../common/version.js';

export function App() {
  return (
    <main>
      <h1>{PRODUCT_NAME}</h1>
      <p>Version {COMPANION_VERSION}</p>
    </main>
  );
}
