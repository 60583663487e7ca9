import type { Installation } from '../../../common/api/models.js';
import { useAction, useApi } from '../app-context.js';
import { ErrorNotice } from '../components/error-notice.js';
import { Checkbox, Field } from '../components/field.js';
import { ProbeSteps } from '../components/probe-steps.js';
import { useProbe } from './use-probe.js';
import {
  defaultInstallationName,
  platformOf,
  stepAfterProbe,
  type InstanceDraft,
  type WizardState,
} from './wizard-model.js';

/** Step 1: where BDC is and where the platform is; the probe's steps appear as they finish. */
export function InstanceStep(props: {
  state: WizardState;
  onChange: (next: Partial<WizardState>) => void;
}) {
  const api = useApi();
  const probe = useProbe();
  // The draft lives in the wizard's state, which keeps it across views and reloads.
  const draft = props.state.draft;
  const [save, saving] = useAction((installation: Parameters<typeof api.addInstallation>[0]) =>
    api.addInstallation(installation),
  );
  const update = (patch: Partial<InstanceDraft>) =>
    props.onChange({ draft: { ...draft, ...patch } });
  // After a reload the last probe's report is shown again until the admin probes anew.
  const report = probe.running ? undefined : (probe.report ?? props.state.report);

  async function runProbe(): Promise<void> {
    const result = await probe.run({ url: draft.url.trim(), allowLoopback: draft.allowLoopback });
    props.onChange({ report: result });
  }

  async function saveAndContinue(): Promise<void> {
    const name = draft.name.trim() || defaultInstallationName(draft.url);
    const platform = platformOf(draft);
    const installation: Installation | undefined = await save({
      name,
      baseUrl: draft.url.trim(),
      allowLoopback: draft.allowLoopback,
      ...(platform ? { platform } : {}),
    });
    if (installation) {
      props.onChange({
        draft: { ...draft, name },
        installation,
        report,
        trustedWith: 'system',
        step: 'sign-in',
      });
    }
  }

  return (
    <section aria-labelledby="instance-title" className="step">
      <h2 id="instance-title">Where is your Bitbucket Data Center?</h2>
      <form
        className="form-grid"
        onSubmit={(event) => {
          event.preventDefault();
          void runProbe();
        }}
      >
        <Field
          label="Instance URL"
          value={draft.url}
          onChange={(url) => update({ url })}
          type="url"
          placeholder="https://bitbucket.corp.example/bitbucket"
          help="The base URL users open in their browser, including any context path. https only."
          autoFocus
        />
        <Field
          label="Platform URL"
          value={draft.platformUrl}
          onChange={(platformUrl) => update({ platformUrl })}
          type="url"
          placeholder="https://platform.ankra.io"
          help="Where webhooks are forwarded to."
        />
        <Field
          label="Platform installation id"
          value={draft.platformInstallationId}
          onChange={(platformInstallationId) => update({ platformInstallationId })}
          help="Shown on the Ankra platform when you add a Bitbucket Data Center connection."
        />
        <Field
          label="Installation name"
          value={draft.name}
          onChange={(name) => update({ name })}
          placeholder={defaultInstallationName(draft.url)}
          help="A short name for the command line (letters, digits, . _ -)."
        />
        <details className="advanced">
          <summary>Development settings</summary>
          <Checkbox
            label="Allow loopback addresses (simulator and demo only)"
            checked={draft.allowLoopback}
            onChange={(allowLoopback) => update({ allowLoopback })}
          />
        </details>
        <details className="advanced" open={draft.platformCaPem !== ''}>
          <summary>Behind a proxy (VPN, TLS inspection)</summary>
          <Field
            label="Platform CA (PEM)"
            value={draft.platformCaPem}
            onChange={(platformCaPem) => update({ platformCaPem })}
            multiline
            help="Only behind a TLS-inspecting proxy: the CA it signs with, so the relay and the bridge trust the platform through it."
          />
          <p className="muted">
            The proxy itself (its URL, a PAC file, or the system's settings) is set in the Network
            section, for every installation.
          </p>
        </details>
        <div className="actions">
          <button type="submit" className="primary" disabled={probe.running}>
            {probe.running ? 'Probing…' : 'Probe'}
          </button>
        </div>
      </form>

      <ProbeSteps
        steps={probe.running || probe.report ? probe.steps : (report?.steps ?? [])}
        running={probe.running}
      />
      {probe.error ? <ErrorNotice error={probe.error} title="Probe failed" /> : null}
      {report && report.error && !(report.tls && !report.tls.trusted) ? (
        <ErrorNotice error={report.error} title="The instance cannot be used yet" />
      ) : null}
      {report && report.ok ? (
        <div className="notice notice-ok" role="status">
          Bitbucket Data Center {report.version} answered
          {report.supported ? '' : ' (unsupported version)'}.
        </div>
      ) : null}
      {report && stepAfterProbe(report) === 'trust' ? (
        <div className="notice notice-warn" role="status">
          <p>
            The server's certificate chain is not trusted by this machine. Paste your organisation's
            CA next.
          </p>
          <button
            type="button"
            className="primary"
            onClick={() => props.onChange({ draft, report, step: 'trust' })}
          >
            Continue: trust a CA
          </button>
        </div>
      ) : null}
      {report && report.ok ? (
        <div className="actions">
          <button
            type="button"
            className="primary"
            onClick={() => void saveAndContinue()}
            disabled={saving.kind === 'running'}
          >
            Save and continue
          </button>
        </div>
      ) : null}
      {saving.kind === 'failed' ? (
        <ErrorNotice error={saving.error} title="Could not save" />
      ) : null}
    </section>
  );
}
