import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RELAY_SETTINGS } from '../../common/models/installation.js';
import { openSettings } from '../../core/settings/settings-file.js';
import { startSimulator } from '../../sim/index.js';
import type { RunningSimulator } from '../../sim/simulator-api.js';
import { repoRoot, runCliProcess } from '../helpers/cli-harness.js';

let sim: RunningSimulator;
let dir: string;

beforeAll(async () => {
  sim = await startSimulator({ platform: false });
  dir = await mkdtemp(path.join(tmpdir(), 'push-process-'));
});
afterAll(async () => {
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('bdc-companion push as a process (built bundle)', () => {
  it.runIf(existsSync(path.join(repoRoot, 'dist', 'cli', 'main.js')))(
    'runs isomorphic-git inline in the bundled CLI and lands the commit',
    async () => {
      const home = path.join(dir, 'home');
      const credentials = path.join(dir, 'credentials');
      await mkdir(credentials, { recursive: true });
      await writeFile(path.join(credentials, 'lab.pat'), sim.pat, { mode: 0o600 });
      openSettings(home).saveInstallation({
        id: '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d',
        name: 'lab',
        baseUrl: sim.url,
        caPems: [sim.caPem],
        allowLoopback: true,
        platform: undefined,
        auth: { kind: 'pat', user: sim.user.name, verifiedAt: new Date().toISOString() },
        relay: DEFAULT_RELAY_SETTINGS,
        createdAt: new Date().toISOString(),
      });
      const run = await runCliProcess(
        [
          'push',
          'lab',
          '--repo',
          `${sim.project}/${sim.repo}`,
          '--branch',
          'main',
          '--message',
          'from a process',
          '--put',
          'process/stdin.txt=-',
          '--engine',
          'isomorphic-git',
          '--home',
          home,
          '--json',
        ],
        {
          stdin: 'hello from stdin\n',
          env: {
            BDC_COMPANION_SECRET_STORE: 'credentials-dir',
            CREDENTIALS_DIRECTORY: credentials,
            BDC_COMPANION_CACHE_DIR: path.join(dir, 'cache'),
          },
        },
      );
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const result = JSON.parse(run.stdout) as { commit: string; engine: string };
      expect(result.engine).toBe('isomorphic-git');
      const shown = execFileSync(
        'git',
        [
          '--git-dir',
          sim.repositoryPath(sim.project, sim.repo),
          'show',
          `${result.commit}:process/stdin.txt`,
        ],
        { encoding: 'utf8' },
      );
      expect(shown).toBe('hello from stdin\n');
    },
  );
});
