import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signBody, verifySignature } from '../../../core/relay/signature.js';

describe('webhook signature', () => {
  it('matches the test vectors of docs/bdc-api-facts.md §4.2', () => {
    expect(signBody('s3cr3t', Buffer.from('{"test":true}'))).toBe(
      'sha256=fb5ae2ff34df84bac61e1fc1bd02da526cf29c8e0af411e2fb31c068315a97f9',
    );
    expect(signBody('Gkvl$k$wyNpQAF42', Buffer.from('{"eventKey":"repo:refs_changed"}'))).toBe(
      'sha256=9f364cfaa50afa27089f75226055b4dbf1e8f0d013d59b510f3e8c3041055fe7',
    );
  });

  it('accepts the right secret, refuses a wrong one, a missing header and malformed forms', () => {
    const body = Buffer.from('{"test":true}');
    const good = signBody('s3cr3t', body);
    expect(verifySignature(good, body, ['s3cr3t'])).toBe('valid');
    expect(
      verifySignature(good.toUpperCase().replace('SHA256=', 'sha256='), body, ['s3cr3t']),
    ).toBe('valid');
    expect(verifySignature(good, body, ['other'])).toBe('invalid');
    expect(verifySignature(good, Buffer.from('{"test":false}'), ['s3cr3t'])).toBe('invalid');
    expect(verifySignature(undefined, body, ['s3cr3t'])).toBe('missing');
    expect(verifySignature('', body, ['s3cr3t'])).toBe('missing');
    expect(verifySignature(good.replace('sha256=', 'sha1='), body, ['s3cr3t'])).toBe('invalid');
    expect(verifySignature(good.slice(0, -2), body, ['s3cr3t'])).toBe('invalid');
    expect(verifySignature(`${good.slice(0, -1)}g`, body, ['s3cr3t'])).toBe('invalid');
    expect(verifySignature(good, body, [])).toBe('invalid');
  });

  it('accepts either secret during a rotation', () => {
    const body = Buffer.from('{}');
    expect(verifySignature(signBody('old', body), body, ['new', 'old'])).toBe('valid');
    expect(verifySignature(signBody('new', body), body, ['new', 'old'])).toBe('valid');
  });

  it('never throws on arbitrary headers and bodies', () => {
    fc.assert(
      fc.property(fc.string(), fc.uint8Array(), (header, body) => {
        expect(['valid', 'missing', 'invalid']).toContain(verifySignature(header, body, ['k']));
      }),
    );
  });
});
