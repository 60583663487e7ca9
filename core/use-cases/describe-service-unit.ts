import type { LogLevelName } from '../logging/logger.js';
import { resolveProxySettings } from '../net/proxy-settings.js';
import { parseListenAddress } from '../relay/listen-address.js';
import { launchdLabel, renderLaunchdPlist } from '../service-unit/launchd-plist.js';
import {
  DEFAULT_CREDENTIALS_SOURCE,
  DEFAULT_SERVICE_USER,
  daemonCredentials,
  renderSystemdUnit,
  systemdUnitName,
  type ServiceSecretStore,
} from '../service-unit/systemd-unit.js';
import { requirePlatform } from '../relay/installation-relay.js';
import type { SettingsStore } from '../settings/settings-store.js';
import type { Environment } from './local-ports.js';

export interface ServiceUnitInput {
  /** Name or id. */
  readonly installation: string;
  readonly format: 'systemd' | 'launchd';
  /** The service's secret store; by default the home's pinned headless store, else credentials-dir (systemd) or encrypted-file (launchd). */
  readonly secretStore?: ServiceSecretStore;
  readonly user?: string;
  readonly group?: string;
  readonly nodePath: string;
  readonly binPath: string;
  readonly credentialsSource?: string;
  readonly logLevel: LogLevelName;
  readonly companionVersion: string;
}

export type ServiceUnit =
  | { readonly format: 'launchd'; readonly label: string; readonly plist: string }
  | { readonly format: 'systemd'; readonly unitName: string; readonly unit: string };

/**
 * The service definition that runs an installation's daemon unattended (`service install`): a
 * systemd unit or a launchd plist, with the proxy of `env`, the credentials the installation's
 * relay and bridge need, and no secret in it. RELAY_NOT_CONFIGURED without a platform link.
 */
export function describeServiceUnit(
  ports: { readonly home: string; readonly env: Environment; readonly settings: SettingsStore },
  input: ServiceUnitInput,
): ServiceUnit {
  const installation = ports.settings.requireInstallation(input.installation);
  const platform = requirePlatform(installation);
  const pinned = ports.settings.pinnedSecretStore?.();
  const secretStore: ServiceSecretStore =
    input.secretStore ??
    (input.format === 'launchd'
      ? 'encrypted-file'
      : pinned === 'encrypted-file' || pinned === 'credentials-dir'
        ? pinned
        : 'credentials-dir');
  const user = input.user ?? DEFAULT_SERVICE_USER;
  const credentialsSource = input.credentialsSource ?? DEFAULT_CREDENTIALS_SOURCE;
  const proxy = resolveProxySettings(ports.env);
  const common = {
    installationName: installation.name,
    home: ports.home,
    nodePath: input.nodePath,
    binPath: input.binPath,
    user,
    credentialsSource,
    proxy,
    logLevel: input.logLevel,
    companionVersion: input.companionVersion,
  };
  if (input.format === 'launchd') {
    return {
      format: 'launchd',
      label: launchdLabel(installation.name),
      plist: renderLaunchdPlist(common),
    };
  }
  return {
    format: 'systemd',
    unitName: systemdUnitName(installation.name),
    unit: renderSystemdUnit({
      ...common,
      group: input.group ?? user,
      secretStore,
      listenPort: parseListenAddress(installation.relay.listen).port,
      caCounts: { bdc: installation.caPems.length, platform: platform.caPems.length },
      ...(installation.relay.tls ? { relayTls: installation.relay.tls } : {}),
      extraCredentials: daemonCredentials(installation),
    }),
  };
}

/** The unit file name of an installation's daemon, for hints that show where it goes. */
export {
  DEFAULT_CREDENTIALS_SOURCE,
  DEFAULT_SERVICE_USER,
  systemdUnitName,
} from '../service-unit/systemd-unit.js';
export type { ServiceSecretStore } from '../service-unit/systemd-unit.js';
