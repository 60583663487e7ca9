import type { DeliveryMode, ReachEvidence, WatchSettings } from '../models/watch.js';

export interface DeliveryModeFacts {
  readonly watch: WatchSettings | undefined;
  /** How many BDC webhooks the companion registered for the installation. */
  readonly registeredWebhooks: number;
  /** BDC's last test of the relay URL (`webhooks register`). */
  readonly evidence: ReachEvidence | undefined;
  /** When BDC's last ping reached a running relay (proof of reach as good as the test). */
  readonly lastPingAt: string | undefined;
}

function watched(watch: WatchSettings): string {
  const parts: string[] = [];
  if (watch.repositories.length > 0) {
    parts.push(
      `${watch.repositories.length} ${watch.repositories.length === 1 ? 'repository' : 'repositories'}`,
    );
  }
  if (watch.projects.length > 0) {
    parts.push(`${watch.projects.length} ${watch.projects.length === 1 ? 'project' : 'projects'}`);
  }
  return `${parts.join(' and ')} every ${watch.intervalSeconds} s`;
}

/**
 * Which way change events reach the platform, decided by evidence: BDC's test of the relay URL
 * (reached or not, and why) and whether watch mode is on. Words only, no command or control
 * names, so the CLI and the UI can both show the reason and add their own next step.
 */
export function deliveryMode(facts: DeliveryModeFacts): DeliveryMode {
  const reached =
    facts.evidence?.reached === true ||
    (facts.lastPingAt !== undefined &&
      (facts.evidence === undefined || facts.lastPingAt > facts.evidence.testedAt));
  const couldNot =
    facts.evidence !== undefined && !reached
      ? `BDC could not reach the relay when it tested it (${facts.evidence.reason ?? 'no answer'}, ${facts.evidence.testedAt})`
      : undefined;
  if (facts.watch !== undefined) {
    if (facts.registeredWebhooks > 0 && reached) {
      return {
        mode: 'both',
        reason: `BDC reaches the relay and the companion also watches ${watched(facts.watch)}; a change seen by both is sent once.`,
        suggestWatch: false,
      };
    }
    return {
      mode: 'watch',
      reason: `${couldNot ?? (facts.registeredWebhooks === 0 ? 'No BDC webhook is registered' : 'BDC has not been seen reaching the relay')}, so the companion watches ${watched(facts.watch)}.`,
      suggestWatch: false,
    };
  }
  if (facts.registeredWebhooks === 0) {
    return {
      mode: 'none',
      reason: 'No BDC webhook is registered and watch mode is off: no change reaches the platform.',
      suggestWatch: false,
    };
  }
  if (couldNot !== undefined) {
    return {
      mode: 'webhooks',
      reason: `${couldNot}: no change reaches the platform until it can. Watch mode sends the same events without BDC reaching the companion.`,
      suggestWatch: true,
    };
  }
  return {
    mode: 'webhooks',
    reason: reached
      ? 'BDC reaches the relay: its webhooks deliver the changes.'
      : 'BDC webhooks are registered; BDC has not been seen reaching the relay yet.',
    suggestWatch: false,
  };
}
