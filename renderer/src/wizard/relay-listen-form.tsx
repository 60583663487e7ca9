import { useState } from 'react';
import type { Installation, RelayEndpoint } from '../../../common/api/models.js';
import { useAction, useApi } from '../app-context.js';
import { ErrorNotice } from '../components/error-notice.js';
import { Field } from '../components/field.js';
import { relayTlsChange } from './relay-tls-change.js';

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
  const [certFile, setCertFile] = useState(relay.tls?.certFile ?? '');
  const [keyFile, setKeyFile] = useState(relay.tls?.keyFile ?? '');

  const [saveRelay, savedRelay] = useAction(async () => {
    const tls = relayTlsChange(certFile, keyFile, relay.tls !== undefined);
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
          <Field
            label="Certificate file"
            value={certFile}
            onChange={setCertFile}
            placeholder="/etc/bdc-companion/relay.crt"
            help="Absolute path of a PEM certificate chain for the relay's host name, issued by a CA BDC trusts."
          />
          <Field
            label="Key file"
            value={keyFile}
            onChange={setKeyFile}
            placeholder="/etc/bdc-companion/relay.key"
            help="Absolute path of its unencrypted PEM private key. Leave both empty for plain HTTP."
          />
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
