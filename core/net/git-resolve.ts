import { isIP } from 'node:net';
import { resolveVetted, vetOne, type VettedAddress } from './guarded-lookup.js';
import type { NetworkOptions } from './network-options.js';

/**
 * One `http.curloptResolve` value (git ≥ 2.37, CURLOPT_RESOLVE): `HOST:PORT:ADDRESS[,ADDRESS]`,
 * an IPv6 address in brackets (curl ≥ 7.57). Sources: git's Documentation/config/http.adoc and
 * https://curl.se/libcurl/c/CURLOPT_RESOLVE.html (docs/connection-and-trust.md, "The git CLI").
 */
export function curlResolveEntry(
  hostname: string,
  port: number,
  addresses: readonly Pick<VettedAddress, 'address' | 'family'>[],
): string {
  const list = addresses.map((entry) =>
    entry.family === 6 ? `[${entry.address}]` : entry.address,
  );
  return `${hostname}:${port}:${list.join(',')}`;
}

/**
 * The address pin for a git subprocess that talks to `url`: the host is resolved and vetted here
 * with the same policy as the companion's own connections, and git (libcurl) is told to use
 * exactly those addresses instead of resolving the name again — otherwise a DNS answer that
 * changes between the check and git's own lookup would send the credential elsewhere. Undefined
 * when nothing needs pinning (platform traffic, an IP literal, which is vetted here). Throws
 * INSTANCE_ADDRESS_FORBIDDEN, or the resolver's error (ENOTFOUND…), like the HTTP stack does.
 *
 * Through a proxy, libcurl leaves the target name to the proxy (the pin is then unused), and the
 * vetting here is what the HTTP stack does too: the name as this machine resolves it.
 */
export async function gitResolvePin(
  url: string,
  network: Omit<NetworkOptions, 'env'>,
): Promise<string | undefined> {
  if (network.addressPolicy !== 'instance') return undefined;
  const parsed = new URL(url);
  const hostname = parsed.hostname.replace(/^\[|\]$/gu, '');
  const policy = { allowLoopback: network.allowLoopback === true };
  if (isIP(hostname) !== 0) {
    vetOne(hostname, hostname, policy);
    return undefined;
  }
  const port = parsed.port === '' ? (parsed.protocol === 'http:' ? 80 : 443) : Number(parsed.port);
  const vetted = await resolveVetted(hostname, policy, network.resolveHost);
  return curlResolveEntry(hostname, port, vetted);
}
