import { devNull } from 'node:os';
import { gitConfigEnvironment, gitTlsConfigEntries } from '../net/git-tls.js';

/** Proxy variables git understands; passed through so the CLI engine follows the same proxy. */
const PASSED_THROUGH = [
  'PATH',
  'SYSTEMROOT',
  'HTTPS_PROXY',
  'https_proxy',
  'HTTP_PROXY',
  'http_proxy',
  'NO_PROXY',
  'no_proxy',
];

export interface GitEnvironmentOptions {
  readonly parentEnv: Readonly<Record<string, string | undefined>>;
  /** An empty folder: git's HOME, so no user config, credential helper or hook applies. */
  readonly home: string;
  readonly caBundle: string;
  /** The Authorization header value, or undefined for local-only commands. */
  readonly authorization?: string;
  /** `http.curloptResolve` pinning the host to its vetted addresses (core/net/git-resolve.ts). */
  readonly resolve?: string;
  readonly userAgent: string;
}

/**
 * A hermetic environment for the git CLI: no system or user config, no prompts, C locale (the
 * parsers read English), CA through GIT_SSL_CAINFO (it outranks every config source, and many
 * machines preset it), and the token as config through GIT_CONFIG_COUNT — the environment of a
 * process is readable only by its user, its command line by everyone.
 */
export function gitEnvironment(options: GitEnvironmentOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of PASSED_THROUGH) {
    const value = options.parentEnv[name];
    if (value !== undefined) env[name] = value;
  }
  const entries: [string, string][] = [
    ...gitTlsConfigEntries(options.caBundle),
    ['http.userAgent', options.userAgent],
    ['gc.auto', '0'],
    ['maintenance.auto', 'false'],
    ['fetch.writeCommitGraph', 'false'],
    ['core.hooksPath', devNull],
    ['credential.helper', ''],
  ];
  if (options.authorization !== undefined)
    entries.push(['http.extraHeader', `Authorization: ${options.authorization}`]);
  // An empty value first clears any pin from another config source; then only ours applies.
  if (options.resolve !== undefined)
    entries.push(['http.curloptResolve', ''], ['http.curloptResolve', options.resolve]);
  return {
    ...env,
    HOME: options.home,
    XDG_CONFIG_HOME: options.home,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: devNull,
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '',
    SSH_ASKPASS: '',
    LC_ALL: 'C',
    LANGUAGE: 'C',
    GIT_SSL_CAINFO: options.caBundle,
    ...gitConfigEnvironment(entries),
  };
}
