import type { PushPhase, PushProgress } from '../../../common/models/push.js';

const PHASE_LABELS: Readonly<Record<PushPhase, string>> = {
  lock: 'Waiting for the repository',
  fetch: 'Fetching',
  build: 'Building the commit',
  push: 'Pushing',
  retry: 'Retrying after a concurrent change',
};

/** Keeps the latest report of each phase of the latest attempt, in the order they started. */
export function mergePushProgress(
  current: readonly PushProgress[],
  next: PushProgress,
): readonly PushProgress[] {
  const sameAttempt = current.filter((each) => each.attempt === next.attempt);
  const index = sameAttempt.findIndex((each) => each.phase === next.phase);
  if (index === -1) return [...sameAttempt, next];
  return sameAttempt.map((each, at) => (at === index ? next : each));
}

/** A push's phases as they happen: a bar when the engine knows the total, the counts beside it. */
export function PushProgressList(props: { progress: readonly PushProgress[]; running: boolean }) {
  if (props.progress.length === 0) return null;
  const last = props.progress[props.progress.length - 1];
  return (
    <ol className="probe-steps" aria-live="polite" aria-label="Push progress">
      {props.progress.map((each) => {
        const active = props.running && each === last;
        const counts =
          each.total !== undefined ? `${each.done ?? 0}/${each.total}` : each.done?.toString();
        return (
          <li
            key={each.phase}
            data-phase={each.phase}
            className={active ? 'step-running' : 'step-ok'}
          >
            <span className="step-mark" aria-hidden="true">
              {active ? '…' : '✓'}
            </span>
            <span className="step-name">
              {PHASE_LABELS[each.phase] ?? each.phase}
              {each.attempt > 1 ? ` (attempt ${each.attempt})` : ''}
            </span>
            {each.total !== undefined && each.total > 0 ? (
              <progress
                value={Math.min(each.done ?? 0, each.total)}
                max={each.total}
                aria-label={`${PHASE_LABELS[each.phase] ?? each.phase} progress`}
              />
            ) : null}
            {counts ? <span className="step-ms">{counts}</span> : null}
            {each.detail ? <span className="step-detail">{each.detail}</span> : null}
          </li>
        );
      })}
    </ol>
  );
}
