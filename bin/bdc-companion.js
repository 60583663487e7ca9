#!/usr/bin/env node
// The installed entry point: runs the bundled CLI (built by `npm run build`, which `npm install`
// runs through `prepare`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(
    'error bdc-companion is not built yet [INTERNAL_ERROR]\n' +
      `hint  run \`npm run build\` in ${fileURLToPath(new URL('..', import.meta.url))}\n`,
  );
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
