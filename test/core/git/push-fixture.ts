import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Installation } from '../../../common/models/installation.js';
import { DEFAULT_RELAY_SETTINGS } from '../../../common/models/installation.js';
import type { Authorization } from '../../../core/auth/authorization.js';
import { CloneCache } from '../../../core/git/clone-cache.js';
import { DEFAULT_FALLBACK_THRESHOLD_MB } from '../../../core/git/push-config.js';
import { createIsoRunner, type IsoAttemptRunner } from '../../../core/git/iso-runner.js';
import type { PushDependencies } from '../../../core/git/push-operation.js';
import { startSimulator } from '../../../sim/index.js';
import type { RunningSimulator, SimCertificateMode } from '../../../sim/simulator-api.js';

const OTHER_WRITER = {
  GIT_AUTHOR_NAME: 'Other Writer',
  GIT_AUTHOR_EMAIL: 'other.writer@example.test',
  GIT_COMMITTER_NAME: 'Other Writer',
  GIT_COMMITTER_EMAIL: 'other.writer@example.test',
};

export interface PushFixture {
  readonly sim: RunningSimulator;
  readonly installation: Installation;
  readonly dir: string;
  readonly isoRunner: IsoAttemptRunner;
  authorization(token?: string): Authorization;
  deps(overrides?: Partial<PushDependencies>): PushDependencies;
  /** Runs git on the simulator's bare repository. */
  serverGit(args: readonly string[], project?: string, slug?: string): string;
  close(): Promise<void>;
}

export function patAuthorization(user: string, token: string): Authorization {
  return { kind: 'pat', user, header: async () => `Bearer ${token}`, refresh: async () => false };
}

export async function startPushFixture(
  options: { readonly inThread?: boolean; readonly certificate?: SimCertificateMode } = {},
): Promise<PushFixture> {
  const sim = await startSimulator({
    platform: false,
    ...(options.certificate === undefined ? {} : { certificate: options.certificate }),
  });
  const dir = await mkdtemp(path.join(tmpdir(), 'push-test-'));
  const installation: Installation = {
    id: 'inst-test',
    name: 'test',
    baseUrl: sim.url,
    caPems: [sim.caPem],
    allowLoopback: true,
    platform: undefined,
    auth: { kind: 'pat', user: sim.user.name, verifiedAt: new Date().toISOString() },
    relay: DEFAULT_RELAY_SETTINGS,
    createdAt: new Date().toISOString(),
  };
  const isoRunner = createIsoRunner({ inThread: options.inThread ?? true });
  const cache = new CloneCache({ root: path.join(dir, 'cache') });
  const authorization = (token = sim.pat): Authorization => patAuthorization(sim.user.name, token);
  return {
    sim,
    installation,
    dir,
    isoRunner,
    authorization,
    deps: (overrides = {}) => ({
      authorization: authorization(),
      cache,
      isoRunner,
      env: { PATH: process.env['PATH'] },
      config: { fallbackThresholdMb: DEFAULT_FALLBACK_THRESHOLD_MB, coldCloneWithGit: true },
      sleep: async () => undefined,
      ...overrides,
    }),
    serverGit: (args, project = sim.project, slug = sim.repo) =>
      execFileSync('git', ['--git-dir', sim.repositoryPath(project, slug), ...args], {
        encoding: 'utf8',
        // Commits made here as "another writer" need an identity of their own: `npm test` runs
        // under a throw-away HOME (scripts/with-keyring.sh) with no git configuration.
        env: { ...process.env, ...OTHER_WRITER },
      }),
    async close() {
      await isoRunner.close();
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const text = (value: string): Uint8Array => new TextEncoder().encode(value);
