import { useState } from 'react';
import type { RelayEndpoint } from '../../../common/api/models.js';
import { useAction, useApi } from '../app-context.js';
import { ErrorNotice } from '../components/error-notice.js';
import { Field } from '../components/field.js';
import { SecretNotKept } from '../components/secret-not-kept.js';
import { MIN_WEBHOOK_SECRET_LENGTH } from '../../../common/relay/webhook-secret-length.js';

/** The webhook secret: goes in, is stored in the keychain, and is never shown again. */
export function WebhookSecretForm(props: {
  installation: string;
  endpoint: RelayEndpoint | undefined;
  onEndpoint: (endpoint: RelayEndpoint) => void;
  /** The setup was resumed from its draft, which never keeps a secret typed before leaving. */
  secretsDropped?: boolean;
}) {
  const api = useApi();
  const [secret, setSecret] = useState('');
  const [storeSecret, storedSecret] = useAction(async () => {
    // Cleared whatever happens: a secret BDC did not take is stored all the same (the error says
    // which webhooks still need it), so it is never typed twice.
    try {
      return await api.setWebhookSecret({ installation: props.installation, secret });
    } finally {
      setSecret('');
      await api
        .getRelayEndpoint({ installation: props.installation })
        .then(props.onEndpoint, () => undefined);
    }
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
          help="The Ankra platform issues this secret for the installation: copy it from there. BDC signs each delivery with it and the platform checks it; it is stored in the OS keychain, put on the webhooks already registered, and never shown again."
        />
        {props.secretsDropped === true &&
        props.endpoint !== undefined &&
        !props.endpoint.secretConfigured &&
        secret === '' &&
        storedSecret.kind === 'idle' ? (
          <SecretNotKept what="webhook secret" />
        ) : null}
        <div className="actions">
          <button
            type="submit"
            disabled={secret.length < MIN_WEBHOOK_SECRET_LENGTH || storedSecret.kind === 'running'}
          >
            {props.endpoint?.secretConfigured ? 'Replace secret' : 'Store secret'}
          </button>
        </div>
      </form>
      {storedSecret.kind === 'failed' ? (
        <ErrorNotice error={storedSecret.error} title="Webhook secret" />
      ) : null}
      {storedSecret.kind === 'done' ? (
        <p role="status" className="notice notice-ok">
          Secret stored.{' '}
          {storedSecret.value.switched.length === 0
            ? 'Webhooks registered from now on use it.'
            : `${storedSecret.value.switched.length} BDC webhook${storedSecret.value.switched.length === 1 ? '' : 's'} switched to it.`}
        </p>
      ) : null}
    </>
  );
}
