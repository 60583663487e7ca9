import type { RelayLiveness, RelayStatus } from '../../common/models/relay.js';
import { describeRelayLiveness } from '../../common/relay/relay-liveness-text.js';
import type { DeliveryMode, WatchStatus } from '../../common/models/watch.js';
import { readRelayOverview } from '../../core/use-cases/relay-queue.js';
import type { Command } from '../command.js';
import { formatRows } from '../output.js';
import { ageText, withLocalPorts } from './relay-support.js';

function watchRows(mode: DeliveryMode, watch: WatchStatus, name: string): [string, string][] {
  const rows: [string, string][] = [['mode', `${mode.mode}: ${mode.reason}`]];
  if (mode.suggestWatch) {
    rows.push([
      'next',
      `\`bdc-companion relay watch ${name} --repo PROJECT/slug\` sends the events without BDC reaching the relay`,
    ]);
  }
  if (watch.enabled) {
    rows.push(
      ['watched repositories', `${watch.watched} every ${watch.intervalSeconds ?? '-'} s`],
      ['last poll', watch.lastPollAt ?? 'never'],
      [
        'events sent by watch',
        `${watch.events} (${watch.deduplicated} already sent by the other side)`,
      ],
      [
        'last watch error',
        watch.lastError ? `${watch.lastError.at} ${watch.lastError.message}` : '-',
      ],
    );
  }
  return rows;
}

function human(
  status: RelayStatus,
  liveness: RelayLiveness,
  overview: { readonly mode: DeliveryMode; readonly watch: WatchStatus },
  name: string,
): string {
  return formatRows([
    ['relay', describeRelayLiveness(liveness).text],
    ...watchRows(overview.mode, overview.watch, name),
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
    const { installation, status, liveness, ...overview } = await withLocalPorts(context, (ports) =>
      readRelayOverview(
        { settings: ports.settings, database: ports.database(), now: Date.now },
        { installation: context.positionals[0] as string },
      ),
    );
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
        mode: overview.mode.mode,
        modeReason: overview.mode.reason,
        suggestWatch: overview.mode.suggestWatch,
        watch: {
          ...overview.watch,
          intervalSeconds: overview.watch.intervalSeconds ?? null,
          lastPollAt: overview.watch.lastPollAt ?? null,
          lastError: overview.watch.lastError ?? null,
        },
      },
      () => human(status, liveness, overview, installation.name),
    );
  },
};
