import type { WatchStore } from './watch-store.js';

interface LoggedChange {
  readonly ref: string;
  readonly toHash: string;
}

/** `changes[].refId` and `toHash` of a `repo:refs_changed` body; none when it is not one. */
export function payloadChanges(body: Buffer): LoggedChange[] {
  try {
    const payload = JSON.parse(body.toString('utf8')) as { changes?: unknown };
    if (!Array.isArray(payload.changes)) return [];
    return payload.changes.flatMap((entry: unknown) => {
      const change = entry as { refId?: unknown; ref?: { id?: unknown }; toHash?: unknown };
      const ref = typeof change.refId === 'string' ? change.refId : change.ref?.id;
      return typeof ref === 'string' && typeof change.toHash === 'string'
        ? [{ ref, toHash: change.toHash }]
        : [];
    });
  } catch {
    return [];
  }
}

/**
 * The relay's side of "sent once when both run": called in the transaction that would store a
 * BDC delivery. It logs the delivery's changes as seen by the webhook (so the watch does not send
 * them again) and refuses the delivery when the watch already sent every one of its changes
 * within the window (docs/watch-mode.md, "Both at once").
 */
export function webhookAdmission(
  store: WatchStore,
  installationId: string,
  windowMs: number,
): (repository: string, body: Buffer, at: number) => boolean {
  return (repository, body, at) => {
    const changes = payloadChanges(body);
    if (changes.length === 0) return true;
    const covered = changes.every((change) =>
      store.seenBy(installationId, repository, change, 'watch', at - windowMs),
    );
    for (const change of changes)
      store.logChange(installationId, repository, change, 'webhook', at);
    if (covered) store.countDeduplicated(installationId);
    return !covered;
  };
}
