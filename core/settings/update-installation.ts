import type { Installation } from '../../common/models/installation.js';
import { probeRefusal } from '../probe/probe-refusal.js';
import { runProbe } from '../probe/run-probe.js';
import { applyInstallationChanges, type InstallationChanges } from './installation-changes.js';
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
  const next = applyInstallationChanges(
    settings.requireInstallation(nameOrId),
    changes,
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
