import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { KEYCHAIN_SERVICE } from '../../core/secrets/keytar-store.js';
import { repoRoot } from '../helpers/cli-harness.js';

/** Reads a keychain entry from a separate process, as another program on the desktop would. */
export function keychainReadByOtherProcess(account: string): string | null {
  const run = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import k from 'keytar'; process.stdout.write(JSON.stringify(await k.getPassword(${JSON.stringify(KEYCHAIN_SERVICE)}, ${JSON.stringify(account)})));`,
    ],
    { cwd: repoRoot, encoding: 'utf8', timeout: 20_000 },
  );
  if (run.status !== 0) throw new Error(`keytar child failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as string | null;
}

/** Every file under a folder with its bytes, for "is this secret anywhere on disk" checks. */
export function filesUnder(folder: string): { path: string; bytes: Buffer }[] {
  const found: { path: string; bytes: Buffer }[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      const stat = statSync(path);
      if (stat.isDirectory()) walk(path);
      else if (stat.isFile()) found.push({ path, bytes: readFileSync(path) });
    }
  };
  walk(folder);
  return found;
}

/** The paths of files containing `needle` as text, or in base64 or hex (cheap encodings). */
export function filesContaining(folder: string, needle: string): string[] {
  const forms = [
    Buffer.from(needle),
    Buffer.from(Buffer.from(needle).toString('base64')),
    Buffer.from(Buffer.from(needle).toString('hex')),
    Buffer.from(JSON.stringify(needle).slice(1, -1)),
  ];
  return filesUnder(folder)
    .filter(({ bytes }) => forms.some((form) => bytes.includes(form)))
    .map(({ path }) => path);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CLI JSON documents, checked field by field
export type JsonDocument = Record<string, any>;
