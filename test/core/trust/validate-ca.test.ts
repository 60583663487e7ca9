import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompanionError } from '../../../common/errors/companion-error.js';
import { validateCaPem } from '../../../core/trust/validate-ca.js';
import { makeCert, makePki, ONE_DAY_MS, type TestPki } from '../net/test-pki.js';

let pki: TestPki;
let work: string;
let ecRoot: string;
let ed25519Root: string;

/** A root CA made by the openssl command line, as an administrator would (EC and Ed25519). */
function opensslRoot(kind: 'ec' | 'ed25519'): string {
  const key = path.join(work, `${kind}.key`);
  const cert = path.join(work, `${kind}.pem`);
  const newkey =
    kind === 'ec'
      ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']
      : ['-newkey', 'ed25519'];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      ...newkey,
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '365',
      '-subj',
      `/CN=OpenSSL ${kind} Root CA`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    { stdio: 'ignore' },
  );
  return readFileSync(cert, 'utf8');
}

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'ca-check-'));
  pki = makePki('Validate');
  ecRoot = opensslRoot('ec');
  ed25519Root = opensslRoot('ed25519');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function codeOf(text: string, allowIntermediate = false): string {
  try {
    validateCaPem(text, { allowIntermediate });
    return 'ok';
  } catch (error) {
    if (error instanceof CompanionError) return error.code;
    throw error;
  }
}

describe('validateCaPem', () => {
  it('accepts every CA certificate in the system store (/etc/ssl/certs)', () => {
    const files = readdirSync('/etc/ssl/certs').filter((name) => name.endsWith('.pem'));
    expect(files.length).toBeGreaterThan(50);
    let accepted = 0;
    for (const file of files) {
      const text = readFileSync(path.join('/etc/ssl/certs', file), 'utf8');
      const x509 = new X509Certificate(text);
      if (Date.parse(x509.validTo) < Date.now()) {
        // The store still ships a few roots that have expired since: refused for that reason only.
        expect(codeOf(text)).toBe('TRUST_EXPIRED');
        continue;
      }
      const result = validateCaPem(text);
      expect(result.certificates).toHaveLength(1);
      expect(result.certificates[0]!.ca).toBe(true);
      accepted += 1;
    }
    expect(accepted).toBeGreaterThan(50);
  });

  it('accepts RSA, EC and Ed25519 roots and shows what the user must confirm', () => {
    for (const pem of [pki.root.certPem, ecRoot, ed25519Root]) {
      const result = validateCaPem(pem);
      const [certificate] = result.certificates;
      expect(certificate).toMatchObject({ role: 'root', selfSigned: true, ca: true });
      expect(certificate!.sha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      expect(Date.parse(certificate!.notAfter)).toBeGreaterThan(Date.now());
      expect(result.pems[0]).toContain('-----BEGIN CERTIFICATE-----');
    }
    expect(validateCaPem(ecRoot).certificates[0]!.keyType).toBe('ec');
    expect(validateCaPem(ed25519Root).certificates[0]!.keyType).toBe('ed25519');
    expect(validateCaPem(pki.root.certPem).certificates[0]!.subject).toContain(
      'CN=Validate Root CA',
    );
  });

  it('accepts CRLF, surrounding text and a root + intermediate bundle, de-duplicated', () => {
    const text = `Here is our CA:\r\n${pki.root.certPem.replace(/\n/g, '\r\n')}\r\nand\n${pki.intermediate.certPem}${pki.root.certPem}`;
    const result = validateCaPem(text);
    expect(result.certificates.map((certificate) => certificate.role)).toEqual([
      'root',
      'intermediate',
    ]);
    expect(result.warnings.some((warning) => warning.includes('more than once'))).toBe(true);
    expect(result.intermediateOnly).toBe(false);
  });

  it('needs the explicit partial-chain choice for an intermediate alone', () => {
    expect(codeOf(pki.intermediate.certPem)).toBe('TRUST_INTERMEDIATE_ONLY');
    const result = validateCaPem(pki.intermediate.certPem, { allowIntermediate: true });
    expect(result.intermediateOnly).toBe(true);
    expect(result.warnings.join(' ')).toContain('partial chain');
  });

  it('refuses a leaf (server) certificate', () => {
    expect(codeOf(pki.leaf.certPem)).toBe('TRUST_NOT_CA');
    expect(codeOf(pki.root.certPem + pki.leaf.certPem)).toBe('TRUST_NOT_CA');
    const noBasic = makeCert({ commonName: 'No Basic', ca: true, noBasicConstraints: true });
    expect(codeOf(noBasic.certPem)).toBe('TRUST_NOT_CA');
  });

  it('refuses a CA whose key usage lacks keyCertSign, accepts one with no key usage', () => {
    const noSign = makeCert({ commonName: 'No Sign CA', ca: true, keyUsageWithoutCertSign: true });
    expect(codeOf(noSign.certPem)).toBe('TRUST_NO_CERT_SIGN');
    const noUsage = makeCert({ commonName: 'No Usage CA', ca: true, noKeyUsage: true });
    expect(codeOf(noUsage.certPem)).toBe('ok');
  });

  it('refuses an expired or not-yet-valid CA and warns within 30 days of expiry', () => {
    const expired = makeCert({
      commonName: 'Expired CA',
      ca: true,
      notBefore: new Date(Date.now() - 400 * ONE_DAY_MS),
      notAfter: new Date(Date.now() - ONE_DAY_MS),
    });
    expect(codeOf(expired.certPem)).toBe('TRUST_EXPIRED');
    const future = makeCert({
      commonName: 'Future CA',
      ca: true,
      notBefore: new Date(Date.now() + 10 * ONE_DAY_MS),
      notAfter: new Date(Date.now() + 400 * ONE_DAY_MS),
    });
    expect(codeOf(future.certPem)).toBe('TRUST_NOT_YET_VALID');
    const soon = makeCert({
      commonName: 'Soon CA',
      ca: true,
      notAfter: new Date(Date.now() + 10 * ONE_DAY_MS + 3_600_000),
    });
    const result = validateCaPem(soon.certPem);
    expect(result.warnings).toEqual([expect.stringMatching(/expires in 10 days/)]);
  });

  it('refuses private keys loudly and never echoes them', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keys = [
      rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      generateKeyPairSync('ec', { namedCurve: 'P-256' })
        .privateKey.export({ type: 'sec1', format: 'pem' })
        .toString(),
      readFileSync(path.join(work, 'ec.key'), 'utf8'),
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n',
    ];
    for (const key of keys) {
      for (const text of [key, pki.root.certPem + key]) {
        try {
          validateCaPem(text);
          expect.unreachable('a private key was accepted');
        } catch (error) {
          expect((error as CompanionError).code).toBe('TRUST_PRIVATE_KEY');
          const body = key.split('\n')[1]!;
          expect(JSON.stringify((error as CompanionError).toJSON())).not.toContain(
            body.slice(0, 20),
          );
        }
      }
    }
  });

  it.each([
    ['empty input', '   \n', 'TRUST_EMPTY'],
    ['garbage', 'hello, this is not a certificate', 'TRUST_NOT_PEM'],
    ['bare base64 DER', 'MIIBszCCAVmgAwIBAgIUQ', 'TRUST_NOT_PEM'],
    [
      'broken base64',
      '-----BEGIN CERTIFICATE-----\nMII*&^%$\n-----END CERTIFICATE-----\n',
      'TRUST_NOT_PEM',
    ],
    ['unterminated block', '-----BEGIN CERTIFICATE-----\nMIIB\n', 'TRUST_NOT_PEM'],
    [
      'mismatched END',
      '-----BEGIN CERTIFICATE-----\nMIIB\n-----END PUBLIC KEY-----\n',
      'TRUST_NOT_PEM',
    ],
    [
      'valid base64 that is not DER',
      '-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQh\n-----END CERTIFICATE-----\n',
      'TRUST_UNPARSABLE',
    ],
    [
      'a certificate request',
      '-----BEGIN CERTIFICATE REQUEST-----\naGVsbG8gd29ybGQh\n-----END CERTIFICATE REQUEST-----\n',
      'TRUST_UNSUPPORTED_BLOCK',
    ],
  ])('refuses %s', (_name, text, code) => {
    expect(codeOf(text)).toBe(code);
  });

  it('recognises a binary DER file and says how to convert it', () => {
    const der = readFileSync(path.join(work, 'ec.pem'), 'utf8')
      .split('\n')
      .filter((line) => !line.startsWith('-----'))
      .join('');
    const text = Buffer.from(der, 'base64').toString('utf8');
    expect(() => validateCaPem(text)).toThrow(
      expect.objectContaining({
        code: 'TRUST_NOT_PEM',
        hint: expect.stringContaining('-inform der'),
      }),
    );
  });

  it('refuses more than 64 KiB and more than 16 certificates', () => {
    expect(codeOf(`${pki.root.certPem}${' '.repeat(64 * 1024)}`)).toBe('TRUST_TOO_LARGE');
    const many = Array.from({ length: 17 }, () => pki.root.certPem).join('');
    expect(many.length).toBeLessThan(64 * 1024);
    expect(codeOf(many)).toBe('TRUST_TOO_MANY');
  });

  it('refuses a certificate with trailing bytes after the DER', () => {
    const base64 = pki.root.certPem
      .split('\n')
      .filter((line) => !line.startsWith('-----'))
      .join('');
    const padded = Buffer.concat([Buffer.from(base64, 'base64'), Buffer.from([0, 0, 0])]);
    const text = `-----BEGIN CERTIFICATE-----\n${padded.toString('base64')}\n-----END CERTIFICATE-----\n`;
    expect(codeOf(text)).toBe('TRUST_UNPARSABLE');
  });
});

describe('validateCaPem regressions found by the property tests', () => {
  function pemOf(der: Buffer): string {
    return `-----BEGIN CERTIFICATE-----\n${der.toString('base64')}\n-----END CERTIFICATE-----\n`;
  }
  function derOf(pem: string): Buffer {
    return Buffer.from(
      pem
        .split('\n')
        .filter((line) => !line.startsWith('-----'))
        .join(''),
      'base64',
    );
  }

  it('refuses an unreadable validity date instead of treating NaN as valid', () => {
    const der = derOf(makeCert({ commonName: 'Bad Time CA', ca: true }).certPem);
    const time = /\d{12}Z/.exec(der.toString('latin1'))!;
    const damaged = Buffer.from(der);
    damaged[time.index + 2] = 'x'.charCodeAt(0);
    expect(codeOf(pemOf(damaged))).toBe('TRUST_UNPARSABLE');
  });

  it('refuses a damaged public key with a code, not an OpenSSL exception', () => {
    const der = derOf(makeCert({ commonName: 'Bad Key CA', ca: true }).certPem);
    const rsaOid = Buffer.from('2a864886f70d010101', 'hex');
    const at = der.indexOf(rsaOid);
    const damaged = Buffer.from(der);
    damaged[at + rsaOid.length - 1] = 0x09;
    expect(codeOf(pemOf(damaged))).toBe('TRUST_UNPARSABLE');
  });
});
