import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { isErrorCode } from '../../../common/errors/catalogue.js';
import { CompanionError } from '../../../common/errors/companion-error.js';
import { validateCaPem } from '../../../core/trust/validate-ca.js';
import { makePki, type TestPki } from '../net/test-pki.js';

let pki: TestPki;
beforeAll(() => {
  pki = makePki('Property');
});

/** Runs the validator and returns 'ok' or the code; anything but a CompanionError fails the test. */
function outcome(text: string): string {
  const started = performance.now();
  try {
    validateCaPem(text, { allowIntermediate: true });
    return 'ok';
  } catch (error) {
    if (!(error instanceof CompanionError)) throw error;
    expect(isErrorCode(error.code)).toBe(true);
    expect(error.code === 'FILE_READ_FAILED' || error.code.startsWith('TRUST_')).toBe(true);
    return error.code;
  } finally {
    // Linear-time parsing: even a hostile 64 KiB input is handled in well under a second.
    expect(performance.now() - started).toBeLessThan(1000);
  }
}

/** A PEM with one of many realistic or hostile mutations applied. */
function mutatedPem(): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.constantFrom('root', 'intermediate', 'leaf', 'bundle'),
      fc.nat(),
      fc.integer({ min: 0, max: 11 }),
      fc.string({ maxLength: 40 }),
      fc.uint8Array({ maxLength: 64 }),
    )
    .map(([which, position, mutation, text, bytes]) => {
      const pem =
        which === 'root'
          ? pki.root.certPem
          : which === 'intermediate'
            ? pki.intermediate.certPem
            : which === 'leaf'
              ? pki.leaf.certPem
              : pki.root.certPem + pki.intermediate.certPem;
      const at = position % pem.length;
      switch (mutation) {
        case 0: // flip one character of the body
          return (
            pem.slice(0, at) +
            String.fromCharCode((pem.charCodeAt(at) % 94) + 33) +
            pem.slice(at + 1)
          );
        case 1: // truncate
          return pem.slice(0, at);
        case 2: // insert arbitrary text
          return pem.slice(0, at) + text + pem.slice(at);
        case 3: // delete a chunk
          return pem.slice(0, at) + pem.slice(Math.min(pem.length, at + 1 + (position % 50)));
        case 4: // rename the block
          return pem.replace(/CERTIFICATE/g, text.replace(/[^A-Z ]/g, '') || 'PUBLIC KEY');
        case 5: // corrupt the DER but keep valid base64
          return `-----BEGIN CERTIFICATE-----\n${Buffer.concat([
            Buffer.from(pem.split('\n').slice(1, -2).join(''), 'base64').subarray(0, at % 400),
            Buffer.from(bytes),
          ]).toString('base64')}\n-----END CERTIFICATE-----\n`;
        case 6: // random bytes as a certificate
          return `-----BEGIN CERTIFICATE-----\n${Buffer.from(bytes).toString('base64')}\n-----END CERTIFICATE-----\n`;
        case 7: // CRLF and trailing noise
          return `${pem.replace(/\n/g, '\r\n')}${text}`;
        case 8: // nested BEGIN lines
          return pem.replace('-----END', `-----BEGIN CERTIFICATE-----\n${text}\n-----END`);
        case 9: // many repetitions
          return pem.repeat(1 + (position % 20));
        case 10: // unicode and NULs in the body
          return pem.slice(0, at) + '\u0000\u202e' + text + pem.slice(at);
        default:
          return pem;
      }
    });
}

describe('validateCaPem on random and mutated input', () => {
  it('answers arbitrary strings with a coded refusal, never a crash', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (text) => {
        expect(outcome(text)).not.toBe('ok');
      }),
      { numRuns: 400 },
    );
  });

  it('answers arbitrary PEM-shaped text with a coded refusal', () => {
    const pemLike = fc
      .tuple(
        fc.string({ maxLength: 30 }),
        fc.base64String({ maxLength: 600 }),
        fc.string({ maxLength: 30 }),
      )
      .map(
        ([label, body, trailer]) =>
          `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n${trailer}`,
      );
    fc.assert(
      fc.property(pemLike, (text) => {
        outcome(text);
      }),
      { numRuns: 400 },
    );
  });

  it('answers mutated certificates with ok or a coded refusal', () => {
    fc.assert(
      fc.property(mutatedPem(), (text) => {
        outcome(text);
      }),
      { numRuns: 600 },
    );
  });

  it('never accepts a leaf, whatever surrounds it', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 200 }), (before, after) => {
        const code = outcome(
          `${before.replace(/-/g, '')}\n${pki.leaf.certPem}\n${after.replace(/-/g, '')}`,
        );
        expect(code).not.toBe('ok');
      }),
      { numRuns: 200 },
    );
  });

  it('handles inputs near the 64 KiB limit in bounded time', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 60 * 1024, max: 70 * 1024 }),
        fc.constantFrom('-', 'A', '\n', '-----BEGIN '),
        (size, unit) => {
          outcome(unit.repeat(Math.ceil(size / unit.length)).slice(0, size));
        },
      ),
      { numRuns: 30 },
    );
  });
});
