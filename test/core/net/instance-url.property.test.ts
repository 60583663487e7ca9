import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompanionError } from '../../../common/errors/companion-error.js';
import { classifyAddress } from '../../../core/net/address-policy.js';
import { parseInstanceUrl } from '../../../core/net/instance-url.js';
import { runProbe } from '../../../core/probe/run-probe.js';

const URL_CODES = new Set(['URL_INVALID', 'HTTPS_REQUIRED', 'INSTANCE_ADDRESS_FORBIDDEN']);

function urlOutcome(input: string, allowLoopback = false): string {
  try {
    const parsed = parseInstanceUrl(input, { allowLoopback });
    expect(parsed.baseUrl.startsWith('https://')).toBe(true);
    expect(parsed.baseUrl.endsWith('/')).toBe(false);
    return 'ok';
  } catch (error) {
    if (!(error instanceof CompanionError)) throw error;
    expect(URL_CODES.has(error.code)).toBe(true);
    return error.code;
  }
}

/** Every textual form WHATWG URL accepts for one IPv4 address. */
function encodings(octets: readonly number[]): string[] {
  const value = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  const [a, b, c, d] = octets as [number, number, number, number];
  return [
    octets.join('.'),
    String(value),
    `0x${value.toString(16)}`,
    `0${value.toString(8)}`,
    `${a}.${b * 65536 + c * 256 + d}`,
    `${a}.${b}.${c * 256 + d}`,
    `0x${a.toString(16)}.${b}.0${c.toString(8)}.${d}`,
    `[::ffff:${octets.join('.')}]`,
    `[::ffff:${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}]`,
  ];
}

const refusedIPv4 = fc.oneof(
  fc.tuple(fc.constant(127), fc.nat(255), fc.nat(255), fc.nat(255)),
  fc.tuple(fc.constant(169), fc.constant(254), fc.nat(255), fc.nat(255)),
  fc.tuple(fc.constant(0), fc.nat(255), fc.nat(255), fc.nat(255)),
  fc.tuple(fc.integer({ min: 224, max: 255 }), fc.nat(255), fc.nat(255), fc.nat(255)),
);

describe('instance URL and address policy on random input', () => {
  it('answers arbitrary strings with a URL code, never a crash', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        urlOutcome(text);
        urlOutcome(`https://${text}`);
      }),
      { numRuns: 1000 },
    );
  });

  it('accepts generated https URLs or refuses them with a URL code', () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), (url) => {
        const code = urlOutcome(url);
        if (url.startsWith('http://')) expect(code).toBe('HTTPS_REQUIRED');
      }),
      { numRuns: 500 },
    );
  });

  it('refuses every encoding of loopback, link-local, unspecified and multicast IPv4', () => {
    fc.assert(
      fc.property(refusedIPv4, (octets) => {
        for (const host of encodings(octets)) {
          expect(urlOutcome(`https://${host}/bitbucket`)).toBe('INSTANCE_ADDRESS_FORBIDDEN');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('allows every encoding of a private IPv4 address', () => {
    const privateIPv4 = fc.oneof(
      fc.tuple(fc.constant(10), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 })),
      fc.tuple(fc.constant(192), fc.constant(168), fc.nat(255), fc.integer({ min: 1, max: 254 })),
    );
    fc.assert(
      fc.property(privateIPv4, (octets) => {
        for (const host of encodings(octets)) expect(urlOutcome(`https://${host}`)).toBe('ok');
      }),
      { numRuns: 200 },
    );
  });

  it('classifies any IPv6 address without throwing, and never allows an embedded refused IPv4', () => {
    fc.assert(
      fc.property(fc.ipV6(), (address) => {
        const verdict = classifyAddress(address);
        expect(['allowed', 'forbidden', 'invalid']).toContain(verdict.kind);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(
        refusedIPv4,
        fc.constantFrom('::ffff:', '64:ff9b::', '::ffff:0:'),
        (octets, prefix) => {
          expect(
            classifyAddress(`${prefix}${octets.join('.')}`, { allowLoopback: false }).kind,
          ).toBe('forbidden');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never lets loopback through without the setting, for any representation', () => {
    fc.assert(
      fc.property(fc.ipV4Extended(), (host) => {
        let parsed: URL;
        try {
          parsed = new URL(`https://${host}`);
        } catch {
          return;
        }
        if (!parsed.hostname.startsWith('127.')) return;
        expect(urlOutcome(`https://${host}`)).toBe('INSTANCE_ADDRESS_FORBIDDEN');
      }),
      { numRuns: 500 },
    );
  });
});

describe('runProbe on random input (no packets leave the machine)', () => {
  it('always ends with coded steps, never a crash', async () => {
    // Host names resolve (through the injected resolver) to the metadata address, so the probe
    // stops at the address step; IP literals are kept to refused ranges for the same reason.
    const input = fc.oneof(
      fc.string({ maxLength: 100 }),
      fc.webUrl().map((url) => url.replace(/^http:/, 'https:')),
      refusedIPv4.map((octets) => `https://${encodings(octets)[0]}`),
    );
    await fc.assert(
      fc.asyncProperty(input, async (url) => {
        let host = '';
        try {
          host = new URL(url).hostname;
        } catch {
          host = '';
        }
        const literal = /^[\d.]+$|^\[/.test(host);
        if (literal && classifyAddress(host).kind === 'allowed') return;
        const result = await runProbe(url, {
          env: {},
          resolver: async () => [{ address: '169.254.169.254', family: 4 }],
        });
        expect(result.ok).toBe(false);
        expect(result.error?.code).toMatch(/^[A-Z_]+$/);
        const last = result.steps.at(-1)!;
        expect(last.ok).toBe(false);
        expect(['url', 'dns', 'address']).toContain(last.name);
      }),
      { numRuns: 300 },
    );
  });
});
