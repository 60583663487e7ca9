import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCaPem } from '../../../core/trust/validate-ca.js';

let work: string;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: work, stdio: 'ignore' });
}

/** A CA (self-signed with `digest`, RSA of `bits`) and a localhost leaf it signs with SHA-256. */
function makeRoot(name: string, bits: number, digest: string): void {
  openssl(
    'req',
    '-x509',
    '-newkey',
    `rsa:${bits}`,
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.pem`,
    '-days',
    '400',
    '-subj',
    `/CN=${name}`,
    `-${digest}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
}

function sign(csrName: string, issuer: string, digest: string, extensions: string): void {
  writeFileSync(join(work, `${csrName}.ext`), extensions);
  openssl(
    'x509',
    '-req',
    '-in',
    `${csrName}.csr`,
    '-CA',
    `${issuer}.pem`,
    '-CAkey',
    `${issuer}.key`,
    '-CAcreateserial',
    '-out',
    `${csrName}.pem`,
    '-days',
    '300',
    `-${digest}`,
    '-extfile',
    `${csrName}.ext`,
  );
}

function request(name: string, subject: string): void {
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    subject,
  );
}

const LEAF_EXT = 'subjectAltName=DNS:localhost\n';
const CA_EXT = 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n';
const read = (name: string) => readFileSync(join(work, name), 'utf8');

/** What a real TLS client of this Node says about a server whose leaf chains to `ca`. */
async function handshake(ca: string, leaf: string): Promise<string> {
  const server = createServer({ cert: read(`${leaf}.pem`), key: read(`${leaf}.key`) }, (socket) =>
    socket.end(),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    return await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca }, () => {
        resolve('verified');
        socket.end();
      });
      socket.on('error', (error) => resolve(error.message));
    });
  } finally {
    server.close();
  }
}

function outcome(pem: string): { code?: string; warnings?: readonly string[] } {
  try {
    return { warnings: validateCaPem(pem).warnings };
  } catch (error) {
    return { code: (error as { code: string }).code };
  }
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ca-strength-'));
  for (const [name, bits, digest] of [
    ['rsa512', 512, 'sha256'],
    ['rsa1024', 1024, 'sha256'],
    ['sha1root', 2048, 'sha1'],
    ['md5root', 2048, 'md5'],
    ['good', 2048, 'sha256'],
  ] as const) {
    makeRoot(name, bits, digest);
    request(`${name}-leaf`, '/CN=localhost');
    sign(`${name}-leaf`, name, 'sha256', LEAF_EXT);
  }
  // An intermediate its root signed with SHA-1, and a leaf under it.
  request('sha1int', '/CN=sha1 intermediate');
  sign('sha1int', 'good', 'sha1', CA_EXT);
  request('sha1int-leaf', '/CN=localhost');
  sign('sha1int-leaf', 'sha1int', 'sha256', LEAF_EXT);
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Regression (issue 15 item 9): RSA-512/1024 keys and MD5/SHA-1 signatures passed `ca check`
// without a word. Each case is checked against a real TLS handshake of this Node, so the rule
// follows what TLS here actually refuses.
describe('CA strength, as TLS here decides it', () => {
  it('refuses an RSA-512 CA, which TLS cannot verify anything with', async () => {
    expect(outcome(read('rsa512.pem'))).toEqual({ code: 'TRUST_KEY_TOO_WEAK' });
    expect(await handshake(read('rsa512.pem'), 'rsa512-leaf')).toMatch(/key too weak/);
  });

  it('accepts an RSA-1024 CA, which TLS here still accepts, with a warning', async () => {
    const result = outcome(read('rsa1024.pem'));
    expect(result.code).toBeUndefined();
    expect(result.warnings?.join(' ')).toMatch(/is RSA-1024: accepted .* refused at level 2/);
    expect(await handshake(read('rsa1024.pem'), 'rsa1024-leaf')).toBe('verified');
  });

  it('refuses an intermediate its issuer signed with SHA-1, which TLS refuses in a chain', async () => {
    const bundle = read('good.pem') + read('sha1int.pem');
    expect(outcome(bundle)).toEqual({ code: 'TRUST_SIGNATURE_TOO_WEAK' });
    expect(await handshake(bundle, 'sha1int-leaf')).toMatch(/digest algorithm too weak/);
  });

  it("accepts a root's SHA-1 self-signature silently and warns about MD5: TLS never checks it", async () => {
    expect(outcome(read('sha1root.pem'))).toEqual({ warnings: [] });
    expect(await handshake(read('sha1root.pem'), 'sha1root-leaf')).toBe('verified');
    expect(outcome(read('md5root.pem')).warnings?.join(' ')).toMatch(/signs itself with MD5/);
    expect(await handshake(read('md5root.pem'), 'md5root-leaf')).toBe('verified');
    expect(outcome(read('good.pem'))).toEqual({ warnings: [] });
  });
});
