import { CompanionError } from '../../common/errors/companion-error.js';
import { DEFAULT_BRIDGE_POLICY, type BridgePolicySettings } from '../../common/models/bridge.js';
import type { Installation } from '../../common/models/installation.js';
import { registerSecret } from '../logging/redact.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { SettingsStore } from '../settings/settings-store.js';
import { bridgeTokenKey } from './installation-bridge.js';
import { editPushRules, parseReadProject } from './push-rules.js';
import { DEFAULT_READ_RULES } from './read-rules.js';

const MAX_TOKEN_CHARS = 4096;

/**
 * Stores the platform-issued bridge token in the secret store (never in settings). A running
 * bridge stopped on a refused token picks the new one up at its next look.
 */
export async function storeBridgeToken(
  secrets: SecretStore,
  installation: Pick<Installation, 'id'>,
  raw: string,
): Promise<void> {
  const token = raw.trim();
  registerSecret(token);
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (token === '' || token.length > MAX_TOKEN_CHARS || /[\s\u0000-\u001f\u007f]/.test(token)) {
    throw new CompanionError(
      'INPUT_INVALID',
      'The bridge token is empty, too long or contains spaces or control characters.',
      { hint: 'Copy the bridge token exactly as the platform shows it, on one line.' },
    );
  }
  await secrets.set(bridgeTokenKey(installation.id), token);
}

export interface BridgePolicyEdit {
  readonly allowPush?: readonly string[];
  readonly denyPush?: readonly string[];
  /** Adds project keys to the read list. */
  readonly readProjects?: readonly string[];
  /** Empties the read list: every project the credential can read. */
  readonly clearReadProjects?: boolean;
}

/** The policy as `bridge policy` and the Bridge view show it: rules by name, pushes, projects. */
export interface EffectivePolicy {
  readonly read: readonly { readonly name: string; readonly patterns: readonly string[] }[];
  readonly readProjects: readonly string[];
  readonly push: readonly string[];
}

export function effectivePolicy(policy: BridgePolicySettings | undefined): EffectivePolicy {
  const current = policy ?? DEFAULT_BRIDGE_POLICY;
  return {
    read: DEFAULT_READ_RULES.map((rule) => ({ name: rule.name, patterns: rule.patterns })),
    readProjects: [...current.readProjects],
    push: [...current.push],
  };
}

/**
 * Edits an installation's bridge policy: every added rule and key is checked first, and nothing
 * is saved when one is wrong. Returns the effective policy after the edit.
 */
export function editBridgePolicy(
  settings: SettingsStore,
  nameOrId: string,
  edit: BridgePolicyEdit,
): EffectivePolicy {
  const installation = settings.requireInstallation(nameOrId);
  const current = installation.bridge ?? DEFAULT_BRIDGE_POLICY;
  const push = editPushRules(current.push, edit.allowPush ?? [], edit.denyPush ?? []);
  const added = (edit.readProjects ?? []).map(parseReadProject);
  const readProjects = edit.clearReadProjects === true ? added : [...current.readProjects];
  for (const key of added) if (!readProjects.includes(key)) readProjects.push(key);
  const next: BridgePolicySettings = { push, readProjects };
  const changed = JSON.stringify(next) !== JSON.stringify(current);
  if (changed) settings.saveInstallation({ ...installation, bridge: next });
  return effectivePolicy(next);
}
