import {
  editBridgePolicy,
  type BridgePolicyEdit,
  type EffectivePolicy,
} from '../bridge/bridge-settings.js';
import type { Logger } from '../logging/logger.js';
import type { SettingsStore } from '../settings/settings-store.js';

/**
 * Changes what the platform may read and push through the bridge (`bridge policy`, the bridge
 * view): every added rule and key is checked first and nothing is saved when one is wrong. A
 * running bridge re-reads the policy within a second. Returns the effective policy.
 */
export function changeBridgePolicy(
  ports: { readonly settings: SettingsStore; readonly logger?: Logger },
  input: { readonly installation: string; readonly edit: BridgePolicyEdit },
): EffectivePolicy {
  const policy = editBridgePolicy(ports.settings, input.installation, input.edit);
  const { allowPush = [], denyPush = [], readProjects = [] } = input.edit;
  if (
    allowPush.length + denyPush.length + readProjects.length > 0 ||
    input.edit.clearReadProjects
  ) {
    ports.logger?.info('bridge policy changed', {
      installation: input.installation,
      pushRules: policy.push.length,
      readProjects: policy.readProjects.length,
    });
  }
  return policy;
}
