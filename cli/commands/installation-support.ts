import { statSync } from 'node:fs';
import { readBoundedFileSync } from '../../core/io/bounded-file.js';
import { CompanionError } from '../../common/errors/companion-error.js';
import type { Installation } from '../../common/models/installation.js';
import type { SecretStore } from '../../core/secrets/secret-store.js';
import { describeSecretStore } from '../../core/use-cases/secret-store-port.js';
import type { CliIo } from '../cli-io.js';

/** Shared plumbing of the identity commands (installation, auth): stores, stdin secrets, views. */

const MAX_STDIN_SECRET = 64 * 1024;

/**
 * Reads a secret from standard input (CLI.md: secrets never as arguments). Bounded, so a
 * mistaken `< /dev/urandom` fails instead of filling memory.
 */
export async function readSecretFromStdin(io: CliIo, what: string): Promise<string> {
  if ((io.stdin as { isTTY?: boolean }).isTTY === true) {
    io.stderr.write(`Paste the ${what}, then press Enter and Ctrl-D:\n`);
  }
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_STDIN_SECRET) {
      throw new CompanionError(
        'INPUT_INVALID',
        `The ${what} on standard input is larger than 64 KiB.`,
      );
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Reads a secret from a file (`--token-file`, for configuration management). Warns when others
 * may read the file, since that is where such secrets usually leak.
 */
export function readSecretFromFile(
  path: string,
  what: string,
  note: (text: string) => void,
): string {
  const text = readBoundedFileSync(path, 'token').toString('utf8');
  const mode = statSync(path).mode;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    note(
      `warning: the ${what} file ${path} can be read by other users (mode ${(mode & 0o777).toString(8)}); chmod 600 it.`,
    );
  }
  return text;
}

/** Reads a CA file's text, bounded (a CA file holds a few certificates); validation is the caller's. */
export function readCaText(path: string): string {
  return readBoundedFileSync(path, 'caFile').toString('utf8');
}

/** What `installation show/list` print: everything in settings, which holds no secret. */
export function installationView(installation: Installation): Record<string, unknown> {
  return {
    id: installation.id,
    name: installation.name,
    baseUrl: installation.baseUrl,
    allowLoopback: installation.allowLoopback,
    allowPartialChain: installation.allowPartialChain === true,
    caCertificates: installation.caPems.length,
    platform: installation.platform
      ? {
          baseUrl: installation.platform.baseUrl,
          installationId: installation.platform.installationId,
          caCertificates: installation.platform.caPems.length,
        }
      : null,
    auth: installation.auth,
    relay: installation.relay,
    createdAt: installation.createdAt,
  };
}

/** The human rows of `installation show` and `update`. */
export function installationRows(installation: Installation): [string, string][] {
  const relay = installation.relay;
  return [
    ['name', installation.name],
    ['id', installation.id],
    ['url', installation.baseUrl],
    ['CAs', String(installation.caPems.length)],
    ...(installation.allowPartialChain === true
      ? [['partial chain', 'an intermediate CA may anchor the chain'] as [string, string]]
      : []),
    ['loopback', installation.allowLoopback ? 'allowed (development setting)' : 'refused'],
    [
      'platform',
      installation.platform
        ? `${installation.platform.baseUrl} (installation ${installation.platform.installationId})`
        : 'not linked',
    ],
    ['sign-in', authSummary(installation)],
    [
      'relay',
      `${relay.enabled ? 'started by the app' : 'not started by the app'}, listens on ${relay.listen} (${relay.tls ? `HTTPS, ${relay.tls.certFile}` : 'HTTP'})`,
    ],
    ['relay URL', relay.publicUrl ?? 'not set (webhooks register --url)'],
    ['created', installation.createdAt],
  ];
}

export function secretStoreView(store: SecretStore): Record<string, unknown> {
  return {
    backend: store.backend,
    description: describeSecretStore(store),
    persistent: store.persistent,
    osProtected: store.osProtected,
    ...(store.location ? { location: store.location } : {}),
  };
}

export function authSummary(installation: Installation): string {
  const auth = installation.auth;
  switch (auth.kind) {
    case 'none':
      return 'not signed in';
    case 'pat':
      return `access token of ${auth.user}`;
    case 'oauth':
      return `OAuth 2.0 (${auth.clientId})${auth.user ? ` as ${auth.user}` : ''}`;
    default: {
      const unreachable: never = auth;
      return String(unreachable);
    }
  }
}
