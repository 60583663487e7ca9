// Stands in for what conf imports but the companion never asks of it (scripts/build.mjs,
// `cliBundleTrim`): conf compiles a JSON schema with Ajv only when given `schema`, and runs
// semver only for its `migrations`; the companion validates settings with TypeBox and migrates
// them itself (core/settings/settings-file.ts), so neither is ever called. Reaching this is a bug.
function unused() {
  throw new Error(
    'conf was asked for schema validation or migrations, which the CLI bundle leaves out (scripts/build.mjs)',
  );
}
export class Ajv2020 {
  constructor() {
    unused();
  }
}
// conf default-imports `ajv-formats` and `semver`: the stand-in must have a default export.
// eslint-disable-next-line no-restricted-syntax
export default new Proxy(unused, { get: () => unused });
