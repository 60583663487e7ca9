import { useCallback, useEffect, useState } from 'react';
import type { Delivery, DeliveryState, RelayStatus } from '../../../common/api/models.js';
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
          <button type="submit" disabled={secret.length < 16 || rotated.kind === 'running'}>
            Rotate
          </button>
        </div>
      </form>
      {rotated.kind === 'failed' ? <ErrorNotice error={rotated.error} /> : null}
      {rotated.kind === 'done' ? (
        <p role="status" className="notice notice-ok">
          Rotated: {rotated.value.updated} webhook{rotated.value.updated === 1 ? '' : 's'} now use
          the new secret.
        </p>
      ) : null}
    </details>
  );
}
