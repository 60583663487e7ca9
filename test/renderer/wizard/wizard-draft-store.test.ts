import { describe, expect, it } from 'vitest';
import type { Installation } from '../../../common/api/models.js';
import { DEFAULT_RELAY_SETTINGS } from '../../../common/models/installation.js';
import { resumeStep, setupGaps } from '../../../renderer/src/wizard/setup-gaps.js';
import {
  draftFromJson,
  draftToJson,
  loadWizardDraft,
  saveWizardDraft,
  WIZARD_DRAFT_KEY,
  type DraftStorage,
} from '../../../renderer/src/wizard/wizard-draft-store.js';
import { INITIAL_WIZARD, type WizardState } from '../../../renderer/src/wizard/wizard-model.js';

function memoryStorage(): DraftStorage & { readonly items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

const installation: Installation = {
  id: 'inst-1',
  name: 'corp',
  baseUrl: 'https://bdc.corp.example',
  caPems: ['-----BEGIN CERTIFICATE-----'],
  allowLoopback: false,
  platform: { baseUrl: 'https://platform.example', installationId: 'p-1', caPems: [] },
  auth: { kind: 'none' },
  relay: DEFAULT_RELAY_SETTINGS,
  createdAt: '2026-01-01T00:00:00.000Z',
};

describe('the wizard draft', () => {
  it('keeps the sign-in method and client id, marks a loaded state as restored, and stores no flag', () => {
    const storage = memoryStorage();
    saveWizardDraft(storage, {
      ...INITIAL_WIZARD,
      step: 'sign-in',
      installation,
      signIn: { mode: 'oauth', oauthClientId: 'c0ffee', withWebhooks: true },
    });
    const json = storage.items.get(WIZARD_DRAFT_KEY) ?? '';
    expect(json).not.toContain('restored');
    const loaded = loadWizardDraft(storage);
    expect(loaded?.state.signIn).toEqual({
      mode: 'oauth',
      oauthClientId: 'c0ffee',
      withWebhooks: true,
    });
    expect(loaded?.state.restored).toBe(true);
    // Only the three fields are written, whatever else the object carries.
    const sneaky = {
      ...INITIAL_WIZARD,
      signIn: { mode: 'oauth', oauthClientId: 'id', withWebhooks: false, clientSecret: 's3cr3t' },
    } as WizardState;
    expect(draftToJson(sneaky)).not.toContain('s3cr3t');
  });

  it('keeps every typed field, the step and the installation id across a save and a load', () => {
    const storage = memoryStorage();
    const state: WizardState = {
      ...INITIAL_WIZARD,
      step: 'sign-in',
      draft: {
        ...INITIAL_WIZARD.draft,
        name: 'corp',
        url: 'https://bdc.corp.example',
        platformUrl: 'https://platform.example',
        platformInstallationId: 'p-1',
        caPem: '-----BEGIN CERTIFICATE-----',
        allowPartialChain: true,
      },
      installation,
      trustedWith: 'pasted-ca',
    };
    saveWizardDraft(storage, state);
    const loaded = loadWizardDraft(storage);
    expect(loaded?.installationId).toBe('inst-1');
    expect(loaded?.state.step).toBe('sign-in');
    expect(loaded?.state.draft).toEqual(state.draft);
    expect(loaded?.state.trustedWith).toBe('pasted-ca');
  });

  it('writes only the fields it names, so nothing else (a secret) can reach the storage', () => {
    const withExtra = {
      ...INITIAL_WIZARD,
      draft: { ...INITIAL_WIZARD.draft, token: 'BBDC-secret-token' },
      clientSecret: 'oauth-secret',
    } as unknown as WizardState;
    const json = draftToJson(withExtra);
    expect(json).not.toContain('BBDC-secret-token');
    expect(json).not.toContain('oauth-secret');
  });

  it('ignores what it did not write: bad JSON, an unknown step, oversized text', () => {
    expect(draftFromJson('{not json')).toBeUndefined();
    expect(draftFromJson(JSON.stringify({ step: 'elsewhere' }))?.state.step).toBe('instance');
    expect(draftFromJson('"x"'.padEnd(600 * 1024, ' '))).toBeUndefined();
    expect(draftFromJson(JSON.stringify({ draft: { url: 42 } }))?.state.draft.url).toBe(
      INITIAL_WIZARD.draft.url,
    );
  });

  it('forgets the draft when the wizard starts over', () => {
    const storage = memoryStorage();
    saveWizardDraft(storage, { ...INITIAL_WIZARD, step: 'trust' });
    expect(storage.items.has(WIZARD_DRAFT_KEY)).toBe(true);
    saveWizardDraft(storage, INITIAL_WIZARD);
    expect(storage.items.has(WIZARD_DRAFT_KEY)).toBe(false);
  });

  it('survives a storage that throws (disabled or full)', () => {
    const broken: DraftStorage = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('quota');
      },
      removeItem: () => undefined,
    };
    expect(loadWizardDraft(broken)).toBeUndefined();
    expect(() => saveWizardDraft(broken, { ...INITIAL_WIZARD, step: 'trust' })).not.toThrow();
  });
});

describe('what a saved installation still lacks', () => {
  it('names sign-in first, then the relay, and resumes at the first gap', () => {
    expect(setupGaps(installation, true).map((gap) => gap.step)).toEqual(['sign-in', 'relay']);
    expect(resumeStep(installation, true)).toBe('sign-in');
    const signedIn: Installation = {
      ...installation,
      auth: { kind: 'pat', user: 'admin', verifiedAt: installation.createdAt },
    };
    expect(resumeStep(signedIn, true)).toBe('relay');
    expect(resumeStep(signedIn, false)).toBe('summary');
    const relayed: Installation = {
      ...signedIn,
      relay: { ...DEFAULT_RELAY_SETTINGS, enabled: true, publicUrl: 'http://10.0.0.5:8787' },
    };
    expect(setupGaps(relayed, true)).toEqual([]);
  });
});
