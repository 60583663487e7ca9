import { useEffect, useRef, useState } from 'react';
import type { Installation } from '../../../common/api/models.js';
import { useApi, useCan } from '../app-context.js';
import { BridgeStep } from './bridge-step.js';
import { InstanceStep } from './instance-step.js';
import { RelayStep } from './relay-step.js';
import { resumeStep } from './setup-gaps.js';
import { SignInStep } from './sign-in-step.js';
import { SummaryStep } from './summary-step.js';
import { TrustStep } from './trust-step.js';
import {
  browserDraftStorage,
  clearWizardDraft,
  loadWizardDraft,
  saveWizardDraft,
  type DraftStorage,
} from './wizard-draft-store.js';
import {
  INITIAL_WIZARD,
  stepAfter,
  wizardSteps,
  type WizardState,
  type WizardStepId,
} from './wizard-model.js';

/** The wizard state that continues an installation saved earlier, at the step it stopped. */
export function stateForInstallation(installation: Installation, step: WizardStepId): WizardState {
  return {
    ...INITIAL_WIZARD,
    step,
    installation,
    draft: {
      ...INITIAL_WIZARD.draft,
      name: installation.name,
      url: installation.baseUrl,
      platformUrl: installation.platform?.baseUrl ?? '',
      platformInstallationId: installation.platform?.installationId ?? '',
      allowLoopback: installation.allowLoopback,
    },
    trustedWith: installation.caPems.length > 0 ? 'pasted-ca' : 'system',
    signedInAs: installation.auth.kind === 'none' ? undefined : (installation.auth.user ?? '?'),
  };
}

/**
 * The setup wizard: instance → trust → sign in → relay → bridge → summary. Its state (never a secret) is
 * kept in the page's storage on every change, so leaving for another view, reloading or closing
 * the window resumes where the admin stopped; `resume` continues an installation's setup instead.
 */
export function Wizard(props: {
  onFinished: () => void;
  resume?: { readonly installation: Installation; readonly step?: WizardStepId };
  storage?: DraftStorage;
}) {
  const api = useApi();
  const can = useCan();
  const relayAvailable = can('registerWebhooks') && can('startRelay');
  const available = {
    relay: relayAvailable,
    bridge: can('setBridgeToken') && can('getBridgeStatus') && can('updateBridgePolicy'),
  };
  const storage = props.storage ?? browserDraftStorage();
  const [saved] = useState(() => (props.resume ? undefined : loadWizardDraft(storage)));
  const [state, setState] = useState<WizardState>(() => {
    if (!props.resume) return saved?.state ?? INITIAL_WIZARD;
    const resumed = stateForInstallation(
      props.resume.installation,
      props.resume.step ?? resumeStep(props.resume.installation, relayAvailable),
    );
    // Continuing the installation this browser's draft was setting up (left at the Bridge step,
    // say) keeps what that session saw: the probe report and the relay's test delivery.
    const draft = loadWizardDraft(storage);
    return draft?.installationId === props.resume.installation.id
      ? { ...resumed, report: draft.state.report, relay: draft.state.relay }
      : resumed;
  });
  // A draft names its installation by id; the engine's current copy replaces the stored one.
  const [loading, setLoading] = useState(saved?.installationId !== undefined);
  const change = (next: Partial<WizardState>) => setState((current) => ({ ...current, ...next }));

  useEffect(() => {
    const id = saved?.installationId;
    if (id === undefined) return;
    void api.listInstallations().then(
      (installations) => {
        const installation = installations.find((each) => each.id === id);
        setState((current) =>
          installation
            ? {
                ...current,
                installation,
                signedInAs:
                  installation.auth.kind === 'none'
                    ? current.signedInAs
                    : (installation.auth.user ?? current.signedInAs),
              }
            : // Removed meanwhile: what was typed stays, the steps after saving start again.
              { ...current, installation: undefined, step: 'instance', signedInAs: undefined },
        );
        setLoading(false);
      },
      () => setLoading(false),
    );
  }, [api, saved]);

  useEffect(() => {
    if (!loading) saveWizardDraft(storage, state);
  }, [storage, state, loading]);

  // Each new step's heading takes the focus, so keyboard and screen-reader users start there.
  const container = useRef<HTMLDivElement>(null);
  const shownStep = useRef(state.step);
  useEffect(() => {
    if (shownStep.current === state.step) return;
    shownStep.current = state.step;
    const heading = container.current?.querySelector<HTMLElement>('.step h2');
    if (!heading) return;
    heading.tabIndex = -1;
    heading.focus();
    heading.scrollIntoView?.({ block: 'start' });
  }, [state.step, loading]);

  const steps = wizardSteps(available);
  const currentIndex = steps.findIndex((step) => step.id === state.step);

  function body() {
    if (loading) return <p className="muted">Loading your setup…</p>;
    switch (state.step) {
      case 'instance':
        return <InstanceStep state={state} onChange={change} />;
      case 'trust':
        return <TrustStep state={state} onChange={change} />;
      case 'sign-in':
        return (
          <SignInStep
            state={state}
            onChange={(next) =>
              change(
                next.step === 'relay' ? { ...next, step: stepAfter('sign-in', available) } : next,
              )
            }
          />
        );
      case 'relay':
        return (
          <RelayStep
            state={state}
            onChange={(next) =>
              change(
                next.step === 'summary' ? { ...next, step: stepAfter('relay', available) } : next,
              )
            }
          />
        );
      case 'bridge':
        return <BridgeStep state={state} onChange={change} />;
      case 'summary':
        return (
          <SummaryStep
            state={state}
            onDone={() => {
              clearWizardDraft(storage);
              props.onFinished();
            }}
            onRestart={() => setState(INITIAL_WIZARD)}
          />
        );
      default: {
        const never: never = state.step;
        return never;
      }
    }
  }

  return (
    <div className="wizard" ref={container}>
      <ol className="stepper" aria-label="Setup steps">
        {steps.map((step, index) => (
          <li
            key={step.id}
            aria-current={step.id === state.step ? 'step' : undefined}
            className={index < currentIndex ? 'done' : index === currentIndex ? 'current' : ''}
          >
            <span className="stepper-number">{index + 1}</span> {step.title}
          </li>
        ))}
      </ol>
      {body()}
    </div>
  );
}
