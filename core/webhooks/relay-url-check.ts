import ipaddr from 'ipaddr.js';
import { CompanionError } from '../../common/errors/companion-error.js';
import type { HintSurface } from '../../common/errors/hint-surface.js';

export interface NetworkInterfaceAddress {
  readonly name: string;
  readonly address: string;
}

/** Interface names VPN clients create (OpenVPN, WireGuard, IPsec, Tailscale, ZeroTier, macOS utun…). */
const VPN_INTERFACE = /^(tun|tap|utun|wg|ppp|ipsec|tailscale|zt|vpn|gpd|cscotun|nordlynx)/i;

export interface RelayUrlAssessment {
  readonly url: string;
  readonly warnings: readonly string[];
}

/**
 * How to give the relay a certificate, in the words of where the warning is shown (a hint speaks
 * where it is shown: docs/troubleshooting.md): the relay settings' HTTPS fields in a window, the
 * `installation update` flags on the command line.
 */
const RELAY_CERTIFICATE_HOW: Readonly<Record<HintSurface, string>> = {
  gui: 'the relay settings\' "HTTPS between BDC and the relay" part: a certificate file and its key file',
  cli: '`installation update <name> --relay-tls-cert F --relay-tls-key F`',
};

/**
 * Checks the relay URL an admin wants BDC to call, before registering it: the form (http(s), the
 * relay's path for this installation) is an error; addresses BDC most likely cannot reach are
 * warnings, because only BDC's own test proves reachability. The point is the case nobody else
 * catches: a relay on a laptop whose address belongs to a VPN client interface, which the
 * corporate network can rarely open connections to. `surface` is where the warnings are shown:
 * the service (desktop, `serve`) asks for the GUI's words, the CLI for its own.
 */
export function assessRelayUrl(
  text: string,
  platformInstallationId: string,
  interfaces: readonly NetworkInterfaceAddress[] = [],
  surface: HintSurface = 'cli',
): RelayUrlAssessment {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw invalid(text, 'it is not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw invalid(text, 'it must use https:// or http://');
  if (url.username || url.password)
    throw invalid(text, 'it must not contain a user name or password');
  if (url.search || url.hash) throw invalid(text, 'it must not contain a query or fragment');
  const expectedPath = `/webhooks/bitbucket-dc/${encodeURIComponent(platformInstallationId)}`;
  if (
    url.pathname.replace(/\/+$/, '') !== expectedPath &&
    !url.pathname.replace(/\/+$/, '').endsWith(expectedPath)
  ) {
    throw invalid(
      text,
      `its path must end with ${expectedPath}, where the relay listens for this installation`,
    );
  }
  const warnings: string[] = [];
  if (url.protocol === 'http:') {
    warnings.push(
      `BDC would send deliveries unencrypted over http://; give the relay a certificate (${RELAY_CERTIFICATE_HOW[surface]}) and use https://.`,
    );
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) {
    warnings.push(
      `"${host}" is this machine: BDC can only reach it if BDC runs on the same machine as the relay.`,
    );
  }
  if (host.endsWith('.local')) {
    warnings.push(`"${host}" is a multicast-DNS name; BDC's servers usually cannot resolve it.`);
  }
  if (ipaddr.isValid(host)) {
    let address = ipaddr.parse(host);
    if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
      address = (address as ipaddr.IPv6).toIPv4Address();
    }
    const range = address.range();
    if (range === 'loopback') {
      warnings.push(
        `${host} is a loopback address: BDC would call itself, not this relay, unless both run on the same machine.`,
      );
    } else if (range === 'unspecified') {
      throw invalid(
        text,
        `${host} is not an address anyone can connect to; use this machine's address as BDC sees it`,
      );
    } else if (range === 'linkLocal') {
      warnings.push(
        `${host} is link-local: reachable only from the same network segment, rarely from BDC.`,
      );
    } else if (range === 'carrierGradeNat') {
      warnings.push(
        `${host} is in 100.64.0.0/10, typical of VPN clients (Tailscale and others) and carrier NAT: BDC can rarely open connections to it.`,
      );
    }
    const owner = interfaces.find((candidate) => sameAddress(candidate.address, host));
    if (owner !== undefined && VPN_INTERFACE.test(owner.name)) {
      warnings.push(
        `${host} belongs to this machine's VPN interface ${owner.name}: a laptop on a VPN is usually not reachable from BDC. Run the relay on a server BDC can reach.`,
      );
    }
  }
  return { url: url.toString(), warnings };
}

function sameAddress(a: string, b: string): boolean {
  try {
    return ipaddr.process(a).toString() === ipaddr.process(b).toString();
  } catch {
    return false;
  }
}

function invalid(text: string, why: string): CompanionError {
  return new CompanionError(
    'WEBHOOK_URL_INVALID',
    `The relay URL "${text.slice(0, 200)}" cannot be used: ${why}.`,
    {
      data: { url: text.slice(0, 200) },
    },
  );
}
