import type { RelayLiveness } from '../models/relay.js';

export interface RelayLivenessText {
  readonly text: string;
  /** `ok` a relay runs; `warn` none runs (stopped cleanly, or never started); `bad` one vanished. */
  readonly tone: 'ok' | 'warn' | 'bad';
}

/**
 * One line saying whether a relay runs for an installation and where, or how the last one ended.
 * The CLI's `relay status` and the relay view say the same thing. `ownListen` is set when the
 * asking process runs the relay itself.
 */
export function describeRelayLiveness(
  liveness: RelayLiveness,
  ownListen?: string,
): RelayLivenessText {
  if (ownListen !== undefined)
    return { text: `running here, listening on ${ownListen}`, tone: 'ok' };
  if (liveness.running.length > 0) {
    const runs = liveness.running.map(
      (run) => `pid ${run.pid} on ${run.host} at ${run.url}, since ${run.startedAt}`,
    );
    return { text: `running (${runs.join('; ')})`, tone: 'ok' };
  }
  const last = liveness.lastRun;
  if (last === undefined) return { text: 'not running (never started here)', tone: 'warn' };
  if (last.ended === 'stopped') {
    return { text: `not running (stopped at ${last.endedAt})`, tone: 'warn' };
  }
  return {
    text: `not running: pid ${last.pid} on ${last.host} went silent at ${last.endedAt} without stopping (killed or crashed?)`,
    tone: 'bad',
  };
}
