import { useState } from 'react';
import type { RelayEndpoint } from '../../../common/api/models.js';
import { useAction, useApi } from '../app-context.js';
import { ErrorNotice } from '../components/error-notice.js';
import { Field } from '../components/field.js';

/** The webhook secret: goes in, is stored in the keychain, and is never shown again. */
export function WebhookSecretForm(props: {
  installation: string;
  endpoint: RelayEndpoint | undefined;
  onEndpoint: (endpoint: RelayEndpoint) => void;
}) {
  const api = useApi();
  const [secret, setSecret] = useState('');
  const [storeSecret, storedSecret] = useAction(async () => {
    await api.setWebhookSecret({ installation: props.installation, secret });
    setSecret('');
    props.onEndpoint(await api.getRelayEndpoint({ installation: props.installation }));
  });
  return (
    <>
      <form
        className="form-grid"
        onSubmit={(event) => {
          event.preventDefault();
          void storeSecret();
        }}
      >
        <Field
          label="Webhook secret"
          type="password"
          value={secret}
          onChange={setSecret}
          help="The secret the Ankra platform shows for this installation. BDC signs each delivery with it; it is stored in the OS keychain and never shown again."
        />
        <div className="actions">
          <button type="submit" disabled={secret.length < 16 || storedSecret.kind === 'running'}>
            {props.endpoint?.secretConfigured ? 'Replace secret' : 'Store secret'}
          </button>
        </div>
      </form>
      {storedSecret.kind === 'failed' ? <ErrorNotice error={storedSecret.error} /> : null}
    </>
  );
}
