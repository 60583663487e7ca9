import type { ProbeReport } from '../../../common/api/models.js';
import {
  INITIAL_WIZARD,
  WIZARD_STEPS,
  type InstanceDraft,
  type SignInDraft,
  type WizardState,
} from './wizard-model.js';

/** The part of `Storage` the draft needs; `window.localStorage` in the app, a Map in tests. */
export interface DraftStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const WIZARD_DRAFT_KEY = 'bdc-companion.wizard-draft.v1';

/**
 * Two pasted CAs of 64 KiB each plus the probe report fit; anything larger was not written by
 * this code and is ignored rather than parsed.
 */
const MAX_DRAFT_CHARS = 512 * 1024;

/**
 * What survives navigation and reloads: the fields typed so far, the step, the probe report and
 * the saved installation, and the sign-in method and client id. Built field by field, so a secret
 * can never slip in: tokens, client secrets and webhook secrets live only in the sign-in and relay
 * steps' own state.
 */
export function draftToJson(state: WizardState): string {
  const { draft } = state;
  const kept = {
    step: state.step,
    draft: {
      name: draft.name,
      url: draft.url,
      platformUrl: draft.platformUrl,
      platformInstallationId: draft.platformInstallationId,
      platformCaPem: draft.platformCaPem,
      allowLoopback: draft.allowLoopback,
      caPem: draft.caPem,
      allowPartialChain: draft.allowPartialChain,
    } satisfies InstanceDraft,
    report: state.report,
    installationId: state.installation?.id,
    trustedWith: state.trustedWith,
    signedInAs: state.signedInAs,
    relay: state.relay,
    signIn:
      state.signIn === undefined
        ? undefined
        : ({
            mode: state.signIn.mode,
            oauthClientId: state.signIn.oauthClientId,
            withWebhooks: state.signIn.withWebhooks,
          } satisfies SignInDraft),
  };
  return JSON.stringify(kept);
}

function text(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

/** A saved draft, or undefined when there is none or it is not one this version wrote. */
export function draftFromJson(
  json: string,
): { readonly state: WizardState; readonly installationId: string | undefined } | undefined {
  if (json.length > MAX_DRAFT_CHARS) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const raw = parsed as Record<string, unknown>;
  const step = WIZARD_STEPS.find((each) => each.id === raw['step'])?.id;
  const rawDraft = (
    typeof raw['draft'] === 'object' && raw['draft'] !== null ? raw['draft'] : {}
  ) as Record<string, unknown>;
  const initial = INITIAL_WIZARD.draft;
  const draft: InstanceDraft = {
    name: text(rawDraft['name'], initial.name),
    url: text(rawDraft['url'], initial.url),
    platformUrl: text(rawDraft['platformUrl'], initial.platformUrl),
    platformInstallationId: text(
      rawDraft['platformInstallationId'],
      initial.platformInstallationId,
    ),
    platformCaPem: text(rawDraft['platformCaPem'], initial.platformCaPem),
    allowLoopback: rawDraft['allowLoopback'] === true,
    caPem: text(rawDraft['caPem'], initial.caPem),
    allowPartialChain: rawDraft['allowPartialChain'] === true,
  };
  const trustedWith =
    raw['trustedWith'] === 'system' || raw['trustedWith'] === 'pasted-ca'
      ? raw['trustedWith']
      : undefined;
  const installationId =
    typeof raw['installationId'] === 'string' ? raw['installationId'] : undefined;
  const rawSignIn = (
    typeof raw['signIn'] === 'object' && raw['signIn'] !== null ? raw['signIn'] : undefined
  ) as Record<string, unknown> | undefined;
  const signIn: SignInDraft | undefined =
    rawSignIn === undefined
      ? undefined
      : {
          mode: rawSignIn['mode'] === 'oauth' ? 'oauth' : 'pat',
          oauthClientId: text(rawSignIn['oauthClientId'], ''),
          withWebhooks: rawSignIn['withWebhooks'] === true,
        };
  return {
    installationId,
    state: {
      ...INITIAL_WIZARD,
      step: step ?? 'instance',
      draft,
      // The report and relay outcome are only shown again, never sent back to the engine.
      report: (raw['report'] as ProbeReport | undefined) ?? undefined,
      trustedWith,
      signedInAs: typeof raw['signedInAs'] === 'string' ? raw['signedInAs'] : undefined,
      relay: (raw['relay'] as WizardState['relay']) ?? undefined,
      signIn,
      restored: true,
    },
  };
}

export function loadWizardDraft(
  storage: DraftStorage | undefined,
): ReturnType<typeof draftFromJson> {
  try {
    const json = storage?.getItem(WIZARD_DRAFT_KEY);
    return json ? draftFromJson(json) : undefined;
  } catch {
    // Storage can be disabled (private windows, a full quota): the wizard then starts empty.
    return undefined;
  }
}

export function saveWizardDraft(storage: DraftStorage | undefined, state: WizardState): void {
  try {
    if (state === INITIAL_WIZARD) storage?.removeItem(WIZARD_DRAFT_KEY);
    else storage?.setItem(WIZARD_DRAFT_KEY, draftToJson(state));
  } catch {
    // Keeping the draft is a convenience; a full or disabled storage must not break the wizard.
  }
}

export function clearWizardDraft(storage: DraftStorage | undefined): void {
  try {
    storage?.removeItem(WIZARD_DRAFT_KEY);
  } catch {
    // See saveWizardDraft.
  }
}

/** The browser's storage when the page may use it (absent in some test environments). */
export function browserDraftStorage(): DraftStorage | undefined {
  try {
    return typeof window !== 'undefined' ? window.localStorage : undefined;
  } catch {
    return undefined;
  }
}
