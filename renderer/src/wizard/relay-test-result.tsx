import type { WebhookRegistration } from '../../../common/api/models.js';
import type { RelayTestOutcome } from '../../../common/relay/webhook-test-outcome.js';
import { useAction, useApi } from '../app-context.js';
import { ErrorNotice } from '../components/error-notice.js';

/** The guide the next step points to; the same title as the document in docs/. */
export const RELAY_GUIDE = {
  title: 'The webhook relay and running it as a service',
  path: 'docs/relay-and-services.md',
} as const;

/**
 * The result of registering webhooks: green only when the relay recorded BDC's test delivery;
 * red with the reason, the next step and the way back (removing the webhooks that now point at a
 * dead address) when BDC's test failed or no delivery arrived in time.
 */
export function RelayTestResult(props: {
  installation: string;
  registration: WebhookRegistration;
  outcome: RelayTestOutcome;
  pingAt: string | undefined;
}) {
  const api = useApi();
  const { registration, outcome } = props;
  const count = registration.webhooks.length;
  const webhooks = `${count} webhook${count === 1 ? '' : 's'}`;
  const [remove, removal] = useAction(() =>
    api.unregisterWebhooks({
      installation: props.installation,
      repos: registration.webhooks.map((hook) => hook.target),
    }),
  );
  const list = (
    <ul className="registered" aria-label="Registered webhooks">
      {registration.webhooks.map((hook) => (
        <li key={hook.target}>
          {hook.target}: {hook.action}; BDC's test call{' '}
          {hook.test.reached
            ? `reached the relay (HTTP ${hook.test.status ?? '?'})`
            : `failed: ${hook.test.error ?? hook.test.status ?? 'no answer'}`}
        </li>
      ))}
    </ul>
  );

  switch (outcome.kind) {
    case 'reached':
      return (
        <div className="notice notice-ok" role="status">
          Registered {webhooks}. {list}
          <strong>
            BDC's test delivery arrived
            {props.pingAt ? ` at ${new Date(props.pingAt).toLocaleTimeString()}` : ''}.
          </strong>
        </div>
      );
    case 'waiting':
      return (
        <div className="notice" role="status">
          Registered {webhooks}. {list}
          <span>Waiting for BDC's test delivery to reach the relay (at most 15 seconds)…</span>
        </div>
      );
    case 'unreachable':
    case 'not-this-relay':
      return (
        <div className="notice notice-error" role="alert" aria-label="BDC cannot reach the relay">
          <p className="notice-title">
            BDC cannot reach the relay at <span className="mono">{registration.url}</span>
          </p>
          {outcome.kind === 'unreachable' ? (
            <ul aria-label="Reasons">
              {outcome.reasons.map((reason) => (
                <li key={reason}>{reason}</li>
              ))}
            </ul>
          ) : (
            <p>
              BDC's test call got an answer, but this relay recorded no delivery within 15 seconds:
              something else answers at that address (another service, or a proxy).
            </p>
          )}
          <p>
            This is typical when the relay runs on a laptop on a VPN: the VPN lets this machine
            reach BDC, not BDC reach this machine.
          </p>
          <p className="notice-hint">
            Next: run the relay as a service on a server next to BDC and enter that server's URL
            above (guide: <em>{RELAY_GUIDE.title}</em>,{' '}
            <span className="mono">{RELAY_GUIDE.path}</span>
            ), or use watch mode, where the companion asks BDC for new pushes and needs no webhook.
          </p>
          {list}
          {removal.kind === 'done' ? (
            <p role="status">
              Removed {removal.value.removed.length} webhook
              {removal.value.removed.length === 1 ? '' : 's'} from BDC; nothing points at this
              address any more.
            </p>
          ) : (
            <div className="actions">
              <button
                type="button"
                disabled={removal.kind === 'running'}
                onClick={() => void remove()}
              >
                Remove the {webhooks} just registered
              </button>
            </div>
          )}
          {removal.kind === 'failed' ? (
            <ErrorNotice error={removal.error} title="Could not remove" />
          ) : null}
        </div>
      );
    default: {
      const never: never = outcome;
      return never;
    }
  }
}
