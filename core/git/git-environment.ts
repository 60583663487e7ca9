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
  /**
   * The route decided for the remote (`core/net/route-choice.ts`): a proxy URL, or `''` for
   * direct. When given, the proxy variables are not passed to git at all, so libcurl's own reading
   * of NO_PROXY never differs from the companion's. Undefined: the variables pass through.
   */
  readonly proxy?: string;
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
    if (options.proxy !== undefined && name !== 'PATH' && name !== 'SYSTEMROOT') continue;
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
  // An empty http.proxy means "no proxy" to git (http.c), also over any variable.
  if (options.proxy !== undefined) {
    entries.push(['http.proxy', options.proxy]);
    // Credentials in the proxy URL are sent with the CONNECT at once (curl's default, anyauth,
    // first tries without them and some proxies close the connection on the 407).
    if (/^https?:\/\/[^/@]+@/.test(options.proxy)) entries.push(['http.proxyAuthMethod', 'basic']);
    if (options.proxy.startsWith('https:')) entries.push(['http.proxySSLCAInfo', options.caBundle]);
  }
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
