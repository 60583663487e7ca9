import type { Database } from 'better-sqlite3';
import type { Installation } from '../../common/models/installation.js';
import { bridgeLiveness, type BridgeLiveness } from '../bridge/bridge-heartbeat.js';
import type { SettingsStore } from '../settings/settings-store.js';

/**
 * Whether a bridge runs anywhere for an installation, from the heartbeats every bridge process
 * writes to the shared database, and what it last did (`bridge status`, the bridge view).
 */
export function readBridgeLiveness(
  ports: {
    readonly settings: SettingsStore;
    readonly database: Database;
    readonly now: () => number;
  },
  input: { readonly installation: string },
): { readonly installation: Installation; readonly liveness: BridgeLiveness } {
  const installation = ports.settings.requireInstallation(input.installation);
  return { installation, liveness: bridgeLiveness(ports.database, installation.id, ports.now()) };
}
