import { timingSafeEqual } from 'node:crypto';
import ipaddr from 'ipaddr.js';

/**
 * The header every API call carries the access token in. Not a cookie: cookies are not scoped by
 * port, and SameSite counts every port of 127.0.0.1 as the same site, so a page served by any
 * other local server would receive it (issue 15). A custom header is set only by this origin's own
 * page, and a cross-origin request carrying one needs a CORS preflight, which serve never grants.
 */
export const TOKEN_HEADER = 'x-companion-token';

/** True for 127.0.0.0/8, ::1 and `localhost`: binding there keeps the UI on this machine. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  const bare = host.replace(/^\[|\]$/g, '');
  if (!ipaddr.isValid(bare)) return false;
  const address = ipaddr.process(bare);
  return address.range() === 'loopback';
}

/** `0.0.0.0` and `::`: every interface. */
export function isWildcardHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return ipaddr.isValid(bare) && ipaddr.process(bare).range() === 'unspecified';
}

/** Splits a Host header into name and port; undefined when malformed. */
export function parseHostHeader(
  value: string | undefined,
): { readonly name: string; readonly port: number | undefined } | undefined {
  if (!value || value.length > 300) return undefined;
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s/@]+)(?::(\d{1,5}))?$/.exec(value);
  if (!match || match[1] === undefined) return undefined;
  return {
    name: match[1].toLowerCase(),
    port: match[2] === undefined ? undefined : Number(match[2]),
  };
}

export interface HostPolicy {
  /** The port `serve` listens on; a Host naming another port is refused. */
  readonly port: number;
  /** The `--host` value, trusted as a name the admin chose. */
  readonly bindHost: string;
}

/**
 * DNS-rebinding defence: a hostile page can make its own name resolve to 127.0.0.1, but its
 * requests still carry its own name in Host. So only IP literals (which no attacker can rebind),
 * `localhost`, and the name the admin passed with --host are answered.
 */
export function isAllowedHost(hostHeader: string | undefined, policy: HostPolicy): boolean {
  const parsed = parseHostHeader(hostHeader);
  if (!parsed || parsed.port !== policy.port) return false;
  const bare = parsed.name.replace(/^\[|\]$/g, '');
  if (parsed.name === 'localhost') return true;
  if (ipaddr.isValid(bare)) {
    // Bound to loopback, only loopback literals can reach us legitimately.
    return isLoopbackHost(policy.bindHost) ? isLoopbackHost(bare) : true;
  }
  return parsed.name === policy.bindHost.toLowerCase();
}

/**
 * Cross-site request defence: a browser names the page's origin on every POST and on
 * cross-origin requests. It must be this server (same scheme, a Host we answer to, our port).
 * An absent Origin is a same-origin GET or a non-browser client holding the token.
 */
export function isAllowedOrigin(origin: string | undefined, policy: HostPolicy): boolean {
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' || url.origin !== origin) return false;
  return isAllowedHost(url.host, policy);
}

/** `Sec-Fetch-Site` as Chromium and Firefox send it; only our own pages may call the API. */
export function isAllowedFetchSite(value: string | undefined): boolean {
  return value === undefined || value === 'same-origin' || value === 'none';
}

/** Constant-time comparison, so the token cannot be guessed byte by byte from response times. */
export function tokensEqual(candidate: string | undefined, token: string): boolean {
  if (candidate === undefined) return false;
  const a = Buffer.from(candidate);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The address people should open: wildcard binds are reached through loopback locally. */
export function displayHost(bindHost: string): string {
  if (isWildcardHost(bindHost)) return '127.0.0.1';
  return bindHost.includes(':') && !bindHost.startsWith('[') ? `[${bindHost}]` : bindHost;
}
