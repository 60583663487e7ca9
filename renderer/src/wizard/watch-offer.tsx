import type { RelayStatus } from '../../../common/api/models.js';
import { DEFAULT_WATCH_INTERVAL_SECONDS } from '../../../common/models/watch.js';
import { useAction, useApi } from '../app-context.js';
import { ErrorNotice } from '../components/error-notice.js';

/** The projects of `PROJECT/slug` paths, in order, once each. */
export function projectsOf(repositories: readonly string[]): string[] {
  return [...new Set(repositories.map((repo) => repo.split('/')[0] ?? '').filter(Boolean))];
}

/**
 * Watch mode offered where BDC's test showed it cannot reach the relay (docs/watch-mode.md): one
 * click watches the repositories just chosen (or their whole projects), and the relay running in
 * this companion starts polling at once.
 */
export function WatchOffer(props: {
  installation: string;
  repositories: readonly string[];
  onWatching: (status: RelayStatus, count: number) => void;
}) {
  const api = useApi();
  const projects = projectsOf(props.repositories);
  const [watch, watching] = useAction(
    async (choice: { repositories?: readonly string[]; projects?: readonly string[] }) => {
      const status = await api.configureWatch({ installation: props.installation, ...choice });
      props.onWatching(status, (choice.repositories?.length ?? 0) + (choice.projects?.length ?? 0));
      return status;
    },
  );
  if (watching.kind === 'done') {
    const status = watching.value;
    return (
      <div className="notice notice-ok" role="status" aria-label="Watch mode">
        <p className="notice-title">
          Watch mode is on{status.watch.running ? ' and running' : ''}: the companion asks BDC for
          changes every {status.watch.intervalSeconds ?? DEFAULT_WATCH_INTERVAL_SECONDS} seconds and
          sends the platform the events BDC would have sent.
        </p>
        <p>{status.mode.reason}</p>
        {status.running ? null : (
          <p className="notice-hint">
            Next: start the relay (above, or in the Relay view): watch mode runs inside it.
          </p>
        )}
      </div>
    );
  }
  if (props.repositories.length === 0) return null;
  return (
    <div className="card" role="group" aria-label="Watch mode instead">
      <h3>Use watch mode instead</h3>
      <p>
        BDC does not need to reach this machine: the companion asks BDC every{' '}
        {DEFAULT_WATCH_INTERVAL_SECONDS} seconds whether these repositories changed, with the
        sign-in it already has (read access is enough).
      </p>
      <div className="actions">
        <button
          type="button"
          className="primary"
          disabled={watching.kind === 'running'}
          onClick={() => void watch({ repositories: props.repositories })}
        >
          Watch {props.repositories.join(', ')}
        </button>
        {projects.length > 0 ? (
          <button
            type="button"
            disabled={watching.kind === 'running'}
            onClick={() => void watch({ projects })}
          >
            Watch every repository of {projects.join(', ')}
          </button>
        ) : null}
      </div>
      {watching.kind === 'failed' ? (
        <ErrorNotice error={watching.error} title="Watch mode not turned on" />
      ) : null}
    </div>
  );
}
