import { useState } from 'react';
import { useCan } from '../app-context.js';
import { InstanceStep } from './instance-step.js';
import { RelayStep } from './relay-step.js';
import { SignInStep } from './sign-in-step.js';
import { SummaryStep } from './summary-step.js';
import { TrustStep } from './trust-step.js';
import { INITIAL_WIZARD, WIZARD_STEPS, type WizardState } from './wizard-model.js';

/** The setup wizard: instance → trust → sign in → relay → summary. */
export function Wizard(props: {
  onFinished: () => void;
  initial?: Partial<WizardState> | undefined;
}) {
  const can = useCan();
  const [state, setState] = useState<WizardState>({ ...INITIAL_WIZARD, ...props.initial });
  const change = (next: Partial<WizardState>) => setState((current) => ({ ...current, ...next }));
  const relayAvailable = can('registerWebhooks') && can('startRelay');
  const steps = WIZARD_STEPS.filter((step) => step.id !== 'relay' || relayAvailable);
  const currentIndex = steps.findIndex((step) => step.id === state.step);

  function body() {
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
              change(next.step === 'relay' && !relayAvailable ? { ...next, step: 'summary' } : next)
            }
          />
        );
      case 'relay':
        return <RelayStep state={state} onChange={change} />;
      case 'summary':
        return (
          <SummaryStep
            state={state}
            onDone={props.onFinished}
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
    <div className="wizard">
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
