import {
  BridgePolicyCard,
  BridgeStateNotice,
  BridgeTokenForm,
  useBridgeOverview,
} from '../components/bridge-parts.js';
import { ErrorNotice } from '../components/error-notice.js';
import {
  InstallationPicker,
  useInstallations,
  useSelectedInstallation,
} from '../components/installation-picker.js';

/**
 * The platform bridge: whether it is connected, what it last did, and what the platform may do
 * (docs/bridge.md). The bridge runs in the companion service (this app, `serve`, or the daemon);
 * this view shows its state as it changes, and edits the token and the policy.
 */
export function BridgeView() {
  const installations = useInstallations();
  const [name, setName] = useSelectedInstallation(installations);
  const installation = installations.find((each) => each.name === name);
  const { overview, error, refresh } = useBridgeOverview(name, installation?.id);

  if (installations.length === 0) return <p>No installations yet: run the setup first.</p>;
  const status = overview?.status;

  return (
    <section aria-labelledby="bridge-view-title">
      <h2 id="bridge-view-title">Platform bridge</h2>
      <div className="toolbar">
        <InstallationPicker installations={installations} value={name} onChange={setName} />
        <button type="button" onClick={() => void refresh()}>
          Refresh
        </button>
      </div>
      {error ? <ErrorNotice error={error} /> : null}
      {overview ? <BridgeStateNotice overview={overview} /> : null}
      {status ? (
        <dl className="facts" aria-label="Bridge status">
          <dt>Connected since</dt>
          <dd>
            {status.connectedSince
              ? new Date(status.connectedSince).toLocaleString()
              : 'not connected'}
          </dd>
          <dt>Requests</dt>
          <dd>
            {status.counts.ok} ok, {status.counts.denied} refused by the policy,{' '}
            {status.counts.failed} failed, {status.counts.cancelled} cancelled
          </dd>
          <dt>Last request</dt>
          <dd>
            {status.lastRequest
              ? `${status.lastRequest.kind} ${status.lastRequest.path ?? `${status.lastRequest.repo ?? ''}:${status.lastRequest.branch ?? ''}`} — ${status.lastRequest.outcome}${status.lastRequest.code ? ` (${status.lastRequest.code})` : ''}`
              : 'none yet'}
          </dd>
          {/* Every error the bridge records ends a connection (refused, timed out, dropped): while
              connected, the last one is history, and must not read as a current failure. */}
          <dt>{status.connectedSince ? 'Last error, before this connection' : 'Last error'}</dt>
          <dd>
            {status.lastError ? `${status.lastError.message} (${status.lastError.code})` : 'none'}
          </dd>
        </dl>
      ) : null}
      <BridgeTokenForm installation={name} onSaved={refresh} />
      <BridgePolicyCard installation={name} policy={overview?.policy} onChanged={refresh} />
    </section>
  );
}
