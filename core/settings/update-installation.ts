import type { Installation } from '../../common/models/installation.js';
import { probeRefusal } from '../probe/probe-refusal.js';
import { runProbe } from '../probe/run-probe.js';
import { dirname } from 'node:path';
import { storeRelayTlsPems } from '../relay/relay-tls-store.js';
import {
  applyInstallationChanges,
  type InstallationChanges,
  type StoredInstallationChanges,
} from './installation-changes.js';
import type { SettingsStore } from './settings-store.js';

export interface UpdateInstallationOptions {
  readonly now: Date;
  /** Where the probe reads proxy variables. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal?: AbortSignal;
  /** Save new trust without probing (the instance is down for maintenance). */
  readonly skipProbe?: boolean;
  /** Called before the probe runs, so a CLI can say what it waits for. */
  readonly onProbe?: (url: string) => void;
}

/**
 * Relay TLS given as content becomes files in the config folder, which the relay reads at every
 * start; the settings keep only their paths (core/relay/relay-tls-store.ts).
 */
function storeTlsContent(
  settings: SettingsStore,
  installation: Installation,
  changes: InstallationChanges,
): StoredInstallationChanges {
  const tls = changes.relay?.tls;
  if (tls?.kind !== 'pem' || changes.relay === undefined) {
    return changes as StoredInstallationChanges;
  }
  const files = storeRelayTlsPems(dirname(settings.path), installation.id, tls);
  return { ...changes, relay: { ...changes.relay, tls: { kind: 'files', ...files } } };
}

/**
 * Applies checked changes to an installation and saves them. When the trust changes (new CAs,
 * or the partial-chain choice), the instance is probed with the new trust first — as when the
 * installation was added — and nothing is saved if the probe fails: a renewed CA that does not
 * complete the chain must not replace one that does.
 */
export async function updateInstallation(
  settings: SettingsStore,
  nameOrId: string,
  changes: InstallationChanges,
  options: UpdateInstallationOptions,
): Promise<Installation> {
  const current = settings.requireInstallation(nameOrId);
  const next = applyInstallationChanges(
    current,
    storeTlsContent(settings, current, changes),
    options.now,
  );
  const trustChanged = changes.caPems !== undefined || changes.allowPartialChain !== undefined;
  if (trustChanged && options.skipProbe !== true) {
    options.onProbe?.(next.baseUrl);
    const probe = await runProbe(next.baseUrl, {
      caPems: next.caPems,
      allowLoopback: next.allowLoopback,
      allowPartialChain: next.allowPartialChain === true,
      env: options.env,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (!probe.ok) throw probeRefusal(probe, next.baseUrl, 'Not updated');
  }
  settings.saveInstallation(next);
  return next;
}
