import { useState } from 'react';
import type { DiagnosticsReport } from '../../../common/api/models.js';
import { useAction, useApi, useInfo } from '../app-context.js';
import { ErrorNotice } from '../components/error-notice.js';

/** A redacted picture of this companion: versions, stores, installations and their checks. */
export function DiagnosticsView() {
  const api = useApi();
  const info = useInfo();
  const [run, report] = useAction(() => api.runDiagnostics());
  return (
    <section aria-labelledby="diagnostics-title">
      <h2 id="diagnostics-title">Diagnostics</h2>
      <dl className="facts">
        <dt>Version</dt>
        <dd>{info.version}</dd>
        <dt>UI transport</dt>
        <dd>{info.transport === 'electron' ? 'desktop (IPC)' : 'headless (serve over HTTP)'}</dd>
        <dt>Secret store</dt>
        <dd>
          {info.secretStore
            ? `${info.secretStore.backend}${info.secretStore.osProtected ? ', OS-protected' : ''}${info.secretStore.persistent ? '' : ', not persistent'}`
            : 'unknown'}
        </dd>
      </dl>
      {info.capabilities.includes('runDiagnostics') ? (
        <div className="actions">
          <button
            type="button"
            className="primary"
            onClick={() => void run()}
            disabled={report.kind === 'running'}
          >
            Run diagnostics
          </button>
        </div>
      ) : null}
      {report.kind === 'failed' ? <ErrorNotice error={report.error} /> : null}
      {report.kind === 'done' ? <BundleActions bundle={report.value.bundle} /> : null}
      {report.kind === 'done'
        ? report.value.sections.map((section) => (
            <div key={section.title} className="card">
              <h3>{section.title}</h3>
              <dl className="facts">
                {section.items.map((item) => (
                  <div key={item.label} className="fact-row">
                    <dt>
                      {item.ok === undefined ? '' : item.ok ? '✓ ' : '✗ '}
                      {item.label}
                    </dt>
                    <dd>{item.value}</dd>
                  </div>
                ))}
              </dl>
            </div>
          ))
        : null}
    </section>
  );
}

/**
 * Save and Copy of the whole redacted bundle (the file `diagnose --out` writes): saved through the
 * browser's download (the desktop asks where), so no process opens a path the page names.
 */
function BundleActions(props: { bundle: DiagnosticsReport['bundle'] }) {
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  const save = () => {
    const url = URL.createObjectURL(new Blob([props.bundle.text], { type: 'application/json' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = props.bundle.fileName;
    document.body.append(link);
    link.click();
    link.remove();
    // Revoked after the download has taken the data.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  const copy = () => {
    navigator.clipboard.writeText(props.bundle.text).then(
      () => setCopied('copied'),
      () => setCopied('failed'),
    );
  };
  return (
    <div className="card">
      <p>
        The whole bundle (secrets removed) for a support request:{' '}
        <code>{props.bundle.fileName}</code>
      </p>
      <div className="actions">
        <button type="button" onClick={save}>
          Save the bundle…
        </button>
        <button type="button" onClick={copy}>
          Copy the bundle
        </button>
      </div>
      {copied === 'copied' ? (
        <p role="status" className="notice notice-ok">
          Copied to the clipboard.
        </p>
      ) : null}
      {copied === 'failed' ? (
        <p role="alert" className="notice notice-error">
          The clipboard refused the bundle: use Save the bundle… instead.
        </p>
      ) : null}
    </div>
  );
}
