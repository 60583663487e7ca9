import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { generateServerPki } from '../../sim/pki.js';
import {
  git,
  gitEnv,
  simRequest,
  startTestSimulator,
  type RunningSimulator,
} from '../helpers/sim.js';

/** Counts the certificates the server actually sends, with verification on (openssl). */
function sentCertificates(port: number, caFile: string): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(
      'openssl',
      [
        's_client',
        '-connect',
        `127.0.0.1:${port}`,
        '-servername',
        'localhost',
        '-showcerts',
        '-CAfile',
        caFile,
        '-verify_return_error',
      ],
      { timeout: 10_000 },
      (error, stdout) => {
        if (error && !stdout) reject(error);
        else resolve(stdout.split('-----BEGIN CERTIFICATE-----').length - 1);
      },
    ).stdin?.end();
  });
}

/** Reads the chain the server presents (no request is sent). */
function presentedChain(
  port: number,
  ca: string,
): Promise<{ chain: PeerCertificate[]; authorized: boolean; error?: string }> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      const chain: PeerCertificate[] = [];
      let current = socket.getPeerCertificate(true) as PeerCertificate & {
        issuerCertificate?: PeerCertificate;
      };
      while (current && !chain.some((cert) => cert.fingerprint256 === current.fingerprint256)) {
        chain.push(current);
        current = current.issuerCertificate as typeof current;
      }
      socket.end();
      resolve({ chain, authorized: socket.authorized });
    });
    socket.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ chain: [], authorized: false, error: error.code ?? error.message }),
    );
    socket.setTimeout(5000, () => reject(new Error('TLS timeout')));
  });
}

describe('PKI generation', () => {
  for (const keyType of ['rsa', 'ec'] as const) {
    it(`builds a valid root → intermediate → server chain with ${keyType} keys`, () => {
      const pki = generateServerPki({ keyType });
      const root = new X509Certificate(pki.root.certPem);
      const intermediate = new X509Certificate(pki.intermediate.certPem);
      const server = new X509Certificate(pki.server.certPem);
      expect(root.ca).toBe(true);
      expect(intermediate.ca).toBe(true);
      expect(server.ca).toBe(false);
      expect(root.verify(root.publicKey)).toBe(true);
      expect(intermediate.verify(root.publicKey)).toBe(true);
      expect(server.verify(intermediate.publicKey)).toBe(true);
      expect(server.checkIssued(intermediate)).toBe(true);
      expect(server.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
      expect(server.publicKey.asymmetricKeyType).toBe(keyType);
      expect(server.keyUsage).toContain('1.3.6.1.5.5.7.3.1'); // serverAuth
    });
  }
});

describe('simulator TLS', () => {
  let sim: RunningSimulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('serves leaf + intermediate (not the root), with the root written to caFile', async () => {
    sim = await startTestSimulator({ platform: false, keyType: 'ec' });
    expect(await readFile(sim.caFile, 'utf8')).toBe(sim.caPem);
    const { chain, authorized } = await presentedChain(sim.port, sim.caPem);
    expect(authorized).toBe(true);
    // Node rebuilds the chain to the trusted root; the server sent leaf + intermediate only.
    const subjects = chain.map((cert) => cert.subject.CN);
    expect(subjects).toEqual([
      'localhost',
      'BDC Simulator Intermediate CA',
      'BDC Simulator Root CA',
    ]);
    expect(await sentCertificates(sim.port, sim.caFile)).toBe(2);
  });

  it('also serves the root when asked, and works with EC P-256 keys', async () => {
    sim = await startTestSimulator({ platform: false, serveRoot: true, keyType: 'ec' });
    const { authorized, chain } = await presentedChain(sim.port, sim.caPem);
    expect(authorized).toBe(true);
    expect(chain[0]!.subject.CN).toBe('localhost');
    expect(await sentCertificates(sim.port, sim.caFile)).toBe(3);
    expect(new X509Certificate(sim.caPem).publicKey.asymmetricKeyType).toBe('ec');
    expect((await simRequest(sim, '/status')).status).toBe(200);
  });

  it('is refused by a client trusting only the system roots', async () => {
    sim = await startTestSimulator({ platform: false, keyType: 'ec' });
    const { authorized, error } = await presentedChain(sim.port, '');
    expect(authorized).toBe(false);
    expect(error).toBeTruthy();
  });

  it('presents an expired server certificate when asked: undici and git refuse it', async () => {
    sim = await startTestSimulator({ platform: false, certificate: 'expired', keyType: 'ec' });
    await expect(simRequest(sim, '/status')).rejects.toMatchObject({
      code: 'CERT_HAS_EXPIRED',
    });
    const result = await git(['ls-remote', `${sim.url}/scm/demo/gitops.git`], {
      env: gitEnv(sim, sim.pat),
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/certificate|expired/i);
  });

  it('presents a certificate for another host name when asked', async () => {
    sim = await startTestSimulator({ platform: false, certificate: 'wrong-host', keyType: 'ec' });
    await expect(simRequest(sim, '/status')).rejects.toMatchObject({
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
  });
});

describe('context path', () => {
  let sim: RunningSimulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('serves everything under the context path and nothing outside it', async () => {
    sim = await startTestSimulator({ platform: false, contextPath: '/bitbucket', keyType: 'ec' });
    expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/bitbucket$/);
    expect((await simRequest(sim, '/status')).status).toBe(200);
    const repo = await simRequest(sim, `/rest/api/1.0/projects/${sim.project}/repos/${sim.repo}`, {
      bearer: sim.pat,
    });
    const clone = repo.json<{ links: { clone: { href: string; name: string }[] } }>().links.clone;
    expect(clone[0]!.href).toBe(`${sim.url}/scm/demo/gitops.git`);
    const root = { url: sim.url.replace(/\/bitbucket$/, ''), caPem: sim.caPem };
    expect((await simRequest(root, '/rest/api/1.0/application-properties')).status).toBe(404);
    const result = await git(['ls-remote', clone[0]!.href, 'refs/heads/main'], {
      env: gitEnv(sim, sim.pat),
    });
    expect(result.code).toBe(0);
    // The login redirect keeps the prefix too.
    const redirect = await simRequest(sim, '/plugins/servlet/applinks/whoami', { bearer: sim.pat });
    expect(redirect.headers['location']).toContain('/bitbucket/login?next=%2Fbitbucket%2F');
  });
});
