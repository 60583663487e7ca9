import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { CompanionError } from '../../common/errors/companion-error.js';
import { classifyAddress, type AddressClass, type AddressPolicyOptions } from './address-policy.js';

export interface VettedAddress {
  readonly address: string;
  readonly family: 4 | 6;
  readonly range: string;
  readonly addressClass: AddressClass;
}

/** Resolves a host name to every address, as `dns.lookup(…, { all: true })` does. */
export type Resolver = (
  hostname: string,
) => Promise<readonly { readonly address: string; readonly family: number }[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => {
      if (error) reject(error);
      else resolve(addresses);
    });
  });

/**
 * Resolves a host name and vets every address with the address policy.
 *
 * One refused address refuses the name: a name that answers both a private and a loopback
 * address is either misconfigured or a rebinding attempt, and the connection would pick one at
 * random. Resolver errors (ENOTFOUND, EAI_AGAIN…) are passed through for the caller to map.
 */
export async function resolveVetted(
  hostname: string,
  policy: AddressPolicyOptions,
  resolver: Resolver = systemResolver,
): Promise<readonly VettedAddress[]> {
  const addresses = await resolver(hostname);
  if (addresses.length === 0) {
    throw Object.assign(new Error(`${hostname} has no addresses`), {
      code: 'ENOTFOUND',
      hostname,
    });
  }
  return addresses.map((entry) => vetOne(hostname, entry.address, policy));
}

/** Vets one address (an IP literal, or one answer for `hostname`); throws when refused. */
export function vetOne(
  hostname: string,
  address: string,
  policy: AddressPolicyOptions,
): VettedAddress {
  const verdict = classifyAddress(address, policy);
  if (verdict.kind === 'allowed') {
    return {
      // Connect to the address exactly as resolved (an IPv4-mapped answer stays IPv6 on the wire).
      address,
      family: address.includes(':') ? 6 : 4,
      range: verdict.range,
      addressClass: verdict.addressClass,
    };
  }
  const via = hostname === address ? '' : `${hostname} resolves to ${address}: `;
  throw new CompanionError(
    'INSTANCE_ADDRESS_FORBIDDEN',
    `${via}${verdict.kind === 'forbidden' ? verdict.reason : `${address} is not a valid address.`}`,
    {
      data: {
        hostname,
        address: verdict.address,
        range: verdict.kind === 'forbidden' ? verdict.range : 'invalid',
      },
    },
  );
}

/**
 * A `net.connect` lookup that resolves, vets and pins: the socket connects only to the addresses
 * that were vetted in this very call, so a DNS answer that changes between check and connect
 * (rebinding) cannot slip through. Node calls it with `{ all: true }` when autoSelectFamily is on
 * and without it otherwise; both callback shapes are served.
 */
export function createGuardedLookup(
  policy: AddressPolicyOptions,
  resolver: Resolver = systemResolver,
): LookupFunction {
  return (hostname, options, callback) => {
    resolveVetted(hostname, policy, resolver).then(
      (vetted) => {
        const wanted = options.family === 4 || options.family === 6 ? options.family : 0;
        const usable = wanted === 0 ? vetted : vetted.filter((entry) => entry.family === wanted);
        if (usable.length === 0) {
          const error = Object.assign(new Error(`${hostname} has no IPv${wanted} address`), {
            code: 'ENOTFOUND',
            hostname,
          });
          callback(error, '', 0);
          return;
        }
        if (options.all === true) {
          // The LookupFunction type only declares the single-address shape.
          const all = usable.map((entry) => ({ address: entry.address, family: entry.family }));
          (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, all);
          return;
        }
        const first = usable[0]!;
        callback(null, first.address, first.family);
      },
      (error: unknown) => {
        callback(error as NodeJS.ErrnoException, '', 0);
      },
    );
  };
}
