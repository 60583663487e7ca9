import type { BridgeLiveness } from '../../core/bridge/bridge-heartbeat.js';
import { readBridgeLiveness } from '../../core/use-cases/bridge-liveness.js';
import type { Command } from '../command.js';
import { formatRows } from '../output.js';
import { withLocalPorts } from './relay-support.js';

function human(liveness: BridgeLiveness): string {
  const run = liveness.running[0] ?? liveness.lastRun;
  if (run === undefined) return formatRows([['bridge', 'has never run for this installation']]);
  const status = run.status;
  const where =
    liveness.running.length > 0
      ? `running (pid ${run.pid} on ${run.host}, since ${run.startedAt})`
      : `not running (${liveness.lastRun?.ended === 'vanished' ? 'vanished' : 'stopped'} at ${liveness.lastRun?.endedAt ?? '?'})`;
  const last = status.lastRequest;
  return formatRows([
    ['bridge', where],
    ['state', liveness.running.length > 0 ? status.state : 'stopped'],
    ['platform', run.platformUrl],
    ['connected since', status.connectedSince ?? '-'],
    ['reconnect attempts', String(status.reconnectAttempts ?? 0)],
    [
      'last request',
      last === undefined
        ? 'none'
        : `${last.at} ${last.kind} ${last.method ?? ''} ${last.path ?? `${last.repo ?? ''}:${last.branch ?? ''}`} → ${last.outcome}${last.code ? ` ${last.code}` : ''}`,
    ],
    [
      'requests',
      status.counts === undefined
        ? '-'
        : `${status.counts.ok} ok, ${status.counts.denied} denied, ${status.counts.failed} failed, ${status.counts.cancelled} cancelled`,
    ],
    [
      'last error',
      status.lastError === undefined
        ? '-'
        : `${status.lastError.code}: ${status.lastError.message}`,
    ],
  ]);
}

/** `bridge status <name>`: whether a bridge runs anywhere (its heartbeat) and what it last did. */
export const bridgeStatusCommand: Command = {
  path: ['bridge', 'status'],
  summary:
    'platform bridge status: running or not, connected since, last request, counts by outcome, last error',
  args: '<name>',
  minPositionals: 1,
  maxPositionals: 1,
  async run(context) {
    const { installation, liveness } = await withLocalPorts(context, (ports) =>
      readBridgeLiveness(
        { settings: ports.settings, database: ports.database(), now: Date.now },
        { installation: context.positionals[0] as string },
      ),
    );
    const run = liveness.running[0] ?? liveness.lastRun;
    context.output.success(
      {
        installationId: installation.id,
        running: liveness.running.length > 0,
        processes: liveness.running.map(({ status: _status, ...process }) => process),
        lastRun: liveness.lastRun ?? null,
        state: liveness.running.length > 0 ? (run?.status.state ?? 'connecting') : 'stopped',
        platformUrl: run?.platformUrl ?? installation.platform?.baseUrl ?? null,
        connectedSince: run?.status.connectedSince ?? null,
        reconnectAttempts: run?.status.reconnectAttempts ?? 0,
        lastRequest: run?.status.lastRequest ?? null,
        counts: run?.status.counts ?? { ok: 0, denied: 0, failed: 0, cancelled: 0 },
        lastError: run?.status.lastError ?? null,
      },
      () => human(liveness),
    );
  },
};
