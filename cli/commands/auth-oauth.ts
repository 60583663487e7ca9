import { createInterface } from 'node:readline';
import { CompanionError } from '../../common/errors/companion-error.js';
import { openLocalPorts } from '../../core/use-cases/local-ports.js';
import {
  createHeadlessBrowserOpener,
  createPastedCallbackReceiver,
  CUSTOM_REDIRECT_URI,
  DEFAULT_OAUTH_PORT,
  DEFAULT_OAUTH_SCOPES,
  DEFAULT_SIGN_IN_TIMEOUT_MS,
  redirectUrisToRegister,
  signInWithOAuthInBrowser,
  startLoopbackReceiver,
  type BrowserOpener,
  type CallbackReceiver,
  type RedirectMode,
} from '../../core/use-cases/sign-in-with-oauth.js';
import type { CliIo } from '../cli-io.js';
import type { Command, CommandContext } from '../command.js';
import { formatRows } from '../output.js';

/** What the command needs from the outside world, replaceable in tests (a browser, mostly). */
export interface AuthOAuthDependencies {
  /** Builds the browser opener; headless default: print the URL and try xdg-open. */
  readonly openBrowser?: (context: CommandContext) => BrowserOpener;
}

const MAX_LINE = 64 * 1024;

/**
 * Standard input as lines: the client secret is the first line (`--client-secret-stdin`), and with
 * `--redirect custom` the URL the browser was sent to is pasted as the next one.
 */
function stdinLines(io: CliIo): { next(what: string): Promise<string | undefined>; close(): void } {
  const reader = createInterface({ input: io.stdin, crlfDelay: Infinity, terminal: false });
  const iterator = reader[Symbol.asyncIterator]();
  return {
    async next(what) {
      const { value, done } = await iterator.next();
      if (done === true) return undefined;
      const line = String(value);
      if (line.length > MAX_LINE) {
        throw new CompanionError(
          'INPUT_INVALID',
          `The ${what} on standard input is longer than 64 KiB.`,
        );
      }
      return line;
    },
    close: () => reader.close(),
  };
}

function parsePort(value: unknown): number {
  if (value === undefined) return DEFAULT_OAUTH_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1024 || port > 65535) {
    throw new CompanionError(
      'USAGE_INVALID',
      `--port must be a port number from 1024 to 65535, not "${String(value)}".`,
    );
  }
  return port;
}

function parseRedirect(value: unknown): RedirectMode {
  if (value === undefined || value === 'localhost') return 'localhost';
  if (value === 'custom') return 'custom';
  throw new CompanionError(
    'USAGE_INVALID',
    `--redirect must be custom or localhost, not "${String(value)}".`,
  );
}

function parseScopes(value: unknown): readonly string[] {
  if (value === undefined) return DEFAULT_OAUTH_SCOPES;
  const scopes = String(value)
    .split(/[\s,]+/)
    .filter(Boolean);
  if (scopes.length === 0 || scopes.some((scope) => !/^[A-Z_]+$/.test(scope))) {
    throw new CompanionError(
      'USAGE_INVALID',
      '--scopes takes scope ids such as REPO_READ,REPO_WRITE.',
    );
  }
  return scopes;
}

function parseTimeout(value: unknown): number {
  if (value === undefined) return DEFAULT_SIGN_IN_TIMEOUT_MS;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > 3600) {
    throw new CompanionError(
      'USAGE_INVALID',
      `--timeout takes 1 to 3600 seconds, not "${String(value)}".`,
    );
  }
  return seconds * 1000;
}

export function createAuthOAuthCommand(dependencies: AuthOAuthDependencies = {}): Command {
  return {
    path: ['auth', 'oauth'],
    summary: 'sign in with OAuth 2.0 through the browser (incoming Application Link)',
    args: '<name>',
    minPositionals: 1,
    maxPositionals: 1,
    options: {
      'client-id': { type: 'string' },
      'client-secret-stdin': { type: 'boolean' },
      redirect: { type: 'string' },
      port: { type: 'string' },
      scopes: { type: 'string' },
      timeout: { type: 'string' },
      'no-open': { type: 'boolean' },
      'print-redirect-uris': { type: 'boolean' },
    },
    optionHelp: [
      [
        '--client-id ID',
        'the client id of the incoming Application Link (kept after a failed attempt, saved after success)',
      ],
      [
        '--client-secret-stdin',
        'read the client secret from the first line of standard input (checked with Bitbucket before the browser; kept after a failed attempt, so a retry needs neither)',
      ],
      [
        '--redirect localhost|custom',
        `localhost: listener on 127.0.0.1 (default); custom: ${CUSTOM_REDIRECT_URI}, paste the URL`,
      ],
      ['--port N', `port of http://localhost:N/oauth/callback (default ${DEFAULT_OAUTH_PORT})`],
      ['--scopes A,B', `scopes to request (default ${DEFAULT_OAUTH_SCOPES.join(',')})`],
      ['--timeout S', 'seconds to wait for the browser (default 300)'],
      ['--no-open', 'only print the sign-in URL; do not start a browser'],
      [
        '--print-redirect-uris',
        'print the redirect URIs to register in the Application Link, then stop',
      ],
    ],
    async run(context) {
      const { flags, output } = context;
      const name = context.positionals[0] as string;
      const port = parsePort(flags['port']);
      const redirect = parseRedirect(flags['redirect']);
      const scopes = parseScopes(flags['scopes']);
      const timeoutMs = parseTimeout(flags['timeout']);
      const ports = openLocalPorts(context.home, context.io.env);

      if (flags['print-redirect-uris'] === true) {
        // The URIs do not depend on the installation: an admin may register them before it exists.
        const label = ports.settings.findInstallation(name)?.name ?? name;
        const redirectUris = redirectUrisToRegister(port);
        output.success({ installation: label, redirectUris }, () =>
          [
            'Register these redirect URLs in Bitbucket > Administration > Application links >',
            `the incoming link for ${label}, exactly as written:`,
            '',
            ...redirectUris.map((uri) => `  ${uri}`),
          ].join('\n'),
        );
        return;
      }

      const installation = ports.settings.requireInstallation(name);
      const clientIdFlag = flags['client-id'];
      const lines = stdinLines(context.io);
      let kept = false;
      try {
        let clientSecret: string | undefined;
        if (flags['client-secret-stdin'] === true) {
          // The store first: a secret is only read when there is somewhere to keep it.
          await ports.secretStore();
          clientSecret = (await lines.next('client secret'))?.trim();
          if (!clientSecret) {
            throw new CompanionError(
              'OAUTH_CLIENT_SECRET_MISSING',
              'No client secret arrived on standard input (it is read from the first line).',
            );
          }
        }
        const receiver: CallbackReceiver =
          redirect === 'localhost'
            ? await startLoopbackReceiver(port)
            : createPastedCallbackReceiver(CUSTOM_REDIRECT_URI, async () => {
                output.note(
                  `After choosing Allow, the browser is sent to ${CUSTOM_REDIRECT_URI}?code=…\n` +
                    'Copy that whole address from the browser and paste it here, then press Enter:',
                );
                return (await lines.next('URL')) ?? '';
              });
        const openBrowser =
          dependencies.openBrowser?.(context) ??
          createHeadlessBrowserOpener({
            note: (text) => output.note(text),
            tryOpen: flags['no-open'] !== true,
          });
        const result = await signInWithOAuthInBrowser(
          { settings: ports.settings, secretStore: ports.secretStore, env: ports.env },
          {
            installation: installation.id,
            ...(typeof clientIdFlag === 'string' ? { clientId: clientIdFlag } : {}),
            ...(clientSecret === undefined ? {} : { clientSecret }),
            redirect,
            scopes,
          },
          {
            receiver,
            openBrowser,
            timeoutMs,
            signal: context.io.stopSignal,
            onStarted: (started) => {
              kept = true;
              output.note(
                started.clientCheck.kind === 'accepted'
                  ? `Bitbucket accepted client ${started.clientId} and its secret; signing in to ${installation.baseUrl} (redirect ${started.redirectUri}).`
                  : `Signing in to ${installation.baseUrl} as client ${started.clientId} (redirect ${started.redirectUri}); Bitbucket could not check the secret beforehand (${started.clientCheck.reason}), it is checked after you allow access.`,
              );
            },
          },
        );
        const expiresAt = new Date(result.expiresAt).toISOString();
        const backend = result.secretStore.backend;
        output.success(
          {
            installation: installation.name,
            user: result.user,
            clientId: result.clientId,
            scope: result.scope,
            expiresAt,
            redirectUri: result.redirectUri,
            secretStore: backend,
          },
          () =>
            formatRows([
              ['signed in', result.user],
              ['scope', result.scope],
              ['token expires', `${expiresAt} (refreshed automatically)`],
              ['stored in', backend],
            ]),
        );
      } catch (error) {
        if (kept && !(error instanceof CompanionError && error.code === 'OPERATION_CANCELLED')) {
          output.note(
            `The client id and secret are kept: once the cause is fixed, run bdc-companion auth oauth ${installation.name} again without entering them.`,
          );
        }
        throw error;
      } finally {
        lines.close();
      }
    },
  };
}

export const authOAuthCommand: Command = createAuthOAuthCommand();
