import {
  BridgePolicyCard,
  BridgeStateNotice,
  BridgeTokenForm,
  useBridgeOverview,
} from '../components/bridge-parts.js';
import { ErrorNotice } from '../components/error-notice.js';
import type { WizardState } from './wizard-model.js';

/**
 * Step 5: link the installation to the platform bridge (docs/bridge.md) — the token the platform
 * issued (to the secret store, never kept here), what the platform may read in words, the push
 * rules the admin adds (none by default), and the connection as the running bridge reports it.
 * Skippable: the Bridge view does the same later.
 */
export function BridgeStep(props: {
  state: WizardState;
  onChange: (next: Partial<WizardState>) => void;
}) {
  const installation = props.state.installation;
  const name = installation?.name ?? '';
  const { overview, error, refresh } = useBridgeOverview(name, installation?.id);

  if (!installation) return <p>Add the instance first.</p>;
  const connected = overview?.running === true && overview.status?.state === 'connected';

  return (
    <section aria-labelledby="bridge-title" className="step">
      <h2 id="bridge-title">Link the platform bridge</h2>
      <p>
        Through the bridge the platform reads from BDC and lands its commits, over one connection
        this companion opens to the platform: nothing has to reach into your network, and your BDC
        sign-in never leaves this machine. What the platform may do is decided here.
      </p>
      {installation.platform ? (
        <>
          {error ? <ErrorNotice error={error} /> : null}
          {overview?.tokenConfigured ? <BridgeStateNotice overview={overview} /> : null}
          <BridgeTokenForm installation={name} onSaved={refresh} />
          <BridgePolicyCard installation={name} policy={overview?.policy} onChanged={refresh} />
        </>
      ) : (
        <div className="notice" role="note" aria-label="No platform link">
          This installation has no platform link (the platform URL and installation id from the
          platform's setup, asked at the first step), so there is nothing to link yet.
        </div>
      )}
      <div className="actions">
        <button
          type="button"
          className={connected ? 'primary' : ''}
          onClick={() => props.onChange({ step: 'summary' })}
        >
          {connected ? 'Continue' : 'Skip for now'}
        </button>
      </div>
    </section>
  );
}
