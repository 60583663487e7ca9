import type { WizardState } from './wizard-model.js';

/** Step 5: what was set up, in one place, with where to go next. */
export function SummaryStep(props: {
  state: WizardState;
  onDone: () => void;
  onRestart: () => void;
}) {
  const { installation, report, trustedWith, signedInAs, relay } = props.state;
  return (
    <section aria-labelledby="summary-title" className="step">
      <h2 id="summary-title">All set</h2>
      <dl className="facts" aria-label="Summary">
        <dt>Installation</dt>
        <dd>{installation ? `${installation.name} — ${installation.baseUrl}` : 'not saved'}</dd>
        <dt>BDC version</dt>
        <dd>{report?.version ?? 'unknown'}</dd>
        <dt>Trust</dt>
        <dd>{trustedWith === 'pasted-ca' ? 'your pasted CA' : 'this machine’s trusted roots'}</dd>
        <dt>Signed in as</dt>
        <dd>{signedInAs ?? 'not signed in'}</dd>
        <dt>Platform</dt>
        <dd>
          {installation?.platform
            ? `${installation.platform.baseUrl} (installation ${installation.platform.installationId})`
            : 'not linked'}
        </dd>
        <dt>Relay</dt>
        <dd>
          {relay
            ? `${relay.registered} webhook(s) → ${relay.callbackUrl ?? ''}${relay.testDelivery ? ', test delivery received' : ''}`
            : 'not set up'}
        </dd>
      </dl>
      <div className="actions">
        <button type="button" className="primary" onClick={props.onDone}>
          Go to push history
        </button>
        <button type="button" onClick={props.onRestart}>
          Set up another instance
        </button>
      </div>
    </section>
  );
}
