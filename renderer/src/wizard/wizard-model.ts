import type { Installation, ProbeReport } from '../../../common/api/models.js';

export type WizardStepId = 'instance' | 'trust' | 'sign-in' | 'relay' | 'bridge' | 'summary';

export const WIZARD_STEPS: readonly { readonly id: WizardStepId; readonly title: string }[] = [
  { id: 'instance', title: 'Instance' },
  { id: 'trust', title: 'Trust' },
  { id: 'sign-in', title: 'Sign in' },
  { id: 'relay', title: 'Relay' },
  { id: 'bridge', title: 'Bridge' },
  { id: 'summary', title: 'Summary' },
];

/** The optional steps this build can run (the relay and the bridge need their operations). */
export interface OptionalSteps {
  readonly relay: boolean;
  readonly bridge: boolean;
}

/** The steps shown, in order: the optional ones only when the build can run them. */
export function wizardSteps(
  available: OptionalSteps,
): readonly { readonly id: WizardStepId; readonly title: string }[] {
  return WIZARD_STEPS.filter(
    (step) =>
      (step.id !== 'relay' || available.relay) && (step.id !== 'bridge' || available.bridge),
  );
}

/** The step after `current` among those shown (the summary after the last). */
export function stepAfter(current: WizardStepId, available: OptionalSteps): WizardStepId {
  const steps = wizardSteps(available);
  const index = steps.findIndex((step) => step.id === current);
  return steps[index + 1]?.id ?? 'summary';
}

export interface InstanceDraft {
  readonly name: string;
  readonly url: string;
  readonly platformUrl: string;
  readonly platformInstallationId: string;
  /** Extra CA for the platform side: TLS-inspecting corporate proxies, the simulator. */
  readonly platformCaPem: string;
  readonly allowLoopback: boolean;
  /** The instance CA pasted at the trust step (public material, so it may be kept in the draft). */
  readonly caPem: string;
  /** The explicit "trust this intermediate alone" choice of the trust step. */
  readonly allowPartialChain: boolean;
}

/** The platform link of a draft, when both its URL and installation id are filled in. */
export function platformOf(
  draft: InstanceDraft,
): { baseUrl: string; installationId: string; caPems?: readonly string[] } | undefined {
  if (!draft.platformUrl.trim() || !draft.platformInstallationId.trim()) return undefined;
  return {
    baseUrl: draft.platformUrl.trim(),
    installationId: draft.platformInstallationId.trim(),
    ...(draft.platformCaPem.trim() ? { caPems: [draft.platformCaPem.trim()] } : {}),
  };
}

/** The sign-in choices typed so far; never the token or the client secret. */
export interface SignInDraft {
  readonly mode: 'pat' | 'oauth';
  readonly oauthClientId: string;
  readonly withWebhooks: boolean;
}

export interface WizardState {
  readonly step: WizardStepId;
  readonly draft: InstanceDraft;
  readonly report: ProbeReport | undefined;
  readonly installation: Installation | undefined;
  readonly trustedWith: 'system' | 'pasted-ca' | undefined;
  readonly signedInAs: string | undefined;
  readonly relay:
    | {
        readonly callbackUrl: string | undefined;
        readonly registered: number;
        readonly testDelivery: boolean;
        /** Repositories and projects watch mode was turned on for in this step. */
        readonly watching?: number;
      }
    | undefined;
  readonly signIn?: SignInDraft | undefined;
  /**
   * True when this state came back from the saved draft (never stored itself): the secret fields
   * are then empty because secrets are not kept, and the steps say so.
   */
  readonly restored?: boolean;
}

export const INITIAL_WIZARD: WizardState = {
  step: 'instance',
  draft: {
    name: '',
    url: 'https://',
    platformUrl: '',
    platformInstallationId: '',
    platformCaPem: '',
    allowLoopback: false,
    caPem: '',
    allowPartialChain: false,
  },
  report: undefined,
  installation: undefined,
  trustedWith: undefined,
  signedInAs: undefined,
  relay: undefined,
};

/** After the probe: an untrusted chain goes to the trust step, a clean probe skips it. */
export function stepAfterProbe(report: ProbeReport): WizardStepId {
  return report.tls && !report.tls.trusted ? 'trust' : 'sign-in';
}

/** A name for the installation when the admin gave none: the instance's host. */
export function defaultInstallationName(url: string): string {
  try {
    return new URL(url).hostname.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64) || 'bdc';
  } catch {
    return 'bdc';
  }
}
