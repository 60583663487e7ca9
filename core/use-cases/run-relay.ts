import type { Database } from 'better-sqlite3';
import type { RelayTlsFiles } from '../../common/models/installation.js';
import {
  requirePlatform,
  startInstallationRelay,
  type InstallationRelayOptions,
  type RunningInstallationRelay,
} from '../relay/installation-relay.js';
import { parseListenAddress } from '../relay/listen-address.js';
import { loadRelayTls } from '../relay/relay-tls.js';
import type { Logger } from '../logging/logger.js';
import type { SettingsStore } from '../settings/settings-store.js';
import type { Environment } from './local-ports.js';
import { secretStoreOf, type SecretStorePort } from './secret-store-port.js';

export interface RunRelayPorts {
  readonly settings: SettingsStore;
  readonly secretStore: SecretStorePort;
  readonly database: Database;
  readonly env: Environment;
  readonly logger: Logger;
}

export interface RunRelayInput {
  /** Name or id. */
  readonly installation: string;
  /** `HOST:PORT`; the installation's relay setting by default. */
  readonly listen?: string;
  /** Certificate and key files; the installation's relay setting by default. */
  readonly tlsFiles?: RelayTlsFiles;
  readonly bodyLimitBytes?: number;
  readonly concurrency?: number;
  readonly retentionDays?: number;
  /** Test and benchmark tuning of watch mode (intervals below what users may choose). */
  readonly watch?: { readonly intervalMs?: number; readonly checkMs?: number };
}

/**
 * Runs the webhook relay of an installation (and its watch mode while the settings have one):
 * the one path of `relay run`, `run` (the daemon) and the relay the desktop and `serve` start.
 * What to watch is read from the settings at each round, so a change made anywhere applies
 * without a restart. RELAY_NOT_CONFIGURED without a platform link.
 */
export async function runRelay(
  ports: RunRelayPorts,
  input: RunRelayInput,
): Promise<RunningInstallationRelay> {
  const installation = ports.settings.requireInstallation(input.installation);
  requirePlatform(installation);
  const listen = input.listen === undefined ? undefined : parseListenAddress(input.listen);
  const tls = input.tlsFiles === undefined ? undefined : loadRelayTls(input.tlsFiles);
  const options: InstallationRelayOptions = {
    database: ports.database,
    secrets: await secretStoreOf(ports.secretStore),
    env: ports.env,
    logger: ports.logger,
    watch: {
      settings: () => ports.settings.findInstallation(installation.id)?.relay.watch,
      ...input.watch,
    },
    ...(listen === undefined ? {} : { listen }),
    ...(tls === undefined ? {} : { tls }),
    ...(input.bodyLimitBytes === undefined ? {} : { bodyLimitBytes: input.bodyLimitBytes }),
    ...(input.concurrency === undefined ? {} : { concurrency: input.concurrency }),
    ...(input.retentionDays === undefined ? {} : { retentionDays: input.retentionDays }),
  };
  return startInstallationRelay(installation, options);
}

/** `HOST:PORT` of a listening relay, for adapters that show it. */
export { formatListenAddress } from '../relay/listen-address.js';
