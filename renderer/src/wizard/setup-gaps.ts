import type { BridgeOverview, Installation } from '../../../common/api/models.js';
import type { BridgeStatus } from '../../../common/models/bridge.js';
import type { WizardStepId } from './wizard-model.js';

/** Something an installation's setup has not done yet, and the wizard step that does it. */
export interface SetupGap {
  readonly what: string;
  readonly step: WizardStepId;
}

/**
 * What is known of an installation's bridge for its setup: the bridge is optional
 * (docs/bridge.md), so its absence is a gap only when the admin started it — a token saved that
 * never connected, or the wizard left at the Bridge step without one.
 */
export interface BridgeSetupFacts {
  /** The overview the engine gave; undefined until it answers (or where it cannot). */
  readonly overview: Pick<BridgeOverview, 'tokenConfigured' | 'status'> | undefined;
  /** This installation's saved wizard draft stands at the Bridge step. */
  readonly stoppedAtBridgeStep: boolean;
}

/** Whether the bridge's last recorded run got as far as the platform welcoming it. */
function hasConnected(status: BridgeStatus | undefined): boolean {
  if (status === undefined) return false;
  const requests = Object.values(status.counts).reduce((sum, count) => sum + count, 0);
  return (
    status.state === 'connected' ||
    status.connectedSince !== undefined ||
    status.lastRequest !== undefined ||
    requests > 0
  );
}

function bridgeGap(installation: Installation, bridge: BridgeSetupFacts): SetupGap | undefined {
  const { overview } = bridge;
  if (!installation.platform || overview === undefined) return undefined;
  if (overview.tokenConfigured) {
    if (hasConnected(overview.status)) return undefined;
    return {
      what:
        overview.status?.state === 'refused'
          ? 'bridge token refused by the platform (the bridge never connected)'
          : 'bridge token saved, but the bridge has not connected to the platform yet',
      step: 'bridge',
    };
  }
  return bridge.stoppedAtBridgeStep
    ? { what: 'bridge token not saved (the setup stopped at the Bridge step)', step: 'bridge' }
    : undefined;
}

/**
 * What a saved installation still lacks, in wizard order. The wizard saves the installation at
 * the trust step, so an admin who stopped there has an entry that cannot push yet; this is what
 * the Installations view names and what "Continue setup" resumes at. `bridge` is given where the
 * build can run the bridge step.
 */
export function setupGaps(
  installation: Installation,
  relayAvailable: boolean,
  bridge?: BridgeSetupFacts,
): readonly SetupGap[] {
  const gaps: SetupGap[] = [];
  if (installation.auth.kind === 'none') gaps.push({ what: 'not signed in', step: 'sign-in' });
  if (relayAvailable && installation.platform && !installation.relay.publicUrl) {
    gaps.push({ what: 'relay not set up (BDC has no URL to send webhooks to)', step: 'relay' });
  }
  const bridgeMissing = bridge === undefined ? undefined : bridgeGap(installation, bridge);
  if (bridgeMissing !== undefined) gaps.push(bridgeMissing);
  return gaps;
}

/** The step "Continue setup" opens: the first gap's, or the summary when nothing is missing. */
export function resumeStep(installation: Installation, relayAvailable: boolean): WizardStepId {
  return setupGaps(installation, relayAvailable)[0]?.step ?? 'summary';
}
