import type { RelayLiveness, RelayStatus } from '../../common/models/relay.js';
import { describeRelayLiveness } from '../../common/relay/relay-liveness-text.js';
import { relayLiveness } from '../../core/relay/relay-heartbeat.js';
import { relayStatus } from '../../core/relay/relay-queries.js';
import type { Command } from '../command.js';
import { formatRows } from '../output.js';
import { ageText, requireInstallation, withDatabase } from './relay-support.js';

function human(status: RelayStatus, liveness: RelayLiveness): string {
  return formatRows([
    ['relay', describeRelayLiveness(liveness).text],
    ['last received from BDC', status.lastReceivedAt ?? 'never'],
    ['last acknowledged by platform', status.lastDeliveredAt ?? 'never'],
    ['last BDC test ping', status.lastPingAt ?? 'never'],
    [
      'pending',
      `${status.pending}${status.pending > 0 ? ` (oldest ${ageText(status.oldestPendingAgeMs)})` : ''}`,
    ],
    ['delivered', String(status.delivered)],
    ['dead-lettered', String(status.dead)],
    ['refused signatures', String(status.rejectedSignatures)],
    ['duplicates', String(status.duplicates)],
    ['dropped events', String(status.dropped)],
    ['last error', status.lastError ? `${status.lastError.at} ${status.lastError.message}` : '-'],
  ]);
}

/**
 * `relay status <name>`: whether a relay runs (from the heartbeats of relay processes), what was
 * received and what the platform acknowledged.
 */
export const relayStatusCommand: Command = {
  path: ['relay', 'status'],
  summary:
    'end-to-end relay status: is a relay running, last received, last delivered, queue depth, last error',
  args: '<name>',
  minPositionals: 1,
  maxPositionals: 1,
  async run(context) {
    const { installation } = requireInstallation(context, context.positionals[0] as string);
    const { status, liveness } = await withDatabase(context, (database) => ({
      status: relayStatus(database, installation.id),
      liveness: relayLiveness(database, installation.id, { now: Date.now() }),
    }));
    context.output.success(
      {
        ...status,
        running: liveness.running.length > 0,
        processes: liveness.running,
        lastRun: liveness.lastRun ?? null,
        installationId: installation.id,
        lastError: status.lastError ?? null,
        lastReceivedAt: status.lastReceivedAt ?? null,
        lastDeliveredAt: status.lastDeliveredAt ?? null,
        lastPingAt: status.lastPingAt ?? null,
        oldestPendingAgeMs: status.oldestPendingAgeMs ?? null,
      },
      () => human(status, liveness),
    );
  },
};
