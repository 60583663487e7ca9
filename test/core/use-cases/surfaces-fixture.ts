import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompanionService } from '../../../core/service/companion-service.js';
import { openCompanionService } from '../../../core/service/open-service.js';
import { createLogger } from '../../../core/logging/file-logger.js';
import { openSecretStore } from '../../../core/secrets/open-secret-store.js';
import type { SecretStore } from '../../../core/secrets/secret-store.js';
import { openSettings } from '../../../core/settings/settings-file.js';
import type { SettingsStore } from '../../../core/settings/settings-store.js';
import type { RunningSimulator } from '../../../sim/simulator-api.js';
import { runCliInProcess, type CliRun } from '../../helpers/cli-harness.js';
import { startTestSimulator } from '../../helpers/sim.js';

/** One config home and the secret store both surfaces open there. */
export interface Surface {
  readonly home: string;
  readonly env: Record<string, string | undefined>;
  settings(): SettingsStore;
  secrets(): Promise<SecretStore>;
}

/**
 * The CLI and the service API side by side against one simulator, each on its own config home
 * with the same kind of secret store (the encrypted file, which both can open here), so a test
 * does the same action through both and compares what each stored.
 */
export interface Surfaces {
  readonly sim: RunningSimulator;
  readonly cli: Surface & {
    run(args: readonly string[], stdin?: string): Promise<CliRun & { document: JsonDocument }>;
  };
  readonly service: Surface & { readonly api: CompanionService };
  close(): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed --json document
export type JsonDocument = Record<string, any>;

function surface(root: string, name: string): Surface {
  const home = join(root, name);
  const env = {
    PATH: process.env['PATH'],
    BDC_COMPANION_SECRET_STORE: 'encrypted-file',
    BDC_COMPANION_SECRETS_PASSPHRASE: 'surfaces-test-passphrase',
    BDC_COMPANION_CACHE_DIR: join(root, `${name}-cache`),
  };
  return {
    home,
    env,
    settings: () => openSettings(home),
    secrets: () => openSecretStore({ home, env }),
  };
}

export async function startSurfaces(): Promise<Surfaces> {
  const sim = await startTestSimulator({ platform: false });
  const root = mkdtempSync(join(tmpdir(), 'surfaces-'));
  const cli = surface(root, 'cli-home');
  const service = surface(root, 'service-home');
  const api = await openCompanionService({
    home: service.home,
    transport: 'http',
    logger: createLogger({ home: service.home, level: 'info', component: 'serve' }),
    secretStore: await service.secrets(),
    env: service.env,
    oauthRedirect: 'localhost',
    startRelays: false,
  });
  return {
    sim,
    cli: {
      ...cli,
      async run(args, stdin) {
        const run = await runCliInProcess(['--home', cli.home, '--json', ...args], {
          env: cli.env,
          ...(stdin === undefined ? {} : { stdin }),
        });
        return { ...run, document: JSON.parse(run.stdout || '{}') as JsonDocument };
      },
    },
    service: { ...service, api },
    async close() {
      await api.close();
      await sim.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** An installation as stored, without what differs by nature between two homes. */
export function comparable(settings: SettingsStore, name: string): Record<string, unknown> {
  const installation = settings.requireInstallation(name);
  const {
    id: _id,
    createdAt: _createdAt,
    ...rest
  } = installation as unknown as Record<string, unknown>;
  const auth = rest['auth'] as Record<string, unknown>;
  const { verifiedAt: _verifiedAt, ...stableAuth } = auth;
  return { ...rest, auth: stableAuth };
}

/** The error code of a rejected service call. */
export async function serviceError(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}
