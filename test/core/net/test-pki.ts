import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';

/**
 * Certificates for tests, built independently of the simulator's PKI so the two cannot share a
 * bug. Keys come from node:crypto (fast); forge assembles and signs RSA certificates with any
 * validity window, which openssl 3.0's command line cannot backdate.
 */
export interface TestCert {
  readonly certPem: string;
  readonly keyPem: string;
  readonly subject: string;
  readonly key: forge.pki.rsa.PrivateKey;
  readonly cert: forge.pki.Certificate;
}

export interface CertSpec {
  readonly commonName: string;
  readonly issuer?: TestCert;
  readonly ca?: boolean;
  readonly pathLen?: number;
  /** Omit the keyUsage extension entirely. */
  readonly noKeyUsage?: boolean;
  /** Key usage without keyCertSign (for a CA that may not sign certificates). */
  readonly keyUsageWithoutCertSign?: boolean;
  /** Omit basicConstraints entirely. */
  readonly noBasicConstraints?: boolean;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
}

const DAY = 86_400_000;
let serial = 1;

function newRsaKey(): { pem: string; key: forge.pki.rsa.PrivateKey } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  return { pem, key: forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey };
}

export function makeCert(spec: CertSpec): TestCert {
  const { pem, key } = newRsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  serial += 1;
  cert.serialNumber = `0${(Date.now() * 1000 + serial).toString(16)}`;
  cert.validity.notBefore = spec.notBefore ?? new Date(Date.now() - DAY);
  cert.validity.notAfter = spec.notAfter ?? new Date(Date.now() + 365 * DAY);
  const subject = [
    { name: 'commonName', value: spec.commonName },
    { name: 'organizationName', value: 'Companion Test' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(spec.issuer ? spec.issuer.cert.subject.attributes : subject);
  const extensions: object[] = [];
  if (spec.noBasicConstraints !== true) {
    extensions.push({
      name: 'basicConstraints',
      critical: true,
      cA: spec.ca === true,
      ...(spec.pathLen === undefined ? {} : { pathLenConstraint: spec.pathLen }),
    });
  }
  if (spec.noKeyUsage !== true) {
    extensions.push(
      spec.ca === true
        ? {
            name: 'keyUsage',
            critical: true,
            keyCertSign: spec.keyUsageWithoutCertSign !== true,
            cRLSign: true,
            digitalSignature: spec.keyUsageWithoutCertSign === true,
          }
        : { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
    );
  }
  if (spec.ca !== true) extensions.push({ name: 'extKeyUsage', serverAuth: true });
  const altNames = [
    ...(spec.dnsNames ?? []).map((value) => ({ type: 2, value })),
    ...(spec.ipAddresses ?? []).map((ip) => ({ type: 7, ip })),
  ];
  if (altNames.length > 0) extensions.push({ name: 'subjectAltName', altNames });
  extensions.push({ name: 'subjectKeyIdentifier' });
  if (spec.issuer) {
    extensions.push({
      name: 'authorityKeyIdentifier',
      keyIdentifier: spec.issuer.cert.generateSubjectKeyIdentifier().getBytes(),
    });
  }
  cert.setExtensions(extensions);
  cert.sign(spec.issuer ? spec.issuer.key : key, forge.md.sha256.create());
  return {
    certPem: forge.pki.certificateToPem(cert),
    keyPem: pem,
    subject: `CN=${spec.commonName}`,
    key,
    cert,
  };
}

export interface TestPki {
  readonly root: TestCert;
  readonly intermediate: TestCert;
  /** Leaf for localhost and 127.0.0.1, issued by the intermediate. */
  readonly leaf: TestCert;
  /** Leaf chain as a server sends it: leaf then intermediate. */
  readonly chainPem: string;
}

export function makePki(name = 'Companion Test'): TestPki {
  const root = makeCert({ commonName: `${name} Root CA`, ca: true });
  const intermediate = makeCert({
    commonName: `${name} Issuing CA`,
    ca: true,
    pathLen: 0,
    issuer: root,
  });
  const leaf = makeCert({
    commonName: 'localhost',
    issuer: intermediate,
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
  });
  return { root, intermediate, leaf, chainPem: leaf.certPem + intermediate.certPem };
}

export const ONE_DAY_MS = DAY;
