import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli-harness.js';

// Start-up is measured in bench (npm run bench:startup); here only what a command loads is checked,
// through the module list, never a timer. The built CLI is what users run: it starts from the
// build's command manifest and loads a command's code when that command runs.

const HEAVY = ['isomorphic-git', 'node-forge', 'react', 'react-dom', 'better-sqlite3'];

/** Runs the built CLI in a fresh Node and answers the npm packages it loaded (CommonJS cache). */
const LIST_LOADED = `
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { main } = await import(process.argv[1]);
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = () => true;
await main(process.argv.slice(2));
process.stdout.write = write;
const names = new Set(Object.keys(require.cache)
  .map((file) => file.match(/node_modules\\/((@[^/]+\\/)?[^/]+)/)?.[1]).filter(Boolean));
process.stdout.write(JSON.stringify([...names]));
`;

async function loadedBy(argv: readonly string[], home: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      LIST_LOADED,
      join(repoRoot, 'dist/cli/main.js'),
      '--home',
      home,
      ...argv,
    ],
    { env: { PATH: process.env['PATH'], HOME: home } },
  );
  return JSON.parse(stdout) as string[];
}

describe('what the built CLI loads at start', () => {
  const home = mkdtempSync(join(tmpdir(), 'startup-modules-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('needs the build', () => {
    expect(existsSync(join(repoRoot, 'dist/cli/main.js')), 'run `npm run build` first').toBe(true);
  });

  it('--version and --help load none of isomorphic-git, node-forge, React or better-sqlite3', async () => {
    for (const argv of [['--version'], ['--help'], ['push', '--help']]) {
      const loaded = await loadedBy(argv, home);
      expect(
        loaded.filter((name) => HEAVY.includes(name)),
        argv.join(' '),
      ).toEqual([]);
    }
  });

  it('read-only commands load no node-forge and no push engine', async () => {
    // node-forge parses CAs in depth for `ca check`, `installation add`/`update` and the probe only.
    for (const argv of [['installation', 'list'], ['history']]) {
      const loaded = await loadedBy(argv, home);
      expect(
        loaded.filter((name) => ['node-forge', 'isomorphic-git', 'react'].includes(name)),
        argv.join(' '),
      ).toEqual([]);
    }
  });

  it('every chunk of the CLI is Latin-1 text, so V8 holds its source at one byte a character', () => {
    // One character above U+00FF anywhere in a chunk (a "…" in a comment esbuild kept) makes V8
    // keep that whole module's source as UTF-16: twice its memory in every process that loads it.
    const folder = join(repoRoot, 'dist/cli');
    const wide = readdirSync(folder)
      .filter((name) => name.endsWith('.js'))
      .filter((name) => /[\u0100-\uffff]/.test(readFileSync(join(folder, name), 'utf8')));
    expect(wide).toEqual([]);
  });

  it('installation list reads the settings only: no SQLite, no HTTP client', async () => {
    // The routing every command installs fetches a PAC file only when one is set, and the database
    // driver loads when a database is opened (bench/RESULTS.md, start-up).
    const loaded = await loadedBy(['installation', 'list'], home);
    expect(
      loaded.filter((name) => ['better-sqlite3', 'undici', 'ipaddr.js'].includes(name)),
    ).toEqual([]);
  });

  it('a command loads what it uses and no push engine: history opens SQLite, not isomorphic-git', async () => {
    // The same check sees a package when it is loaded: it can fail.
    const loaded = await loadedBy(['history'], home);
    expect(loaded).toContain('better-sqlite3');
    expect(loaded).not.toContain('isomorphic-git');
  });
});
