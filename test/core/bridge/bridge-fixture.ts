import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { Agent, request } from 'undici';
import type { BridgeStatus } from '../../../common/models/bridge.js';
import type { Installation } from '../../../common/models/installation.js';
import { DEFAULT_RELAY_SETTINGS } from '../../../common/models/installation.js';
import { patKey } from '../../../core/auth/pat.js';
import {
  bridgeTokenKey,
  startInstallationBridge,
  type InstallationBridgeOptions,
  type RunningBridge,
} from '../../../core/bridge/installation-bridge.js';
import type { LogFields, Logger } from '../../../core/logging/logger.js';
import { createMemorySecretStore } from '../../../core/secrets/memory-store.js';
import type { SecretStore } from '../../../core/secrets/secret-store.js';
import { openSettings } from '../../../core/settings/settings-file.js';
import type { SettingsStore } from '../../../core/settings/settings-store.js';
import { openDatabase } from '../../../core/storage/database.js';
import { openPushEngine } from '../../../core/use-cases/push-engine.js';
import type { PushService } from '../../../core/git/push-service.js';
import { startSimulator } from '../../../sim/index.js';
import type { RunningSimulator } from '../../../sim/simulator-api.js';

/** Every log line the bridge wrote, serialised, for the test that scans logs for the credential. */
export function capturingLogger(lines: string[], base: LogFields = {}): Logger {
  const write =
    (level: string) =>
    (message: string, fields: LogFields = {}): void => {
      lines.push(JSON.stringify({ level, message, ...base, ...fields }));
    };
  return {
    error: write('error'),
    warn: write('warn'),
    info: write('info'),
    debug: write('debug'),
    child: (fields) => capturingLogger(lines, { ...base, ...fields }),
  };
}

export interface BridgeFixture {
  readonly sim: RunningSimulator;
  readonly home: string;
  readonly installation: Installation;
  readonly settings: SettingsStore;
  readonly secrets: SecretStore;
  readonly database: Database;
  readonly engine: PushService;
  readonly logs: string[];
  start(tuning?: InstallationBridgeOptions['tuning']): RunningBridge;
  /** `POST /_sim/bridge/{id}/{action}` on the platform stand-in. */
  platform(action: string, body: unknown): Promise<Record<string, unknown>>;
  serverGit(args: readonly string[]): string;
  close(): Promise<void>;
}

export const FAST = {
  backoff: { initialMs: 20, maxMs: 200, resetAfterMs: 60_000 },
  tokenPollMs: 100,
} as const;

export async function startBridgeFixture(pushRules: readonly string[]): Promise<BridgeFixture> {
  const sim = await startSimulator();
  const platform = sim.platform!;
  const home = await mkdtemp(path.join(tmpdir(), 'bridge-test-'));
  const installation: Installation = {
    id: '3f1d6c1e-8a52-4f7e-9a0e-5b8f2b1c0d11',
    name: 'sim',
    baseUrl: sim.url,
    caPems: [sim.caPem],
    allowLoopback: true,
    platform: {
      baseUrl: platform.url,
      installationId: platform.installationId,
      caPems: [platform.caPem],
    },
    auth: { kind: 'pat', user: sim.user.name, verifiedAt: new Date().toISOString() },
    relay: DEFAULT_RELAY_SETTINGS,
    bridge: { push: [...pushRules], readProjects: [] },
    createdAt: new Date().toISOString(),
  };
  const settings = openSettings(home);
  settings.saveInstallation(installation);
  const secrets = createMemorySecretStore();
  await secrets.set(patKey(installation.id), sim.pat);
  await secrets.set(bridgeTokenKey(installation.id), platform.bridgeToken);
  const database = openDatabase(home);
  const logs: string[] = [];
  const logger = capturingLogger(logs);
  const env = { PATH: process.env['PATH'], BDC_COMPANION_CACHE_DIR: path.join(home, 'cache') };
  const engine = openPushEngine({ database, settings, env, logger });
  const agent = new Agent({ connect: { ca: platform.caPem } });
  const bridges: RunningBridge[] = [];
  return {
    sim,
    home,
    installation,
    settings,
    secrets,
    database,
    engine,
    logs,
    start(tuning = FAST) {
      const bridge = startInstallationBridge(installation, {
        database,
        secrets,
        env,
        logger,
        pushPorts: { settings, secretStore: secrets, engine, env, logger },
        tuning,
      });
      bridges.push(bridge);
      return bridge;
    },
    async platform(action, body) {
      const response = await request(
        `${platform.url}/_sim/bridge/${encodeURIComponent(platform.installationId)}/${action}`,
        { method: 'POST', body: JSON.stringify(body), dispatcher: agent },
      );
      return (await response.body.json()) as Record<string, unknown>;
    },
    serverGit: (args) =>
      execFileSync('git', ['--git-dir', sim.repositoryPath(sim.project, sim.repo), ...args], {
        encoding: 'utf8',
      }),
    async close() {
      for (const bridge of bridges) await bridge.stop();
      await engine.close();
      database.close();
      await agent.close();
      await sim.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** Resolves once the bridge reports `state` (polling its status), or rejects after `timeoutMs`. */
export async function waitForState(
  bridge: { status(): BridgeStatus },
  state: BridgeStatus['state'],
  timeoutMs = 10_000,
): Promise<BridgeStatus> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const status = bridge.status();
    if (status.state === state) return status;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`bridge never reached ${state}: ${JSON.stringify(bridge.status())}`);
}
