import { collectDiagnostics, type DiagnosticsBundle } from '../diagnostics/collect-diagnostics.js';
import { writeDiagnosticsFile } from '../diagnostics/write-diagnostics.js';
import type { Logger } from '../logging/logger.js';
import { openSecretStore } from '../secrets/open-secret-store.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { openSettings } from '../settings/settings-file.js';
import type { SettingsStore } from '../settings/settings-store.js';
import type { Environment } from './local-ports.js';
import type { SecretStorePort } from './secret-store-port.js';

export interface CollectDiagnosticsPorts {
  readonly home: string;
  readonly env: Environment;
  /** The open settings (desktop, `serve`); read from `home` otherwise, a failure reported. */
  readonly settings?: SettingsStore;
  /** The open store (desktop, `serve`); opened here otherwise, without waiting long for it. */
  readonly secretStore?: SecretStorePort;
  readonly now?: () => Date;
  readonly logger?: Logger;
}

export interface CollectDiagnosticsInput {
  /** Probe each installation (default true). */
  readonly probe?: boolean;
  readonly historyRows?: number;
  readonly deliveryRows?: number;
  readonly logLines?: number;
  /** Also write the bundle to this file (mode 0600). */
  readonly out?: string;
}

/**
 * The redacted diagnostic bundle (probe, chains, proxy routes, versions, history, logs): the one
 * path of `diagnose` and the diagnostics view (desktop and `serve`). Secrets are registered with
 * the redactor first and never enter the bundle; what cannot be read is reported in `problems`.
 */
export async function collectDiagnosticBundle(
  ports: CollectDiagnosticsPorts,
  input: CollectDiagnosticsInput = {},
): Promise<DiagnosticsBundle> {
  const bundle = await collectDiagnostics({
    home: ports.home,
    env: ports.env,
    ...(ports.settings === undefined ? {} : { settings: ports.settings }),
    secretStore: ports.secretStore ?? (() => openStoreForDiagnostics(ports)),
    ...(ports.now === undefined ? {} : { clock: ports.now }),
    ...(input.probe === undefined ? {} : { probe: input.probe }),
    ...(input.historyRows === undefined ? {} : { historyRows: input.historyRows }),
    ...(input.deliveryRows === undefined ? {} : { deliveryRows: input.deliveryRows }),
    ...(input.logLines === undefined ? {} : { logLines: input.logLines }),
  });
  ports.logger?.info('diagnostic bundle collected', { problems: bundle.problems.length });
  if (input.out !== undefined) writeDiagnosticsFile(input.out, bundle);
  return bundle;
}

/** The home's store, given 5 s: the bundle reports a store that does not answer, it does not hang. */
function openStoreForDiagnostics(ports: CollectDiagnosticsPorts): Promise<SecretStore> {
  const settings = ports.settings ?? readableSettings(ports.home);
  const pinned = settings?.pinnedSecretStore?.();
  return openSecretStore({
    home: ports.home,
    env: ports.env,
    timeoutMs: 5000,
    // collectDiagnostics checks the store's health itself and reports it.
    probe: false,
    ...(pinned ? { pinned } : {}),
    ...(settings ? { nameOf: (id: string) => settings.findInstallation(id)?.name } : {}),
  });
}

function readableSettings(home: string): SettingsStore | undefined {
  try {
    return openSettings(home);
  } catch {
    return undefined;
  }
}
