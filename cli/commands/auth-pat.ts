import { CompanionError } from '../../common/errors/companion-error.js';
import { openLocalPorts } from '../../core/use-cases/local-ports.js';
import { signInWithPat } from '../../core/use-cases/sign-in-with-pat.js';
import { readableProjectsText } from '../../common/auth/readable-projects.js';
import type { Command } from '../command.js';
import { formatRows } from '../output.js';
import { readSecretFromFile, readSecretFromStdin } from './installation-support.js';

/**
 * `auth pat <name> --token-stdin [--require-projects A,B]`: verifies a personal access token with
 * BDC and stores it in the secret store only once it proved to name a user who can read projects.
 */
export const authPatCommand: Command = {
  path: ['auth', 'pat'],
  summary: 'verify and store a personal access token (read from standard input)',
  args: '<name>',
  minPositionals: 1,
  maxPositionals: 1,
  options: {
    'token-stdin': { type: 'boolean' },
    'token-file': { type: 'string' },
    'require-projects': { type: 'string' },
  },
  optionHelp: [
    [
      '--token-stdin',
      'read the token from standard input (required: never pass it as an argument)',
    ],
    ['--require-projects A,B', 'fail unless the token can read these project keys'],
  ],
  async run(context) {
    const tokenFile = context.flags['token-file'];
    const fromStdin = context.flags['token-stdin'] === true;
    if (fromStdin === (typeof tokenFile === 'string')) {
      throw new CompanionError(
        'USAGE_INVALID',
        'auth pat reads the token from standard input (--token-stdin) or a file (--token-file F): give exactly one.',
        { hint: 'Example: bdc-companion auth pat prod --token-stdin < token.txt' },
      );
    }
    const required = String(context.flags['require-projects'] ?? '')
      .split(',')
      .map((key) => key.trim())
      .filter(Boolean);
    const ports = openLocalPorts(context.home, context.io.env);
    const name = context.positionals[0] as string;
    // Before the token is asked for: an unknown installation, then a secret store that cannot
    // keep it (no keychain here names the store that works, with its variables).
    ports.settings.requireInstallation(name);
    await ports.secretStore();
    const token =
      typeof tokenFile === 'string'
        ? readSecretFromFile(tokenFile, 'token', (text) => context.output.note(text))
        : await readSecretFromStdin(context.io, 'token');
    const { installation, verification, secretStore } = await signInWithPat(
      {
        settings: ports.settings,
        secretStore: ports.secretStore,
        env: ports.env,
        now: () => new Date(),
        logger: context.logger,
      },
      {
        installation: name,
        token,
        requireProjects: required,
        signal: context.io.stopSignal,
      },
    );
    context.output.success(
      {
        installation: installation.name,
        user: verification.user,
        displayName: verification.displayName ?? null,
        projects: verification.projects,
        projectKeys: verification.projectKeys,
        secretStore,
      },
      () =>
        formatRows([
          [
            'signed in',
            `${verification.user}${verification.displayName ? ` (${verification.displayName})` : ''}`,
          ],
          ['readable', readableProjectsText(verification.projectKeys)],
          ['stored in', secretStore],
        ]),
    );
  },
};
