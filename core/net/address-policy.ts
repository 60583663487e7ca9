import ipaddr from 'ipaddr.js';

/**
 * Where an instance address sits, as far as the companion is concerned:
 * - `public`: the Ankra platform could reach it directly;
 * - `private`: an internal network (RFC 1918, ULA, CGNAT) — the reason the companion exists, and
 *   the reason webhooks need the relay;
 * - `loopback`: only with the explicit development setting (tests, demo).
 */
export type AddressClass = 'public' | 'private' | 'loopback';

export type AddressVerdict =
  | {
      readonly kind: 'allowed';
      /** The address in canonical form (IPv4-mapped IPv6 unwrapped). */
      readonly address: string;
      /** The ipaddr.js range name, e.g. `private`, `unicast`, `uniqueLocal`. */
      readonly range: string;
      readonly addressClass: AddressClass;
    }
  | {
      readonly kind: 'forbidden';
      readonly address: string;
      readonly range: string;
      /** One sentence for the user: which range, and why it is refused. */
      readonly reason: string;
    }
  | { readonly kind: 'invalid'; readonly address: string };

export interface AddressPolicyOptions {
  /** Development setting: lets an instance resolve to loopback. Never opens IMDS. */
  readonly allowLoopback?: boolean;
}

/**
 * Cloud metadata services. They sit in ranges that are otherwise refused (link-local) or allowed
 * (ULA, CGNAT), so they are listed one by one and refused whatever the settings say: a request
 * there from a cloud VM hands out the VM's credentials.
 */
const METADATA_ADDRESSES: ReadonlyMap<string, string> = new Map([
  ['169.254.169.254', 'cloud metadata service (AWS, Azure, GCP, OCI)'],
  ['169.254.170.2', 'AWS ECS task metadata service'],
  ['169.254.170.23', 'AWS EKS pod identity agent'],
  ['100.100.100.200', 'Alibaba Cloud metadata service'],
  ['fd00:ec2::254', 'AWS metadata service (IPv6)'],
  ['fd00:ec2::23', 'AWS EKS pod identity agent (IPv6)'],
  ['fd20:ce::254', 'GCP metadata service (IPv6)'],
]);

const PRIVATE_RANGES: ReadonlySet<string> = new Set(['private', 'uniqueLocal', 'carrierGradeNat']);

const RANGE_WORDS: Readonly<Record<string, string>> = {
  unspecified: 'the unspecified address',
  broadcast: 'a broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address',
  loopback: 'a loopback address (this machine)',
  reserved: 'a reserved or documentation range',
  as112: 'an AS112 sink address',
  as112v6: 'an AS112 sink address',
  amt: 'an AMT relay address',
  discard: 'the IPv6 discard prefix',
  benchmarking: 'a benchmarking range',
  deprecatedSiteLocal: 'a deprecated site-local address',
  deprecatedOrchid: 'an ORCHID identifier',
  orchid2: 'an ORCHID identifier',
  droneRemoteIdProtocolEntityTags: 'a drone remote ID tag',
  segmentRouting: 'a segment-routing identifier',
};

/**
 * Classifies one IP address for use as a Bitbucket instance address. Pure: no DNS, no packets.
 *
 * Allowed: public unicast and private ranges; loopback only with `allowLoopback`. Everything else
 * — link-local, metadata services, unspecified, multicast, broadcast, reserved, and the IPv6
 * transition forms that tunnel to an arbitrary IPv4 address — is refused. Addresses that embed an
 * IPv4 address (IPv4-mapped, NAT64, 6to4, Teredo) are judged by the embedded address too, so
 * `::ffff:127.0.0.1` or `64:ff9b::a9fe:a9fe` cannot smuggle a refused target.
 */
export function classifyAddress(
  address: string,
  options: AddressPolicyOptions = {},
): AddressVerdict {
  const text = stripZoneAndBrackets(address);
  if (!ipaddr.isValid(text)) return { kind: 'invalid', address };
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // process() unwraps IPv4-mapped IPv6 into the IPv4 address it stands for.
    parsed = ipaddr.process(text);
  } catch {
    return { kind: 'invalid', address };
  }
  return classifyParsed(parsed, options);
}

function classifyParsed(
  parsed: ipaddr.IPv4 | ipaddr.IPv6,
  options: AddressPolicyOptions,
): AddressVerdict {
  const address = parsed.toString();
  const metadata = METADATA_ADDRESSES.get(address);
  if (metadata !== undefined) {
    return {
      kind: 'forbidden',
      address,
      range: 'metadata',
      reason: `${address} is the ${metadata}; it is never an instance address.`,
    };
  }
  const range = parsed.range();
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    // The local-use NAT64 prefix may be any RFC 6052 length, and the network decides which: an
    // address is only as safe as the worst IPv4 address it could translate to.
    const candidates = localNat64Candidates(v6);
    if (candidates !== undefined) {
      let last: AddressVerdict = {
        kind: 'forbidden',
        address,
        range,
        reason: `${address} is a local-use NAT64 address without a well-formed IPv4 part.`,
      };
      let closest: AddressVerdict | undefined;
      for (const candidate of candidates) {
        last = judgeEmbedded(address, range, candidate, options);
        if (last.kind !== 'allowed') return last;
        // Report the most internal reading: it decides whether webhooks need the relay.
        if (last.addressClass !== 'public') closest ??= last;
      }
      return closest ?? last;
    }
    const embedded = embeddedIPv4(v6, range);
    if (embedded !== undefined) return judgeEmbedded(address, range, embedded, options);
  }
  if (range === 'unicast') return { kind: 'allowed', address, range, addressClass: 'public' };
  if (PRIVATE_RANGES.has(range)) {
    return { kind: 'allowed', address, range, addressClass: 'private' };
  }
  if (range === 'loopback' && options.allowLoopback === true) {
    return { kind: 'allowed', address, range, addressClass: 'loopback' };
  }
  const words = RANGE_WORDS[range] ?? `the ${range} range`;
  const extra =
    range === 'loopback' ? ' Loopback is allowed only with the development setting.' : '';
  return {
    kind: 'forbidden',
    address,
    range,
    reason: `${address} is ${words}, which is never an instance address.${extra}`,
  };
}

function judgeEmbedded(
  address: string,
  range: string,
  embedded: ipaddr.IPv4,
  options: AddressPolicyOptions,
): AddressVerdict {
  const inner = classifyParsed(embedded, options);
  const innerText = embedded.toString();
  if (inner.kind === 'forbidden' || inner.kind === 'invalid') {
    return {
      kind: 'forbidden',
      address,
      range: `${range}:${inner.kind === 'forbidden' ? inner.range : 'invalid'}`,
      reason: `${address} embeds ${innerText}, which is refused: ${
        inner.kind === 'forbidden' ? inner.reason : 'not an address'
      }`,
    };
  }
  // 6to4 and Teredo tunnel to whatever IPv4 host they embed; no Bitbucket instance lives behind
  // one, and allowing them would turn the policy into a question of which relay is in the path.
  if (range === '6to4' || range === 'teredo') {
    return {
      kind: 'forbidden',
      address,
      range,
      reason: `${address} is a ${range} tunnel address (to ${innerText}), which is never an instance address.`,
    };
  }
  // NAT64 (DNS64 networks hand these out for IPv4-only hosts): judged as the IPv4 host it reaches.
  return {
    kind: 'allowed',
    address,
    range: `${range}:${inner.range}`,
    addressClass: inner.addressClass,
  };
}

/**
 * For 64:ff9b:1::/48 (RFC 8215), the IPv4 address embedded at each RFC 6052 prefix length the
 * block allows (/48, /56, /64, /96), where the address is well-formed for that length: reserved
 * octet 8 and the suffix after the IPv4 part zero, IPv4 part outside 0.0.0.0/8. Undefined outside the block.
 */
function localNat64Candidates(address: ipaddr.IPv6): ipaddr.IPv4[] | undefined {
  const bytes = address.toByteArray();
  const prefix = [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01];
  if (prefix.some((octet, index) => bytes[index] !== octet)) return undefined;
  const candidates: ipaddr.IPv4[] = [];
  if (bytes[8] !== 0) return candidates;
  for (const start of [6, 7, 9, 12]) {
    const indexes: number[] = [];
    for (let index = start; indexes.length < 4; index += 1) {
      if (index !== 8 || start === 12) indexes.push(index);
    }
    const octets = indexes.map((index) => bytes[index] ?? 0);
    const suffix = bytes.slice(indexes[3]! + 1);
    // 0.0.0.0/8 is no translation target; a leading zero octet means another alignment applies.
    if (octets[0] === 0 || suffix.some((octet) => octet !== 0)) continue;
    candidates.push(new ipaddr.IPv4(octets));
  }
  return candidates;
}

/** The IPv4 address an IPv6 transition address carries, for the ranges that carry one. */
function embeddedIPv4(address: ipaddr.IPv6, range: string): ipaddr.IPv4 | undefined {
  const p = address.parts;
  const v4 = (high: number, low: number): ipaddr.IPv4 =>
    new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  switch (range) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d (process() normally unwraps it already)
    case 'rfc6145': // ::ffff:0:a.b.c.d
    case 'rfc6052': // 64:ff9b::a.b.c.d and the local-use 64:ff9b:1::/48
      return v4(p[6] ?? 0, p[7] ?? 0);
    case '6to4': // 2002:AABB:CCDD::/48
      return v4(p[1] ?? 0, p[2] ?? 0);
    case 'teredo': // 2001:0:server:server:flags:port:~client:~client
      return v4(~(p[6] ?? 0) & 0xffff, ~(p[7] ?? 0) & 0xffff);
    default:
      // ::a.b.c.d, the deprecated IPv4-compatible form, still reaches a.b.c.d on some stacks.
      if (p.slice(0, 6).every((part) => part === 0) && ((p[6] ?? 0) !== 0 || (p[7] ?? 0) > 1)) {
        return v4(p[6] ?? 0, p[7] ?? 0);
      }
      return undefined;
  }
}

function stripZoneAndBrackets(address: string): string {
  let text = address.trim();
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  // A zone index (`fe80::1%eth0`) names an interface, not a different address.
  const zone = text.indexOf('%');
  return zone === -1 ? text : text.slice(0, zone);
}

/** True when the verdict lets a connection go ahead. */
export function isAllowed(
  verdict: AddressVerdict,
): verdict is Extract<AddressVerdict, { kind: 'allowed' }> {
  return verdict.kind === 'allowed';
}
