import type { Installation } from '../../../common/api/models.js';
import type { WizardStepId } from './wizard-model.js';

/** Something an installation's setup has not done yet, and the wizard step that does it. */
export interface SetupGap {
  readonly what: string;
  readonly step: WizardStepId;
}

/**
 * What a saved installation still lacks, in wizard order. The wizard saves the installation at
 * the trust step, so an admin who stopped there has an entry that cannot push yet; this is what
 * the Installations view names and what "Continue setup" resumes at.
 */
export function setupGaps(
  installation: Installation,
  relayAvailable: boolean,
): readonly SetupGap[] {
  const gaps: SetupGap[] = [];
  if (installation.auth.kind === 'none') gaps.push({ what: 'not signed in', step: 'sign-in' });
  if (relayAvailable && installation.platform && !installation.relay.publicUrl) {
    gaps.push({ what: 'relay not set up (BDC has no URL to send webhooks to)', step: 'relay' });
  }
  return gaps;
}

/** The step "Continue setup" opens: the first gap's, or the summary when nothing is missing. */
export function resumeStep(installation: Installation, relayAvailable: boolean): WizardStepId {
  return setupGaps(installation, relayAvailable)[0]?.step ?? 'summary';
}
