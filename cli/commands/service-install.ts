import { fileURLToPath } from 'node:url';
import { CompanionError } from '../../common/errors/companion-error.js';
import { COMPANION_VERSION } from '../../common/version.js';
import { resolveProxySettings } from '../../core/net/proxy-settings.js';
import { parseListenAddress } from '../../core/relay/listen-address.js';
import {
  DEFAULT_CREDENTIALS_SOURCE,
  DEFAULT_SERVICE_USER,
  renderSystemdUnit,
  systemdUnitName,
  type ServiceSecretStore,
} from '../../core/service-unit/systemd-unit.js';
import { openSettings } from '../../core/settings/settings-file.js';
import type { Command } from '../command.js';

const SECRET_STORES: readonly ServiceSecretStore[] = ['credentials-dir', 'encrypted-file'];

/** The installed entry point next to this bundle (`dist/cli/main.js` and the source are both two levels down). */
function defaultBinPath(): string {
  return fileURLToPath(new URL('../../bin/bdc-companion.js', import.meta.url));
}

function stringFlag(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * `service install <name> --print`: the systemd unit that runs `relay run <name>` unattended. It
 * prints rather than installs, so the admin reviews it and installs it with their own privileges.
 */
export const serviceInstallCommand: Command = {
  path: ['service', 'install'],
  summary: 'print a systemd unit that runs the relay of an installation as a service',
  args: '<name>',
  minPositionals: 1,
  maxPositionals: 1,
  options: {
    print: { type: 'boolean' },
    user: { type: 'string' },
    group: { type: 'string' },
    'secret-store': { type: 'string' },
    'credentials-dir': { type: 'string' },
    node: { type: 'string' },
    bin: { type: 'string' },
  },
  optionHelp: [
    ['--print', 'print the unit to stdout (required: installing is left to the admin)'],
    ['--user NAME', `the system account the relay runs as (default ${DEFAULT_SERVICE_USER})`],
    ['--group NAME', 'its group (default: the user name)'],
    [
      '--secret-store S',
      'credentials-dir (LoadCredential=, the default) or encrypted-file (passphrase by LoadCredential=)',
    ],
    [
      '--credentials-dir DIR',
      `host folder of the credential files (default ${DEFAULT_CREDENTIALS_SOURCE})`,
    ],
    ['--node PATH', 'the node executable (default: the one running now)'],
    ['--bin PATH', 'the bdc-companion entry point (default: this installation of it)'],
  ],
  async run(context) {
    const name = context.positionals[0] as string;
    const { flags } = context;
    if (flags['print'] !== true) {
      throw new CompanionError('USAGE_INVALID', 'service install only prints the unit for now.', {
        hint: `Run \`bdc-companion service install ${name} --print | sudo tee /etc/systemd/system/${systemdUnitName(name)}\`.`,
      });
    }
    const settings = openSettings(context.home);
    const installation = settings.requireInstallation(name);
    if (installation.platform === undefined) {
      throw new CompanionError(
        'RELAY_NOT_CONFIGURED',
        `Installation "${installation.name}" has no platform URL and installation id, so its relay cannot run.`,
      );
    }
    const requestedStore = stringFlag(flags['secret-store']);
    const pinned = settings.pinnedSecretStore?.();
    const secretStore =
      requestedStore ??
      (pinned === 'encrypted-file' || pinned === 'credentials-dir' ? pinned : 'credentials-dir');
    if (!(SECRET_STORES as readonly string[]).includes(secretStore)) {
      throw new CompanionError(
        'USAGE_INVALID',
        `--secret-store must be one of ${SECRET_STORES.join(', ')}, not "${secretStore}".`,
        { hint: 'A service has no desktop session, so the OS keychain is not available to it.' },
      );
    }
    const user = stringFlag(flags['user']) ?? DEFAULT_SERVICE_USER;
    const unit = renderSystemdUnit({
      installationName: installation.name,
      home: context.home,
      nodePath: stringFlag(flags['node']) ?? process.execPath,
      binPath: stringFlag(flags['bin']) ?? defaultBinPath(),
      user,
      group: stringFlag(flags['group']) ?? user,
      secretStore: secretStore as ServiceSecretStore,
      credentialsSource: stringFlag(flags['credentials-dir']) ?? DEFAULT_CREDENTIALS_SOURCE,
      listenPort: parseListenAddress(installation.relay.listen).port,
      proxy: resolveProxySettings(context.io.env),
      caCounts: { bdc: installation.caPems.length, platform: installation.platform.caPems.length },
      logLevel: context.logLevel,
      companionVersion: COMPANION_VERSION,
    });
    context.output.success({ unitName: systemdUnitName(installation.name), unit }, () => unit);
  },
};
