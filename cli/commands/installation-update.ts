import { resolve } from 'node:path';
import { CompanionError } from '../../common/errors/companion-error.js';
import type { InstallationChanges } from '../../core/settings/installation-changes.js';
import { changeInstallation } from '../../core/use-cases/change-installation.js';
import { openLocalPorts } from '../../core/use-cases/local-ports.js';
import { storeBridgeToken } from '../../core/use-cases/store-bridge-token.js';
import { webhookSecretPortsOf } from '../../core/use-cases/webhook-ports.js';
import type { Command, CommandContext } from '../command.js';
import { formatRows } from '../output.js';
import {
  installationRows,
  installationView,
  readCaText,
  readSecretFromStdin,
} from './installation-support.js';
import { listFlag } from '../flag-values.js';
import { webhookSecretRows, withSecretFailureDetails } from './webhooks-support.js';

function stringFlag(context: CommandContext, name: string): string | undefined {
  const value = context.flags[name];
  return typeof value === 'string' ? value : undefined;
}

function exclusive(context: CommandContext, ...names: string[]): void {
  const given = names.filter((name) => context.flags[name] !== undefined);
  if (given.length > 1) {
    throw new CompanionError(
      'USAGE_INVALID',
      `${given.map((name) => `--${name}`).join(' and ')} cannot go together.`,
    );
  }
}

/** The relay part of the changes; undefined when no relay option was given. */
function relayChanges(context: CommandContext): InstallationChanges['relay'] {
  const { flags } = context;
  exclusive(context, 'relay-enabled', 'relay-disabled');
  exclusive(context, 'relay-tls-cert', 'relay-no-tls');
  const certFile = stringFlag(context, 'relay-tls-cert');
  const keyFile = stringFlag(context, 'relay-tls-key');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new CompanionError('USAGE_INVALID', '--relay-tls-cert and --relay-tls-key go together.');
  }
  const listen = stringFlag(context, 'relay-listen');
  const publicUrl = stringFlag(context, 'relay-url');
  const relay = {
    ...(flags['relay-enabled'] === true ? { enabled: true } : {}),
    ...(flags['relay-disabled'] === true ? { enabled: false } : {}),
    ...(listen === undefined ? {} : { listen }),
    ...(publicUrl === undefined ? {} : { publicUrl }),
    ...(certFile !== undefined && keyFile !== undefined
      ? {
          // Stored absolute: the relay may start as a service in another folder.
          tls: { kind: 'files' as const, certFile: resolve(certFile), keyFile: resolve(keyFile) },
        }
      : {}),
    ...(flags['relay-no-tls'] === true ? { tls: { kind: 'none' as const } } : {}),
  };
  return Object.keys(relay).length === 0 ? undefined : relay;
}

/**
 * `installation update <name> …`: changes an installation in place — new CAs after the private
 * CA was renewed, the platform link, the relay's address, URL and certificate — keeping its id,
 * its sign-in and its secrets. New CAs are probed first, as `installation add` does.
 */
export const installationUpdateCommand: Command = {
  path: ['installation', 'update'],
  summary:
    'change an installation in place: CAs (probed first), platform link, relay settings, webhook secret',
  args: '<name>',
  minPositionals: 1,
  maxPositionals: 1,
  options: {
    'ca-file': { type: 'string', multiple: true },
    'partial-chain': { type: 'boolean' },
    'clear-ca': { type: 'boolean' },
    'skip-probe': { type: 'boolean' },
    'platform-url': { type: 'string' },
    'platform-installation-id': { type: 'string' },
    'platform-ca-file': { type: 'string', multiple: true },
    'relay-listen': { type: 'string' },
    'relay-url': { type: 'string' },
    'relay-enabled': { type: 'boolean' },
    'relay-disabled': { type: 'boolean' },
    'relay-tls-cert': { type: 'string' },
    'relay-tls-key': { type: 'string' },
    'relay-no-tls': { type: 'boolean' },
    'bridge-token-stdin': { type: 'boolean' },
    'webhook-secret-stdin': { type: 'boolean' },
  },
  optionHelp: [
    ['--ca-file F', 'replace the private CAs with these (PEM); repeatable; probed before saving'],
    ['--partial-chain', 'with --ca-file: an intermediate CA alone may anchor the chain'],
    ['--clear-ca', 'trust only the public roots again (probed before saving)'],
    ['--skip-probe', 'save new CAs without probing (the instance is down for maintenance)'],
    ['--platform-url P', 'the Ankra platform base URL the relay forwards to'],
    ['--platform-installation-id ID', 'this installation on the platform'],
    ['--platform-ca-file F', 'replace the extra CAs for the platform side; repeatable'],
    ['--relay-listen HOST:PORT', 'where the relay listens for BDC'],
    [
      '--relay-url URL',
      'the relay URL as BDC reaches it (used by webhooks register); "" forgets it',
    ],
    [
      '--relay-enabled',
      'the desktop app and serve start this relay (--relay-disabled: they do not)',
    ],
    ['--relay-tls-cert F', 'serve BDC over HTTPS with this PEM chain (with --relay-tls-key)'],
    ['--relay-tls-key F', 'the unencrypted PEM private key of --relay-tls-cert'],
    ['--relay-no-tls', 'serve plain HTTP again'],
    [
      '--bridge-token-stdin',
      'read the platform-issued bridge token from standard input (kept in the secret store)',
    ],
    [
      '--webhook-secret-stdin',
      'read the webhook secret the Ankra platform issued from standard input; stored, and put on every BDC webhook registered',
    ],
  ],
  async run(context) {
    const { flags, io, output } = context;
    exclusive(context, 'ca-file', 'clear-ca');
    // Both read standard input: one secret per run.
    exclusive(context, 'bridge-token-stdin', 'webhook-secret-stdin');
    const caFiles = listFlag(flags['ca-file']);
    const partialChain = flags['partial-chain'] === true;
    if (partialChain && caFiles.length === 0) {
      throw new CompanionError('USAGE_INVALID', '--partial-chain goes with --ca-file.');
    }
    const ports = openLocalPorts(context.home, io.env);
    const current = ports.settings.requireInstallation(context.positionals[0] as string);

    const platformUrl = stringFlag(context, 'platform-url');
    const platformId = stringFlag(context, 'platform-installation-id');
    const platformCaFiles =
      flags['platform-ca-file'] === undefined ? undefined : listFlag(flags['platform-ca-file']);
    const platformTouched =
      platformUrl !== undefined || platformId !== undefined || platformCaFiles !== undefined;
    const platformBase = platformUrl ?? current.platform?.baseUrl;
    const platformInstallationId = platformId ?? current.platform?.installationId;
    if (platformTouched && (platformBase === undefined || platformInstallationId === undefined)) {
      throw new CompanionError(
        'USAGE_INVALID',
        'This installation has no platform link yet: give --platform-url and --platform-installation-id together.',
      );
    }
    const trustChanged = caFiles.length > 0 || flags['clear-ca'] === true;
    const changes: InstallationChanges = {
      ...(trustChanged
        ? {
            caPems: caFiles.map(readCaText),
            allowPartialChain: partialChain,
          }
        : {}),
      ...(platformTouched && platformBase !== undefined && platformInstallationId !== undefined
        ? {
            platform: {
              baseUrl: platformBase,
              installationId: platformInstallationId,
              ...(platformCaFiles === undefined ? {} : { caPems: platformCaFiles.map(readCaText) }),
            },
          }
        : {}),
    };
    const relay = relayChanges(context);
    const all: InstallationChanges = relay === undefined ? changes : { ...changes, relay };
    if (flags['bridge-token-stdin'] === true) {
      const token = await readSecretFromStdin(io, 'bridge token');
      await storeBridgeToken(
        { settings: ports.settings, secretStore: ports.secretStore, logger: context.logger },
        { installation: current.id, token },
      );
      if (Object.keys(all).length === 0) {
        output.success({ installation: installationView(current), bridgeToken: 'stored' }, () =>
          formatRows([
            ['updated', current.name],
            ['bridge token', 'stored (a running bridge picks it up within seconds)'],
          ]),
        );
        return;
      }
    }
    const webhookSecret =
      flags['webhook-secret-stdin'] === true
        ? await readSecretFromStdin(io, 'webhook secret')
        : undefined;
    if (Object.keys(all).length === 0 && webhookSecret === undefined) {
      throw new CompanionError('USAGE_INVALID', 'Nothing to change: give at least one option.');
    }
    try {
      const result = await withSecretFailureDetails(context, async () =>
        changeInstallation(
          {
            settings: ports.settings,
            env: io.env,
            now: () => new Date(),
            logger: context.logger,
            webhookSecret:
              webhookSecret === undefined
                ? undefined
                : await webhookSecretPortsOf({
                    settings: ports.settings,
                    secretStore: () => ports.secretStore(),
                    database: ports.database(),
                    env: io.env,
                    logger: context.logger,
                  }),
          },
          {
            installation: current.id,
            changes: all,
            webhookSecret,
            signal: io.stopSignal,
            skipProbe: flags['skip-probe'] === true,
            onProbe: (url) => output.note(`Probing ${url} with the new trust …`),
          },
        ),
      );
      const next = result.installation;
      output.success(
        {
          installation: installationView(next),
          ...(result.webhookSecret === undefined ? {} : { webhookSecret: result.webhookSecret }),
        },
        () =>
          formatRows([
            ['updated', next.name],
            ...installationRows(next).slice(1),
            ...(result.webhookSecret === undefined ? [] : webhookSecretRows(result.webhookSecret)),
          ]),
      );
    } finally {
      ports.close();
    }
  },
};
