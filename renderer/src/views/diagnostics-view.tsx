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
