import { useEffect } from 'react';
import type { CaCheckResult } from '../../../common/api/models.js';
import { useAction, useApi } from '../app-context.js';
import { CertificateList } from '../components/certificate-list.js';
import { ErrorNotice } from '../components/error-notice.js';
import { Checkbox } from '../components/field.js';
import { PemField } from '../components/pem-field.js';
import { ProbeSteps } from '../components/probe-steps.js';
import { useProbe } from './use-probe.js';
import { defaultInstallationName, platformOf, type WizardState } from './wizard-model.js';

const CHECK_DELAY_MS = 250;

/**
 * Step 2: the chain the server presented, a pasted CA validated as it is typed, and a re-probe
 * with that CA ("will this fix it?") before anything is saved.
 */
export function TrustStep(props: {
  state: WizardState;
  onChange: (next: Partial<WizardState>) => void;
}) {
  const api = useApi();
  const { draft, report } = props.state;
  // The pasted CA and the partial-chain choice live in the draft, kept across views and reloads.
  const pem = draft.caPem;
  const setPem = (caPem: string) => props.onChange({ draft: { ...draft, caPem } });
  // The explicit "trust this intermediate alone" choice, offered only when the CA is one.
  const partialChain = draft.allowPartialChain;
  const setPartialChain = (allowPartialChain: boolean) =>
    props.onChange({ draft: { ...draft, allowPartialChain } });
  const [check, checked, resetCheck] = useAction((text: string, allowIntermediate: boolean) =>
    api.checkCa({ pem: text, ...(allowIntermediate ? { allowIntermediate } : {}) }),
  );
  const probe = useProbe();
  const [save, saving] = useAction((caPems: readonly string[]) => {
    const platform = platformOf(draft);
    return api.addInstallation({
      name: draft.name.trim() || defaultInstallationName(draft.url),
      baseUrl: draft.url.trim(),
      allowLoopback: draft.allowLoopback,
      caPems,
      ...(partialChain ? { allowPartialChain: true } : {}),
      ...(platform ? { platform } : {}),
    });
  });

  useEffect(() => {
    if (pem.trim() === '') {
      resetCheck();
      return undefined;
    }
    const timer = setTimeout(() => void check(pem, partialChain), CHECK_DELAY_MS);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- re-validate on text or choice changes only
  }, [pem, partialChain]);

  const valid: CaCheckResult | undefined = checked.kind === 'done' ? checked.value : undefined;
  const fixed = probe.report?.ok === true;

  async function saveInstallation(): Promise<void> {
    const installation = await save([pem]);
    if (installation) {
      props.onChange({
        installation,
        report: probe.report,
        trustedWith: 'pasted-ca',
        step: 'sign-in',
        draft: { ...props.state.draft, name: installation.name },
      });
    }
  }

  return (
    <section aria-labelledby="trust-title" className="step">
      <h2 id="trust-title">Trust your organisation's CA</h2>
      {report?.tls ? (
        <>
          <h3>Chain presented by {draft.url}</h3>
          <CertificateList certificates={report.tls.chain} label="Presented chain" />
        </>
      ) : null}
      <PemField
        label="CA certificate (PEM)"
        fileLabel="Choose the CA file"
        value={pem}
        onChange={setPem}
        help="The root (or issuing) CA of the server's certificate: paste it, choose its file or drop it here. It is public: it is stored in the settings."
      />
      {checked.kind === 'running' ? <p className="muted">Checking…</p> : null}
      {checked.kind === 'failed' ? (
        <ErrorNotice error={checked.error} title="Not a usable CA" />
      ) : null}
      {partialChain ||
      (checked.kind === 'failed' && checked.error.code === 'TRUST_INTERMEDIATE_ONLY') ? (
        <Checkbox
          label="Trust this intermediate CA alone (partial chain; the root is not checked)"
          checked={partialChain}
          onChange={setPartialChain}
        />
      ) : null}
      {valid ? (
        <>
          <div className="notice notice-ok" role="status">
            Valid CA certificate{valid.certificates.length > 1 ? 's' : ''}.
          </div>
          <CertificateList certificates={valid.certificates} label="Pasted CA" />
          {valid.warnings.map((warning) => (
            <p key={warning} className="notice notice-warn">
              {warning}
            </p>
          ))}
          <div className="actions">
            <button
              type="button"
              className="primary"
              disabled={probe.running}
              onClick={() =>
                void probe.run({
                  url: draft.url.trim(),
                  caPems: [pem],
                  allowLoopback: draft.allowLoopback,
                  ...(partialChain ? { allowPartialChain: true } : {}),
                })
              }
            >
              Will this fix it?
            </button>
          </div>
        </>
      ) : null}
      <ProbeSteps steps={probe.steps} running={probe.running} />
      {probe.error ? <ErrorNotice error={probe.error} /> : null}
      {probe.report && !probe.report.ok && probe.report.error ? (
        <ErrorNotice error={probe.report.error} title="Still failing with this CA" />
      ) : null}
      {fixed ? (
        <div className="notice notice-ok" role="status">
          <p>
            Yes: with this CA the server's chain is trusted and BDC {probe.report?.version} answers.
          </p>
          <button
            type="button"
            className="primary"
            onClick={() => void saveInstallation()}
            disabled={saving.kind === 'running'}
          >
            Save the CA and continue
          </button>
        </div>
      ) : null}
      {saving.kind === 'failed' ? (
        <ErrorNotice error={saving.error} title="Could not save" />
      ) : null}
      <div className="actions">
        <button type="button" onClick={() => props.onChange({ step: 'instance' })}>
          Back
        </button>
      </div>
    </section>
  );
}
