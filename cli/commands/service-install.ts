import { fileURLToPath } from 'node:url';
import { CompanionError } from '../../common/errors/companion-error.js';
import { COMPANION_VERSION } from '../../common/version.js';
import {
  DEFAULT_CREDENTIALS_SOURCE,
  DEFAULT_SERVICE_USER,
  describeServiceUnit,
  systemdUnitName,
  type ServiceSecretStore,
} from '../../core/use-cases/describe-service-unit.js';
import { openLocalPorts } from '../../core/use-cases/local-ports.js';
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
  summary:
    'print a systemd unit (or launchd plist) that runs the relay of an installation as a service',
  args: '<name>',
  minPositionals: 1,
  maxPositionals: 1,
  options: {
    print: { type: 'boolean' },
    format: { type: 'string' },
    user: { type: 'string' },
    group: { type: 'string' },
    'secret-store': { type: 'string' },
    'credentials-dir': { type: 'string' },
    node: { type: 'string' },
    bin: { type: 'string' },
  },
  optionHelp: [
    ['--print', 'print the unit to stdout (required: installing is left to the admin)'],
    [
      '--format F',
      'systemd (a unit; the default except on macOS) or launchd (a LaunchDaemon plist; the default on macOS)',
    ],
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
    const format =
      stringFlag(flags['format']) ?? (process.platform === 'darwin' ? 'launchd' : 'systemd');
    if (format !== 'systemd' && format !== 'launchd') {
      throw new CompanionError(
        'USAGE_INVALID',
        `--format must be systemd or launchd, not "${format}".`,
      );
    }
    const requestedStore = stringFlag(flags['secret-store']);
    if (
      requestedStore !== undefined &&
      !(SECRET_STORES as readonly string[]).includes(requestedStore)
    ) {
      throw new CompanionError(
        'USAGE_INVALID',
        `--secret-store must be one of ${SECRET_STORES.join(', ')}, not "${requestedStore}".`,
        { hint: 'A service has no desktop session, so the OS keychain is not available to it.' },
      );
    }
    if (
      format === 'launchd' &&
      requestedStore !== undefined &&
      requestedStore !== 'encrypted-file'
    ) {
      throw new CompanionError(
        'USAGE_INVALID',
        'A LaunchDaemon has no credentials folder and no login keychain: use --secret-store encrypted-file.',
      );
    }
    const ports = openLocalPorts(context.home, context.io.env);
    const user = stringFlag(flags['user']);
    const group = stringFlag(flags['group']);
    const credentialsSource = stringFlag(flags['credentials-dir']);
    const described = describeServiceUnit(ports, {
      installation: name,
      format,
      ...(requestedStore === undefined
        ? {}
        : { secretStore: requestedStore as ServiceSecretStore }),
      ...(user === undefined ? {} : { user }),
      ...(group === undefined ? {} : { group }),
      ...(credentialsSource === undefined ? {} : { credentialsSource }),
      nodePath: stringFlag(flags['node']) ?? process.execPath,
      binPath: stringFlag(flags['bin']) ?? defaultBinPath(),
      logLevel: context.logLevel,
      companionVersion: COMPANION_VERSION,
    });
    if (described.format === 'launchd') {
      context.output.success(described, () => described.plist);
      return;
    }
    context.output.success(described, () => described.unit);
  },
};
