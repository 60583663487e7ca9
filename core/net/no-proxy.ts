import { BlockList, isIP } from 'node:net';

const DEFAULT_PORTS: Readonly<Record<string, number>> = {
  'http:': 80,
  'https:': 443,
  'ws:': 80,
  'wss:': 443,
};

/**
 * Whether `target` bypasses the proxy under a NO_PROXY-style list (the variable, or the bypass
 * list of the Network setting). One rule for every path — the companion decides the route and
 * hands git an explicit `http.proxy`, so libcurl's and undici's slightly different readings never
 * apply (docs/network.md, "Bypass list", with sources):
 *
 * - entries are separated by commas or white space; a list of exactly `*` bypasses everything;
 * - a host name matches itself and every subdomain; a leading `.` or `*.` is ignored, so
 *   `.corp.example`, `*.corp.example` and `corp.example` all match `corp.example` and
 *   `git.corp.example` (curl and undici agree), and never `evilcorp.example`;
 * - `host:port` matches only that port (the URL's default port when it names none);
 * - an IP address matches that address; `10.0.0.0/8` or `fd00::/8` matches the range (curl ≥ 7.86)
 *   — for IP-literal URLs only: the companion does not resolve names to match ranges;
 * - matching ignores case; an IPv6 entry may be bracketed (`[::1]:8443`).
 */
export function bypassesProxy(target: URL, noProxy: string): boolean {
  const list = noProxy.trim();
  if (list === '') return false;
  if (list === '*') return true;
  const hostname = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = Number.parseInt(target.port, 10) || DEFAULT_PORTS[target.protocol] || 0;
  const hostIp = isIP(hostname);
  for (const raw of list.split(/[\s,]+/)) {
    if (raw === '') continue;
    const entry = splitEntry(raw.toLowerCase());
    if (entry.port !== undefined && entry.port !== port) continue;
    if (entry.cidr !== undefined) {
      if (hostIp !== 0 && inRange(hostname, hostIp, entry.host, entry.cidr)) return true;
      continue;
    }
    const name = entry.host.replace(/^\*?\./, '').replace(/\.$/, '');
    if (name === '') continue;
    if (hostname === name) return true;
    if (isIP(name) === 0 && hostname.endsWith(`.${name}`)) return true;
  }
  return false;
}

interface NoProxyEntry {
  readonly host: string;
  readonly port: number | undefined;
  readonly cidr: number | undefined;
}

function splitEntry(raw: string): NoProxyEntry {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(raw);
  if (bracketed) {
    return withCidr(bracketed[1]!, bracketed[2] === undefined ? undefined : Number(bracketed[2]));
  }
  // A bare IPv6 address (with or without a prefix) has several colons and no port.
  if ((raw.match(/:/g) ?? []).length > 1) return withCidr(raw, undefined);
  const withPort = /^(.*):(\d+)$/.exec(raw);
  return withPort ? withCidr(withPort[1]!, Number(withPort[2])) : withCidr(raw, undefined);
}

function withCidr(host: string, port: number | undefined): NoProxyEntry {
  const range = /^(.+)\/(\d{1,3})$/.exec(host);
  if (range && isIP(range[1]!) !== 0) {
    return { host: range[1]!, port, cidr: Number(range[2]) };
  }
  return { host, port, cidr: undefined };
}

function inRange(address: string, family: number, network: string, prefix: number): boolean {
  const networkFamily = isIP(network);
  if (networkFamily !== family) return false;
  if (prefix > (family === 4 ? 32 : 128)) return false;
  const list = new BlockList();
  list.addSubnet(network, prefix, family === 4 ? 'ipv4' : 'ipv6');
  return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
}
