import { useCallback, useEffect, useState } from 'react';
import type { Delivery, DeliveryState, RelayStatus } from '../../../common/api/models.js';
import {
  DEFAULT_WATCH_INTERVAL_SECONDS,
  type WatchSettings,
} from '../../../common/models/watch.js';
import { describeRelayLiveness } from '../../../common/relay/relay-liveness-text.js';
import { toErrorShape } from '../../../common/errors/companion-error.js';
import type { ErrorShape } from '../../../common/errors/error-shape.js';
import { useAction, useApi, useCan, useCompanionEvents } from '../app-context.js';
import { Field } from '../components/field.js';
import { ErrorNotice } from '../components/error-notice.js';
import {
  InstallationPicker,
  useInstallations,
  useSelectedInstallation,
} from '../components/installation-picker.js';
import { MIN_WEBHOOK_SECRET_LENGTH } from '../../../common/relay/webhook-secret-length.js';

function ago(iso: string | undefined): string {
  if (!iso) return 'never';
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  return new Date(iso).toLocaleString();
}

/** End-to-end relay status: what BDC sent, what the platform acknowledged, what is stuck. */
export function RelayView() {
  const api = useApi();
  const can = useCan();
  const installations = useInstallations();
  const [name, setName] = useSelectedInstallation(installations);
  const installation = installations.find((each) => each.name === name);
  const [status, setStatus] = useState<RelayStatus | undefined>(undefined);
  const [deliveries, setDeliveries] = useState<readonly Delivery[]>([]);
  const [state, setState] = useState<DeliveryState | 'all'>('all');
  const [error, setError] = useState<ErrorShape | undefined>(undefined);

  const refresh = useCallback(async () => {
    if (!name) return;
    try {
      setStatus(await api.getRelayStatus({ installation: name }));
      setDeliveries(
        await api.listDeliveries({
          installation: name,
          limit: 200,
          ...(state === 'all' ? {} : { state }),
        }),
      );
      setError(undefined);
    } catch (caught) {
      setError(toErrorShape(caught));
    }
  }, [api, name, state]);

  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- state is set after the engine answers, not synchronously
    void refresh();
  }, [refresh]);

  // The watch's last poll moves without an event: read the status again while the view is open.
  useEffect(() => {
    if (!name) return undefined;
    const timer = setInterval(() => {
      void api.getRelayStatus({ installation: name }).then(setStatus, () => undefined);
    }, 5_000);
    return () => clearInterval(timer);
  }, [api, name]);

  useCompanionEvents((event) => {
    if (event.kind === 'relay-status' && event.status.installationId === installation?.id)
      setStatus(event.status);
    if (event.kind === 'delivery' && event.delivery.installationId === installation?.id)
      void refresh();
  });

  async function replay(request: { ids?: readonly number[]; dead?: boolean }): Promise<void> {
    try {
      await api.replayDeliveries({ installation: name, ...request });
      await refresh();
    } catch (caught) {
      setError(toErrorShape(caught));
    }
  }

  async function toggleRelay(): Promise<void> {
    try {
      setStatus(
        status?.running
          ? await api.stopRelay({ installation: name })
          : await api.startRelay({ installation: name }),
      );
    } catch (caught) {
      setError(toErrorShape(caught));
    }
  }

  if (installations.length === 0) return <p>No installations yet: run the setup first.</p>;

  return (
    <section aria-labelledby="relay-view-title">
      <h2 id="relay-view-title">Webhook relay</h2>
      <div className="toolbar">
        <InstallationPicker installations={installations} value={name} onChange={setName} />
        {can('startRelay') && can('stopRelay') ? (
          <button type="button" onClick={() => void toggleRelay()}>
            {status?.running ? 'Stop relay' : 'Start relay'}
          </button>
        ) : null}
        <button type="button" onClick={() => void refresh()}>
          Refresh
        </button>
      </div>
      {error ? <ErrorNotice error={error} /> : null}
      {status ? (
        <div className="tiles" aria-label="Relay status">
          <RelayProcessTile status={status} />
          <Tile
            label="Mode"
            value={MODE_WORDS[status.mode.mode]}
            tone={status.mode.mode === 'none' || status.mode.suggestWatch ? 'bad' : 'ok'}
            detail={status.mode.reason}
          />
          {status.watch.enabled ? (
            <Tile
              label="Watched repositories"
              value={String(status.watch.watched)}
              tone={status.watch.running || !status.running ? 'ok' : 'warn'}
              detail={`every ${status.watch.intervalSeconds ?? '?'} s; last poll ${ago(status.watch.lastPollAt)}${status.watch.lastError ? `; last error: ${status.watch.lastError.message}` : ''}`}
            />
          ) : null}
          <Tile label="Last received from BDC" value={ago(status.lastReceivedAt)} />
          <Tile label="Last acknowledged by the platform" value={ago(status.lastDeliveredAt)} />
          <Tile label="Last BDC ping" value={ago(status.lastPingAt)} />
          <Tile
            label="Pending"
            value={String(status.pending)}
            tone={status.pending > 0 ? 'warn' : 'ok'}
            detail={
              status.oldestPendingAgeMs !== undefined
                ? `oldest ${Math.round(status.oldestPendingAgeMs / 1000)} s`
                : undefined
            }
          />
          <Tile
            label="Dead-lettered"
            value={String(status.dead)}
            tone={status.dead > 0 ? 'bad' : 'ok'}
          />
          <Tile
            label="Last error"
            value={status.lastError?.message ?? 'none'}
            tone={status.lastError ? 'bad' : 'ok'}
          />
        </div>
      ) : null}

      {can('configureWatch') && installation && status ? (
        <WatchSettingsCard
          key={name}
          installation={name}
          current={installation.relay.watch}
          suggested={status.mode.suggestWatch}
          onStatus={setStatus}
        />
      ) : null}
      {can('rotateWebhookSecret') ? <RotateSecret installation={name} /> : null}
      <div className="toolbar">
        <h3>Deliveries</h3>
        <label>
          State{' '}
          <select
            value={state}
            onChange={(event) => setState(event.target.value as DeliveryState | 'all')}
          >
            <option value="all">all</option>
            <option value="pending">pending</option>
            <option value="delivered">delivered</option>
            <option value="dead">dead</option>
          </select>
        </label>
        {status && status.dead > 0 ? (
          <button type="button" onClick={() => void replay({ dead: true })}>
            Replay all dead
          </button>
        ) : null}
      </div>
      <table className="data-table">
        <thead>
          <tr>
            <th>Received</th>
            <th>Event</th>
            <th>Repository</th>
            <th>State</th>
            <th>Attempts</th>
            <th>
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((delivery) => (
            <tr key={delivery.id} data-delivery={delivery.id}>
              <td>{new Date(delivery.receivedAt).toLocaleString()}</td>
              <td className="mono">{delivery.eventKey}</td>
              <td>{delivery.repository}</td>
              <td>
                <span className={`badge badge-${delivery.state}`}>{delivery.state}</span>
              </td>
              <td>
                <details>
                  <summary>
                    {delivery.attempts}
                    {delivery.replays > 0 ? ` (replayed ${delivery.replays}×)` : ''}
                  </summary>
                  <ol className="attempts">
                    {delivery.attemptLog.map((attempt) => (
                      <li key={attempt.number}>
                        {new Date(attempt.at).toLocaleTimeString()} —{' '}
                        {attempt.status ?? 'no response'} in {Math.round(attempt.latencyMs)} ms (
                        {attempt.outcome}){attempt.error ? `: ${attempt.error}` : ''}
                        {attempt.responseExcerpt ? (
                          <div className="mono muted">{attempt.responseExcerpt}</div>
                        ) : null}
                      </li>
                    ))}
                  </ol>
                  {delivery.lastError ? (
                    <p className="muted">Last error: {delivery.lastError}</p>
                  ) : null}
                </details>
              </td>
              <td>
                <button
                  type="button"
                  onClick={() => void replay({ ids: [delivery.id] })}
                  aria-label={`Replay delivery ${delivery.id}`}
                >
                  Replay
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {deliveries.length === 0 ? <p className="muted">No deliveries yet.</p> : null}
    </section>
  );
}

/** Which way changes reach the platform, as the mode tile names it. */
const MODE_WORDS: Readonly<Record<RelayStatus['mode']['mode'], string>> = {
  webhooks: 'Webhooks',
  watch: 'Watch mode',
  both: 'Webhooks and watch mode',
  none: 'Nothing reaches the platform',
};

/** When the stored watch starts polling: here now, in the daemon within seconds, or later. */
function watchStart(status: RelayStatus): string {
  if (status.watch.running) return 'Watching now.';
  if (status.liveness.running.length > 0)
    return 'The relay running in the companion service starts watching within seconds.';
  return 'Watching starts when the relay starts.';
}

/** Comma- or space-separated entries, trimmed, empty ones left out. */
function entries(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((each) => each.trim())
    .filter(Boolean);
}

/**
 * What watch mode watches, edited in place: the relay this companion runs applies a change at
 * once, without a restart (docs/watch-mode.md).
 */
function WatchSettingsCard(props: {
  installation: string;
  current: WatchSettings | undefined;
  /** The evidence says BDC cannot reach the relay: the card opens to offer watch mode. */
  suggested: boolean;
  onStatus: (status: RelayStatus) => void;
}) {
  const api = useApi();
  const { current } = props;
  const [repositories, setRepositories] = useState(current?.repositories.join(', ') ?? '');
  const [projects, setProjects] = useState(current?.projects.join(', ') ?? '');
  const [interval, setInterval_] = useState(
    String(current?.intervalSeconds ?? DEFAULT_WATCH_INTERVAL_SECONDS),
  );
  // Open at first when watch mode is on or suggested; then the admin's choice, not each change's.
  const [openAtFirst] = useState(current !== undefined || props.suggested);
  const [save, saved] = useAction(async (off: boolean) => {
    const status = await api.configureWatch(
      off
        ? { installation: props.installation, off: true }
        : {
            installation: props.installation,
            repositories: entries(repositories),
            projects: entries(projects),
            intervalSeconds: Number(interval),
          },
    );
    props.onStatus(status);
    return status;
  });
  return (
    <details className="card" open={openAtFirst}>
      <summary>Watch mode {current ? '(on)' : '(off)'}</summary>
      <p className="muted">
        For a BDC that cannot reach this machine: the companion asks BDC for changes itself and
        sends the platform the events BDC would have sent. Changes here apply at once.
      </p>
      <form
        className="form-grid"
        onSubmit={(event) => {
          event.preventDefault();
          void save(false);
        }}
      >
        <Field
          label="Repositories to watch (PROJECT/slug)"
          value={repositories}
          onChange={setRepositories}
          placeholder="OPS/deployments, OPS/infra"
        />
        <Field
          label="Projects to watch (every repository)"
          value={projects}
          onChange={setProjects}
          placeholder="OPS"
        />
        <Field
          label="Seconds between two checks (5 to 3600)"
          type="number"
          value={interval}
          onChange={setInterval_}
        />
        <div className="actions">
          <button type="submit" className="primary" disabled={saved.kind === 'running'}>
            {current ? 'Save what is watched' : 'Turn watch mode on'}
          </button>
          {current ? (
            <button
              type="button"
              disabled={saved.kind === 'running'}
              onClick={() => void save(true)}
            >
              Stop watching
            </button>
          ) : null}
        </div>
      </form>
      {saved.kind === 'failed' ? (
        <ErrorNotice error={saved.error} title="Watch settings not saved" />
      ) : null}
      {saved.kind === 'done' ? (
        <p role="status" className="notice notice-ok">
          {saved.value.watch.enabled
            ? `${watchStart(saved.value)} ${saved.value.mode.reason}`
            : 'Watch mode is off.'}
        </p>
      ) : null}
    </details>
  );
}

/** Whether a relay runs — here, or in another process sharing the home (the daemon). */
function RelayProcessTile(props: { status: RelayStatus }) {
  const { text, tone } = describeRelayLiveness(
    props.status.liveness,
    props.status.running ? (props.status.listen ?? '?') : undefined,
  );
  return <Tile label="Relay" value={text} tone={tone} />;
}

function Tile(props: {
  label: string;
  value: string;
  tone?: 'ok' | 'warn' | 'bad';
  detail?: string | undefined;
}) {
  return (
    <div className={`tile tile-${props.tone ?? 'neutral'}`}>
      <div className="tile-label">{props.label}</div>
      <div className="tile-value">{props.value}</div>
      {props.detail ? <div className="tile-detail">{props.detail}</div> : null}
    </div>
  );
}

/** Rotation: the new secret comes from the platform, goes in once, and is never shown. */
function RotateSecret(props: { installation: string }) {
  const api = useApi();
  const [secret, setSecret] = useState('');
  const [rotate, rotated] = useAction(async () => {
    const result = await api.rotateWebhookSecret({ installation: props.installation, secret });
    setSecret('');
    return result;
  });
  return (
    <details className="card">
      <summary>Rotate the webhook secret</summary>
      <form
        className="form-grid"
        onSubmit={(event) => {
          event.preventDefault();
          void rotate();
        }}
      >
        <Field
          label="New webhook secret"
          type="password"
          value={secret}
          onChange={setSecret}
          help="The Ankra platform issues the webhook secret: issue a new one there and paste it here. The companion updates every registered BDC webhook and keeps accepting the old secret for 15 minutes."
        />
        <div className="actions">
          <button
            type="submit"
            disabled={secret.length < MIN_WEBHOOK_SECRET_LENGTH || rotated.kind === 'running'}
          >
            Rotate
          </button>
        </div>
      </form>
      {rotated.kind === 'failed' ? <ErrorNotice error={rotated.error} /> : null}
      {rotated.kind === 'done' ? (
        <p role="status" className="notice notice-ok">
          Rotated:{' '}
          {rotated.value.updated === 1
            ? '1 webhook now uses'
            : `${rotated.value.updated} webhooks now use`}{' '}
          the new secret.
        </p>
      ) : null}
    </details>
  );
}
