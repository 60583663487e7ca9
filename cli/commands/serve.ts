import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CompanionError } from '../../common/errors/companion-error.js';
import { createLogger } from '../../core/logging/file-logger.js';
import { serveCompanion, type ServeSession } from '../../core/use-cases/serve-companion.js';
import type { Command, CommandContext } from '../command.js';

/**
 * The built renderer: next to the bundled CLI (`dist/cli` → `dist/renderer`), or under `dist/`
 * of the checkout when the CLI runs from source (tests).
 */
export function rendererBundleDir(): string {
  const candidates = ['../renderer/', '../../dist/renderer/'].map((relative) =>
    fileURLToPath(new URL(relative, import.meta.url)),
  );
  const found = candidates.find((dir) => existsSync(`${dir}index.html`));
  if (!found) {
    throw new CompanionError('FILE_READ_FAILED', 'The UI bundle (dist/renderer) is missing.', {
      hint: 'Run `npm run build` in the checkout, or reinstall the companion.',
    });
  }
  return found;
}

export function parsePort(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (typeof value !== 'string' || !/^\d{1,5}$/.test(value) || port > 65535) {
    throw new CompanionError(
      'USAGE_INVALID',
      `--port must be a number from 0 to 65535, not "${String(value)}".`,
    );
  }
  return port;
}

/** Opens the engine and serves the UI; shared by `serve` and `demo`. */
export function openServeSession(
  context: CommandContext,
  options: {
    readonly host?: string;
    readonly port?: number;
    readonly oauthPort?: number;
    /** `demo` keeps its state apart from the admin's real installations. */
    readonly home?: string;
    /** `demo` keeps its secrets in memory only (disclosed); otherwise the configured store. */
    readonly secretStore?: 'configured' | 'in-memory';
  },
): Promise<ServeSession> {
  const home = options.home ?? context.home;
  return serveCompanion(
    {
      home,
      env: context.io.env,
      logger: createLogger({ home, level: context.logLevel, component: 'serve' }),
    },
    {
      bundleDir: rendererBundleDir(),
      ...(options.host === undefined ? {} : { host: options.host }),
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.oauthPort === undefined ? {} : { oauthPort: options.oauthPort }),
      ...(options.secretStore === undefined ? {} : { secretStore: options.secretStore }),
    },
  );
}

/** `serve`: the UI over HTTP on loopback for machines without a desktop. */
export const serveCommand: Command = {
  path: ['serve'],
  summary: 'serve the UI over HTTP on 127.0.0.1 for machines without a desktop',
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    'oauth-port': { type: 'string' },
  },
  optionHelp: [
    [
      '--host ADDR',
      'address to listen on (default 127.0.0.1); beyond loopback only when you say so',
    ],
    ['--port N', 'port (default: a free one)'],
    ['--oauth-port N', 'loopback port of the OAuth redirect registered in BDC (default 47615)'],
  ],
  maxPositionals: 0,
  async run(context) {
    const host = typeof context.flags['host'] === 'string' ? context.flags['host'] : '127.0.0.1';
    const port = parsePort(context.flags['port']);
    const oauthPort = parsePort(context.flags['oauth-port']);
    const session = await openServeSession(context, {
      host,
      ...(port === undefined ? {} : { port }),
      ...(oauthPort === undefined ? {} : { oauthPort }),
    });
    if (!session.serve.loopbackOnly) {
      context.output.note(
        `${context.output.paint('warning', 33)} serving on ${host}: anyone who can reach this address and has the URL's token can use the companion. Prefer 127.0.0.1 with an SSH tunnel.`,
      );
    }
    context.output.ready(
      { url: session.serve.url, host: session.serve.host, port: session.serve.port },
      `Open ${session.serve.url}\n(the token in the URL is valid until serve stops; Ctrl-C to stop)`,
    );
    await waitForStop(context.io.stopSignal);
    await session.close();
  },
};

export function waitForStop(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}
