import type { ProbeStep } from '../../../common/api/models.js';
import { shapeHint } from '../../../common/errors/companion-error.js';
import type { ErrorShape } from '../../../common/errors/error-shape.js';

/**
 * The window's wording of a step's fix: `hint` is the command line's (it named `--ca-file F` here),
 * `hintGui` the window's (common/errors/hint-surface.ts).
 */
function guiHint(error: ErrorShape): string | undefined {
  return shapeHint(error, 'gui');
}

const STEP_LABELS: Readonly<Record<ProbeStep['name'], string>> = {
  url: 'URL check',
  dns: 'DNS',
  address: 'Address policy',
  tcp: 'TCP connect',
  tls: 'TLS',
  http: 'HTTP',
  version: 'BDC version',
};

/** The probe's steps as they finish, each with its time and, on failure, its code and fix. */
export function ProbeSteps(props: { steps: readonly ProbeStep[]; running: boolean }) {
  return (
    <ol className="probe-steps" aria-live="polite" aria-label="Probe steps">
      {props.steps.map((step) => (
        <li key={step.name} className={step.ok ? 'step-ok' : 'step-failed'} data-step={step.name}>
          <span className="step-mark" aria-hidden="true">
            {step.ok ? '✓' : '✗'}
          </span>
          <span className="step-name">{STEP_LABELS[step.name] ?? step.name}</span>
          <span className="step-ms">{step.ms} ms</span>
          {step.detail ? <span className="step-detail">{step.detail}</span> : null}
          {step.error ? (
            <div className="step-error">
              {step.error.message} <code className="code-tag">{step.error.code}</code>
              {guiHint(step.error) ? (
                <div className="notice-hint">Fix: {guiHint(step.error)}</div>
              ) : null}
            </div>
          ) : null}
        </li>
      ))}
      {props.running ? <li className="step-running">Probing…</li> : null}
    </ol>
  );
}
