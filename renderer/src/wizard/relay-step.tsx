import { useEffect, useState } from 'react';
import type { RelayEndpoint } from '../../../common/api/models.js';
import { useApi } from '../app-context.js';
import { RelayEndpointFacts } from './relay-endpoint-facts.js';
import { RelayListenForm } from './relay-listen-form.js';
import { WebhookRegistration } from './webhook-registration.js';
import { WebhookSecretForm } from './webhook-secret-form.js';
import type { WizardState } from './wizard-model.js';

/**
 * Step 4: where the relay listens, the URL BDC should call, the webhook secret (stored, never
 * shown), which repositories to register, and proof that BDC's test delivery arrived. Each part
 * is its own component; the step holds what they share — the endpoint BDC should call.
 */
export function RelayStep(props: {
  state: WizardState;
  onChange: (next: Partial<WizardState>) => void;
}) {
  const api = useApi();
  const installation = props.state.installation;
  const name = installation?.name ?? '';
  const [endpoint, setEndpoint] = useState<RelayEndpoint | undefined>(undefined);
  const [delivered, setDelivered] = useState(false);
  const [watching, setWatching] = useState(false);

  useEffect(() => {
    if (!name) return;
    void api.getRelayEndpoint({ installation: name }).then(setEndpoint, () => undefined);
  }, [api, name]);

  if (!installation) return <p>Add the instance first.</p>;

  return (
    <section aria-labelledby="relay-title" className="step">
      <h2 id="relay-title">Relay BDC's webhooks to the platform</h2>
      <WebhookSecretForm
        installation={name}
        endpoint={endpoint}
        onEndpoint={setEndpoint}
        secretsDropped={props.state.restored === true}
      />
      <RelayListenForm installation={installation} onEndpoint={setEndpoint} />
      {endpoint ? <RelayEndpointFacts endpoint={endpoint} /> : null}
      <WebhookRegistration
        installation={installation}
        endpoint={endpoint}
        onTestDelivery={({ registered }) => {
          setDelivered(true);
          props.onChange({
            relay: { callbackUrl: endpoint?.callbackUrl, registered, testDelivery: true },
          });
        }}
        onWatching={(_status, count) => {
          setWatching(true);
          props.onChange({
            relay: {
              callbackUrl: endpoint?.callbackUrl,
              registered: props.state.relay?.registered ?? 0,
              testDelivery: props.state.relay?.testDelivery ?? false,
              watching: count,
            },
          });
        }}
      />
      <div className="actions">
        <button
          type="button"
          onClick={() => props.onChange({ step: 'summary' })}
          className={delivered || watching ? 'primary' : ''}
        >
          {delivered || watching ? 'Continue' : 'Skip for now'}
        </button>
      </div>
    </section>
  );
}
