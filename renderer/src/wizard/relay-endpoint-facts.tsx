import type { RelayEndpoint } from '../../../common/api/models.js';
import { RelayUrlWarnings } from './relay-url-warnings.js';

/** The URL BDC should call, whether the secret is stored, and why BDC may not reach the URL. */
export function RelayEndpointFacts(props: { endpoint: RelayEndpoint }) {
  const { endpoint } = props;
  return (
    <>
      <dl className="facts" aria-label="Relay endpoint">
        <dt>BDC should call</dt>
        <dd className="mono">{endpoint.callbackUrl ?? 'set the relay URL above'}</dd>
        <dt>Webhook secret</dt>
        <dd>
          {endpoint.secretConfigured ? 'stored in the keychain (never shown)' : 'not set yet'}
        </dd>
      </dl>
      {endpoint.warnings.length > 0 ? <RelayUrlWarnings warnings={endpoint.warnings} /> : null}
    </>
  );
}
