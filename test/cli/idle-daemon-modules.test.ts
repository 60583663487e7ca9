import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli-harness.js';
import { makeRelayHome } from './relay-harness.js';

// An idle daemon's resident memory is measured in bench (bench:push, "idle daemon"); here only
// what it loads while idle is checked, through the module list. undici (with its HTTP parser, a
// WebAssembly module compiled on first connection) and the TLS context are made on the first
// delivery: a relay that only listens holds neither.

/** Preloaded into the daemon: on SIGUSR2 it prints the npm packages loaded so far. */
const REPORT_MODULES = `
process.on('SIGUSR2', () => {
  const names = new Set(Object.keys(require.cache)
    .map((file) => file.match(/node_modules\\/((@[^/]+\\/)?[^/]+)/)?.[1]).filter(Boolean));
  process.stderr.write('LOADED ' + JSON.stringify([...names]) + '\\n');
});
`;

describe('what an idle daemon loads', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'idle-modules-'));
  const preload = join(scratch, 'report-modules.cjs');
  writeFileSync(preload, REPORT_MODULES);
  const relayHome = makeRelayHome({
    platformUrl: 'https://127.0.0.1:9',
    platformCaPem: rootCertificates[0] as string,
    platformInstallationId: 'idle-test',
    secret: 'idle-secret-0123456789abcdef0123',
  });
  afterAll(() => {
    relayHome.cleanup();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('`relay run` listening, before any delivery, has loaded SQLite but no HTTP client', async () => {
    const cli = join(repoRoot, 'bin/bdc-companion.js');
    expect(existsSync(join(repoRoot, 'dist/cli/main.js')), 'run `npm run build` first').toBe(true);
    const child = spawn(
      process.execPath,
      ['--require', preload, cli, 'relay', 'run', 'corp', '--listen', '127.0.0.1:0', '--json'],
      {
        env: { PATH: process.env['PATH'] ?? '', HOME: scratch, ...relayHome.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes('\n')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`relay run exited ${code}: ${stderr}`)));
      });
      child.kill('SIGUSR2');
      const line = await new Promise<string>((resolve) => {
        const poll = setInterval(() => {
          const found = /^LOADED (.*)$/m.exec(stderr);
          if (found) {
            clearInterval(poll);
            resolve(found[1] as string);
          }
        }, 20);
      });
      const loaded = JSON.parse(line) as string[];
      // The same list sees a package when it is loaded: the relay's database is.
      expect(loaded).toContain('better-sqlite3');
      expect(
        loaded.filter((name) => ['undici', 'isomorphic-git', 'node-forge'].includes(name)),
      ).toEqual([]);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
