import { CompanionError } from '../../common/errors/companion-error.js';
import { addInstallation } from '../../core/use-cases/add-installation.js';
import { openLocalPorts } from '../../core/use-cases/local-ports.js';
import { PASSPHRASE_FILE_ENV, SECRET_STORE_ENV } from '../../core/use-cases/secret-store-port.js';
import type { Command } from '../command.js';
import { formatRows } from '../output.js';
import {
  installationView,
  readCaText,
  readSecretFromFile,
  readSecretFromStdin,
} from './installation-support.js';
import { listFlag } from '../flag-values.js';

/**
 * `installation add <name> --url U …`: probes the instance first and refuses what the probe
 * refuses (wrong scheme, forbidden address, untrusted TLS, not Bitbucket, unsupported version),
 * so a saved installation is one the companion has actually reached.
 */
export const installationAddCommand: Command = {
  path: ['installation', 'add'],
  summary: 'add a BDC instance (probes it first)',
  args: '<name>',
  minPositionals: 1,
  maxPositionals: 1,
  options: {
    url: { type: 'string' },
    'ca-file': { type: 'string', multiple: true },
    'allow-loopback': { type: 'boolean' },
    'partial-chain': { type: 'boolean' },
    'platform-url': { type: 'string' },
    'platform-installation-id': { type: 'string' },
    'platform-ca-file': { type: 'string', multiple: true },
    'webhook-secret-stdin': { type: 'boolean' },
    'webhook-secret-file': { type: 'string' },
  },
  optionHelp: [
    ['--url U', 'the instance base URL, with its context path (https://bdc.corp/bitbucket)'],
    ['--ca-file F', 'a private CA (PEM) to trust for this instance; repeatable'],
    ['--allow-loopback', 'development only: let the instance be on 127.0.0.1 (simulator, demo)'],
    [
      '--partial-chain',
      'trust a --ca-file that is an intermediate CA (the network hands out only its issuing CA)',
    ],
    ['--platform-url P', 'the Ankra platform base URL the relay forwards to'],
    ['--platform-installation-id ID', 'this installation on the platform'],
    ['--platform-ca-file F', 'extra CA for the platform side (TLS-inspecting proxies, tests)'],
    ['--webhook-secret-stdin', 'read the webhook secret from standard input'],
    ['--webhook-secret-file F', 'or from a file (mode 0600)'],
  ],
  async run(context) {
    const { flags, io, output } = context;
    const name = context.positionals[0] as string;
    const url = flags['url'];
    if (typeof url !== 'string' || url.trim() === '') {
      throw new CompanionError(
        'USAGE_INVALID',
        'installation add needs --url <instance base URL>.',
      );
    }
    const platformUrl = flags['platform-url'];
    const platformId = flags['platform-installation-id'];
    if ((platformUrl === undefined) !== (platformId === undefined)) {
      throw new CompanionError(
        'USAGE_INVALID',
        '--platform-url and --platform-installation-id go together: give both or neither.',
      );
    }
    const platformCaFiles = listFlag(flags['platform-ca-file']);
    if (platformUrl === undefined && platformCaFiles.length > 0) {
      throw new CompanionError('USAGE_INVALID', '--platform-ca-file needs --platform-url.');
    }

    const allowPartialChain = flags['partial-chain'] === true;
    const caFiles = listFlag(flags['ca-file']);
    const secretFile = flags['webhook-secret-file'];
    if (flags['webhook-secret-stdin'] === true && typeof secretFile === 'string') {
      throw new CompanionError(
        'USAGE_INVALID',
        '--webhook-secret-stdin and --webhook-secret-file are alternatives: give one.',
      );
    }
    const ports = openLocalPorts(context.home, io.env);
    const readsSecret = flags['webhook-secret-stdin'] === true || typeof secretFile === 'string';
    // A secret is only asked for once there is a store that can keep it (SECRET_STORE_* otherwise).
    if (readsSecret) await ports.secretStore();
    const webhookSecret =
      flags['webhook-secret-stdin'] === true
        ? await readSecretFromStdin(io, 'webhook secret')
        : typeof secretFile === 'string'
          ? readSecretFromFile(secretFile, 'webhook secret', (text) => output.note(text))
          : undefined;

    const { installation, probe, webhookSecretStored } = await addInstallation(
      {
        settings: ports.settings,
        secretStore: ports.secretStore,
        env: io.env,
        now: () => new Date(),
        logger: context.logger,
      },
      {
        name,
        baseUrl: url,
        caPems: caFiles.map(readCaText),
        caNames: caFiles,
        allowLoopback: flags['allow-loopback'] === true,
        allowPartialChain,
        ...(typeof platformUrl === 'string' && typeof platformId === 'string'
          ? {
              platform: {
                baseUrl: platformUrl,
                installationId: platformId,
                caPems: platformCaFiles.map(readCaText),
              },
            }
          : {}),
        ...(webhookSecret === undefined ? {} : { webhookSecret }),
        signal: io.stopSignal,
        onProbing: (probed) => output.note(`Probing ${probed} …`),
      },
    );
    // The next step stores a token: say now, before it is asked for, when no store works here.
    const storeProblem = readsSecret ? undefined : await secretStoreProblem(ports);
    const signIn = `bdc-companion auth pat ${installation.name} --token-stdin`;
    output.success(
      {
        installation: installationView(installation),
        ...(storeProblem === undefined ? {} : { secretStoreProblem: storeProblem.toJSON() }),
        probe: {
          version: probe.version ?? null,
          addressClass: probe.addressClass ?? null,
          relayNeeded: probe.relayNeeded ?? null,
        },
        webhookSecretStored,
      },
      () =>
        formatRows([
          ['added', `${installation.name} (${installation.baseUrl})`],
          ['version', `Bitbucket ${probe.version ?? '?'}`],
          [
            'address',
            `${probe.addressClass ?? '?'}${probe.relayNeeded ? ' (the relay is needed)' : ''}`,
          ],
          ...(storeProblem === undefined
            ? [['next', signIn] as [string, string]]
            : [
                ['secrets', `${storeProblem.message} [${storeProblem.code}]`] as [string, string],
                ['fix', storeProblem.hint] as [string, string],
                ['next', nextWithStore(storeProblem, signIn)] as [string, string],
              ]),
        ]),
    );
  },
};

/** The secret store's error when it cannot be opened here; other failures are not this step's. */
async function secretStoreProblem(ports: {
  secretStore(): Promise<unknown>;
}): Promise<CompanionError | undefined> {
  try {
    await ports.secretStore();
    return undefined;
  } catch (error) {
    if (error instanceof CompanionError && error.code.startsWith('SECRET_')) return error;
    throw error;
  }
}

/** The sign-in command with the variables of the store that works here, when there is one. */
function nextWithStore(problem: CompanionError, signIn: string): string {
  switch (problem.data?.['recommended']) {
    case 'encrypted-file':
      return `${SECRET_STORE_ENV}=encrypted-file ${PASSPHRASE_FILE_ENV}=<passphrase file> ${signIn}`;
    case 'credentials-dir':
      return `${SECRET_STORE_ENV}=credentials-dir ${signIn}`;
    default:
      return signIn;
  }
}
