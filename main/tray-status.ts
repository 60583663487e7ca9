import type { BridgeOverview, RelayStatus } from '../common/api/models.js';

/** One line for the tray tooltip and menu: is the relay flowing, and what is stuck. */
export function relayTrayLabel(statuses: readonly RelayStatus[]): string {
  const running = statuses.filter((status) => status.running);
  if (running.length === 0) return 'Relay: off';
  const pending = running.reduce((sum, status) => sum + status.pending, 0);
  const dead = running.reduce((sum, status) => sum + status.dead, 0);
  if (dead > 0) return `Relay: ${dead} dead-lettered, ${pending} pending`;
  if (pending > 0) return `Relay: ${pending} pending`;
  return `Relay: running (${running.length})`;
}

/**
 * The bridge's tray line: connected only when a running bridge says so; a refused token or a
 * bridge that is not running never reads as fine. Installations without a token are left out.
 */
export function bridgeTrayLabel(overviews: readonly BridgeOverview[]): string {
  const configured = overviews.filter((overview) => overview.tokenConfigured);
  if (configured.length === 0) return 'Bridge: not set up';
  const states = configured.map((overview) =>
    overview.running && overview.status !== undefined ? overview.status.state : 'stopped',
  );
  if (states.includes('refused')) return 'Bridge: token refused by the platform';
  const connected = states.filter((state) => state === 'connected').length;
  if (connected === states.length) return `Bridge: connected (${connected})`;
  if (states.every((state) => state === 'stopped')) return 'Bridge: not running';
  return `Bridge: ${connected} of ${states.length} connected`;
}
