import type { RelayStatus } from '../common/api/models.js';

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
