import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { CompanionBridge } from '../../common/api/envelope.js';
import { toErrorShape } from '../../common/errors/companion-error.js';
import { createCompanionClient, detectTransport } from './api/companion-client.js';
import { App } from './app.js';
import { AppProvider } from './app-context.js';
import { ErrorNotice } from './components/error-notice.js';
import './styles.css';

declare global {
  interface Window {
    /** Present only in the desktop app, put there by the preload. */
    readonly companion?: CompanionBridge;
  }
}

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');
const root = createRoot(container);
const api = createCompanionClient(detectTransport(window));

api.getAppInfo().then(
  (info) =>
    root.render(
      <StrictMode>
        <AppProvider api={api} info={info}>
          <App />
        </AppProvider>
      </StrictMode>,
    ),
  (error: unknown) =>
    root.render(
      <main className="content">
        <h1>Ankra BDC Companion</h1>
        <ErrorNotice error={toErrorShape(error)} title="The companion is not reachable" />
      </main>,
    ),
);
