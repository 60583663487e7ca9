import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { CompanionError } from '../../common/errors/companion-error.js';
import { writeFileAtomicAsync } from '../io/atomic-write.js';
import { trustedCertificates } from './trust-context.js';

/**
 * Environment variables that would weaken or redirect git's TLS checks. Callers building a git
 * subprocess environment remove them before merging `gitTlsEnvironment`.
 */
export const UNSAFE_GIT_TLS_VARIABLES: readonly string[] = [
  'GIT_SSL_NO_VERIFY',
  'GIT_SSL_CAPATH',
  'GIT_SSL_CERT',
  'GIT_SSL_KEY',
  'GIT_SSL_CERT_PASSWORD_PROTECTED',
  // `-c` style overrides from the parent would be merged after ours.
  'GIT_CONFIG_PARAMETERS',
];

/**
 * Writes runtime roots + pasted CAs into one PEM file for the git CLI, mode 0600, atomically
 * (temp file then rename, so a concurrent git never reads half a bundle). The file name carries a
 * digest of the content: different CA sets never overwrite each other's bundle mid-push.
 */
export async function writeTrustBundle(
  directory: string,
  caPems: readonly string[],
): Promise<string> {
  const pems = trustedCertificates(caPems).map((pem) => pem.trim());
  const content = `${pems.join('\n')}\n`;
  const digest = createHash('sha256').update(content).digest('hex').slice(0, 16);
  const target = path.join(directory, `ca-bundle-${digest}.pem`);
  try {
    await mkdir(directory, { recursive: true, mode: 0o700 });
    await writeFileAtomicAsync(target, content, { mode: 0o600 });
  } catch (error) {
    throw new CompanionError(
      'TRUST_BUNDLE_WRITE_FAILED',
      `Could not write the CA bundle in ${directory}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return target;
}

/**
 * The git config entries that make git trust the bundle and keep verification on. `http.sslVerify`
 * is set to true on purpose: command-line config outranks a user's `~/.gitconfig` that turned it off.
 */
export function gitTlsConfigEntries(bundlePath: string): [string, string][] {
  return [
    ['http.sslCAInfo', bundlePath],
    ['http.sslVerify', 'true'],
  ];
}

/**
 * `GIT_CONFIG_COUNT` / `GIT_CONFIG_KEY_n` / `GIT_CONFIG_VALUE_n` for the given entries (git ≥ 2.31).
 * Values set this way never appear on the command line (`ps`), which is why tokens go here too:
 * callers pass all their entries — TLS and their own — in one call, since the count is global.
 */
export function gitConfigEnvironment(
  entries: readonly (readonly [string, string])[],
): Record<string, string> {
  const environment: Record<string, string> = { GIT_CONFIG_COUNT: String(entries.length) };
  entries.forEach(([key, value], index) => {
    environment[`GIT_CONFIG_KEY_${index}`] = key;
    environment[`GIT_CONFIG_VALUE_${index}`] = value;
  });
  return environment;
}

/**
 * Environment for a git subprocess that must trust the bundle. `GIT_SSL_CAINFO` is the part that
 * matters: it overrides `http.sslCAInfo` from any config source, and many machines (this one
 * included) preset it to the system bundle, which would silently drop the private CA. The config
 * entries are included too; callers with their own entries should instead merge
 * `gitTlsConfigEntries(bundlePath)` with theirs into one `gitConfigEnvironment` call and set
 * `GIT_SSL_CAINFO` themselves.
 */
export function gitTlsEnvironment(bundlePath: string): Record<string, string> {
  return {
    GIT_SSL_CAINFO: bundlePath,
    ...gitConfigEnvironment(gitTlsConfigEntries(bundlePath)),
  };
}

/** A copy of `env` without the variables in `UNSAFE_GIT_TLS_VARIABLES`. */
export function withoutUnsafeGitTlsVariables(
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || UNSAFE_GIT_TLS_VARIABLES.includes(key)) continue;
    clean[key] = value;
  }
  return clean;
}
