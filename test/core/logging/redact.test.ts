import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  isSensitiveKey,
  REDACTED,
  REDACTED_PRIVATE_KEY,
  Redactor,
  redactText,
  registerSecret,
} from '../../../core/logging/redact.js';

const PEM = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEowIBAAKCAQEAv3Vx1oLz4m7JsyGk2l2h8aE0bE4I7+P1kq3c6Pj1gBf4kV0X',
  'q1Zp9e2WnH7Rl4nY2Xg8nqY=',
  '-----END RSA PRIVATE KEY-----',
].join('\n');

describe('redactor: registered secrets', () => {
  it('replaces a registered value wherever it appears, plain, URL-encoded and Base64', () => {
    const redactor = new Redactor();
    const secret = 'wh-s3cr3t/with+chars';
    redactor.register(secret);
    const text = redactor.text(
      `saw ${secret} and ${encodeURIComponent(secret)} and ${Buffer.from(secret).toString('base64')}`,
    );
    expect(text).not.toContain(secret);
    expect(text).not.toContain(encodeURIComponent(secret));
    expect(text).not.toContain(Buffer.from(secret).toString('base64'));
    expect(text.split(REDACTED)).toHaveLength(4);
  });

  it('replaces the longer of two overlapping secrets whole', () => {
    const redactor = new Redactor();
    redactor.register('abcd1234');
    redactor.register('abcd1234efgh5678');
    expect(redactor.text('x abcd1234efgh5678 y')).toBe(`x ${REDACTED} y`);
  });

  it('forgets a value once every registration of it is released', () => {
    const redactor = new Redactor();
    const release1 = redactor.register('token-value-1');
    const release2 = redactor.register('token-value-1');
    release1();
    release1();
    expect(redactor.text('token-value-1')).toBe(REDACTED);
    release2();
    expect(redactor.text('token-value-1')).toBe('token-value-1');
    expect(redactor.size).toBe(0);
  });

  it('registers the secret fields of a JSON-valued secret (the OAuth token set) with it', () => {
    const redactor = new Redactor();
    const release = redactor.register(
      JSON.stringify({
        accessToken: 'at-111-222-333',
        refreshToken: 'rt-444-555-666',
        expiresAt: '2030-01-01',
      }),
    );
    expect(redactor.text('sent at-111-222-333 then rt-444-555-666 until 2030-01-01')).toBe(
      `sent ${REDACTED} then ${REDACTED} until 2030-01-01`,
    );
    release();
    expect(redactor.size).toBe(0);
  });

  it('ignores values too short to be worth replacing everywhere', () => {
    const redactor = new Redactor();
    redactor.register('abc');
    redactor.register('');
    redactor.register(undefined);
    expect(redactor.text('abc abc')).toBe('abc abc');
  });

  it('the process-wide registerSecret feeds redactText', () => {
    const forget = registerSecret('process-wide-secret-9f8e');
    expect(redactText('x=process-wide-secret-9f8e')).not.toContain('9f8e');
    forget();
    expect(redactText('process-wide-secret-9f8e')).toBe('process-wide-secret-9f8e');
  });

  it('property: any registered secret of 4+ characters never survives in any surrounding text', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 4, maxLength: 40 }),
        fc.string({ maxLength: 30 }),
        fc.string({ maxLength: 30 }),
        (secret, before, after) => {
          const redactor = new Redactor();
          redactor.register(secret);
          expect(redactor.text(`${before}${secret}${after}`)).not.toContain(secret);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('redactor: patterns for secrets nobody registered', () => {
  const redactor = new Redactor();
  it.each([
    ['Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig', 'eyJhbGci'],
    ['authorization=Basic dXNlcjpwYXNzd29yZA==', 'dXNlcjpw'],
    ['Proxy-Authorization: Basic cHJveHk6c2VjcmV0', 'cHJveHk6'],
    ['sent Bearer abcDEF123456ghi to the server', 'abcDEF123456'],
    ['token BBDC-MzE3Mzk0NDM2OTc2OkZ3bXhYQzR2 pasted', 'MzE3Mzk0'],
    ['GET /cb?code=authcode123&state=xyz', 'authcode123'],
    ['https://host/x?access_token=tok987654&other=1', 'tok987654'],
    ['grant_type=refresh_token&refresh_token=rt-5555-abc&client_secret=cs-777', 'rt-5555-abc'],
    ['grant_type=refresh_token&refresh_token=rt-5555-abc&client_secret=cs-777', 'cs-777'],
    ['password=hunter22 user=bob', 'hunter22'],
    ['https://alice:p4ssw0rd@bdc.example.com/scm/p/r.git', 'p4ssw0rd'],
    ['{"access_token":"at-123-456","token_type":"bearer"}', 'at-123-456'],
    ['{"webhookSecret": "esc\\"aped-secret"}', 'aped-secret'],
    [`key follows\n${PEM}\ndone`, 'MIIEowIBAAKCAQEA'],
    ['-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEF (cut off', 'MIIEvQIBADAN'],
  ])('%s', (input, secretPart) => {
    const output = redactor.text(input);
    expect(output).not.toContain(secretPart);
    expect(output).toMatch(/\[REDACTED/);
  });

  it('keeps the shape around what it removes', () => {
    expect(redactor.text('Authorization: Bearer abc.def.ghi')).toBe(`Authorization: ${REDACTED}`);
    expect(redactor.text('/cb?code=c0de1&state=s1')).toBe(`/cb?code=${REDACTED}&state=s1`);
    expect(redactor.text(`a\n${PEM}\nb`)).toBe(`a\n${REDACTED_PRIVATE_KEY}\nb`);
    expect(redactor.text('https://u:pw123@h/p')).toBe(`https://u:${REDACTED}@h/p`);
  });

  it('leaves ordinary prose and public data alone', () => {
    for (const text of [
      'Basic authentication is disabled on this instance',
      'push refused: non-fast-forward on refs/heads/main',
      'exit code=1 from git',
      'https://bdc.example.com/rest/api/1.0/application-properties',
      '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
      'token expired for user alice; refreshing',
    ]) {
      expect(redactor.text(text)).toBe(text);
    }
  });
});

describe('redactor: values', () => {
  const redactor = new Redactor();

  it('replaces values under sensitive keys and recurses into objects, arrays, maps and errors', () => {
    redactor.register('registered-deep-secret');
    const error = new Error('failed with registered-deep-secret');
    (error as Error & { code?: string }).code = 'AUTH_FAILED';
    const input = {
      headers: { Authorization: 'Basic xyz', 'X-Api-Key': 'k-1', accept: 'application/json' },
      list: [{ password: 'p' }, 'Bearer ABCdef123456'],
      nested: new Map([['clientSecret', 'cs']]),
      error,
      secretKind: 'pat',
      oauth: { code: 'aBc123-xyz_Q', state: 's' },
      failure: { code: 'AUTH_FAILED' },
      hasToken: true,
      tokenExpiresAt: '2026-01-01',
      buffer: Buffer.from('binary secret'),
      when: new Date('2026-11-28T00:00:00Z'),
    };
    const output = redactor.value(input);
    const text = JSON.stringify(output);
    for (const leaked of [
      'xyz',
      'k-1',
      '"p"',
      'ABCdef123456',
      'registered-deep-secret',
      'binary secret',
    ]) {
      expect(text).not.toContain(leaked);
    }
    expect(output).toMatchObject({
      headers: { accept: 'application/json', Authorization: REDACTED },
      nested: { clientSecret: REDACTED },
      error: { name: 'Error', code: 'AUTH_FAILED' },
      secretKind: 'pat',
      hasToken: true,
      tokenExpiresAt: '2026-01-01',
      oauth: { code: REDACTED, state: 's' },
      failure: { code: 'AUTH_FAILED' },
      buffer: '[binary 13 bytes]',
      when: '2026-11-28T00:00:00.000Z',
    });
    expect(input.headers.Authorization).toBe('Basic xyz');
  });

  it('survives cycles and absurd depth', () => {
    const cyclic: Record<string, unknown> = { name: 'a' };
    cyclic.self = cyclic;
    expect(redactor.value(cyclic)).toEqual({ name: 'a', self: '[Circular]' });
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 50; i += 1) {
      deep.next = {};
      deep = deep.next as Record<string, unknown>;
    }
    expect(JSON.stringify(redactor.value(root))).toContain('[Truncated]');
  });

  it('classifies field names', () => {
    for (const key of [
      'authorization',
      'webhookSecret',
      'access_token',
      'X-Api-Key',
      'pat',
      'privateKey',
      'set-cookie',
    ]) {
      expect(isSensitiveKey(key), key).toBe(true);
    }
    for (const key of [
      'secretKind',
      'tokenType',
      'path',
      'secretStore',
      'tokenExpiresAt',
      'user',
    ]) {
      expect(isSensitiveKey(key), key).toBe(false);
    }
  });
});
