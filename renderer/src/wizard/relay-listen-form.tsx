import { useState } from 'react';
import type { Installation, RelayEndpoint } from '../../../common/api/models.js';
import { useAction, useApi } from '../app-context.js';
import { ErrorNotice } from '../components/error-notice.js';
import { Field } from '../components/field.js';
import { readPickedPem, relayTlsChange } from './relay-tls-change.js';

/**
 * Where the relay listens, the URL BDC should call and its optional HTTPS files; saving restarts
 * the relay on them and reports the endpoint BDC should call.
 */
export function RelayListenForm(props: {
  installation: Installation;
  onEndpoint: (endpoint: RelayEndpoint) => void;
}) {
  const api = useApi();
  const relay = props.installation.relay;
  const name = props.installation.name;
  const [listen, setListen] = useState(relay.listen);
  const [publicUrl, setPublicUrl] = useState(relay.publicUrl ?? '');
  const [certPicked, setCertPicked] = useState<File | undefined>(undefined);
  const [keyPicked, setKeyPicked] = useState<File | undefined>(undefined);
  const [plainHttp, setPlainHttp] = useState(false);

  const [saveRelay, savedRelay] = useAction(async () => {
    // The files' contents go to the companion, never their paths.
    const tls = relayTlsChange(
      certPicked === undefined ? undefined : await readPickedPem(certPicked),
      keyPicked === undefined ? undefined : await readPickedPem(keyPicked),
      plainHttp,
    );
    await api.updateInstallation({
      installation: name,
      relay: {
        enabled: true,
        listen: listen.trim(),
        ...(publicUrl.trim() ? { publicUrl: publicUrl.trim() } : {}),
        ...(tls ? { tls } : {}),
      },
    });
    // A relay already running keeps its old address and certificate until it restarts.
    await api.stopRelay({ installation: name });
    const started = await api.startRelay({ installation: name });
    props.onEndpoint(await api.getRelayEndpoint({ installation: name }));
    return started;
  });

  return (
    <>
      <form
        className="form-grid"
        onSubmit={(event) => {
          event.preventDefault();
          void saveRelay();
        }}
      >
        <Field
          label="Listen address"
          value={listen}
          onChange={setListen}
          help="host:port the relay listens on. Use 0.0.0.0:PORT for BDC on another machine."
        />
        <Field
          label="Relay URL as BDC sees it"
          value={publicUrl}
          onChange={setPublicUrl}
          type="url"
          placeholder="http://companion.corp.example:8787"
          help="How BDC reaches this machine: its host name or address and the port above."
        />
        <details>
          <summary>HTTPS between BDC and the relay (optional)</summary>
          <p>
            {relay.tls === undefined
              ? 'The relay serves plain HTTP.'
              : 'The relay serves HTTPS with the certificate chosen before.'}
          </p>
          <label>
            Certificate file (PEM chain for the relay's host name, issued by a CA BDC trusts)
            <input
              type="file"
              accept=".pem,.crt,.cer"
              onChange={(event) => setCertPicked(event.target.files?.[0])}
            />
          </label>
          <label>
            Key file (its unencrypted PEM private key)
            <input
              type="file"
              accept=".pem,.key"
              onChange={(event) => setKeyPicked(event.target.files?.[0])}
            />
          </label>
          {relay.tls === undefined ? null : (
            <label>
              <input
                type="checkbox"
                checked={plainHttp}
                onChange={(event) => setPlainHttp(event.target.checked)}
              />{' '}
              Serve plain HTTP instead
            </label>
          )}
        </details>
        <div className="actions">
          <button type="submit" className="primary" disabled={savedRelay.kind === 'running'}>
            Save and start the relay
          </button>
        </div>
      </form>
      {savedRelay.kind === 'failed' ? (
        <ErrorNotice error={savedRelay.error} title="Relay not started" />
      ) : null}
    </>
  );
}
