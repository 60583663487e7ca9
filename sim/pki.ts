import { promisify } from 'node:util';
import {
  createHash,
  createPublicKey,
  generateKeyPair,
  generateKeyPairSync,
  randomBytes,
  sign,
  type KeyObject,
} from 'node:crypto';
import forge from 'node-forge';
import type { SimCertificateMode, SimKeyType } from './simulator-api.js';

/**
 * The simulator's PKI: root CA → intermediate CA → server certificate, like a corporate BDC.
 *
 * Keys come from node:crypto (forge's pure-JS RSA generation takes seconds, and forge cannot sign
 * with EC keys at all); node-forge builds the certificate structures (names, extensions, ASN.1),
 * and node:crypto signs the TBS bytes. That keeps one code path for RSA and EC P-256.
 */
export interface IssuedCertificate {
  readonly certPem: string;
  readonly keyPem: string;
  readonly privateKey: KeyObject;
  readonly subjectKeyId: string;
  readonly subject: string;
}

export interface ServerPki {
  readonly root: IssuedCertificate;
  readonly intermediate: IssuedCertificate;
  readonly server: IssuedCertificate;
}

export interface PkiOptions {
  readonly keyType?: SimKeyType;
  readonly certificate?: SimCertificateMode;
  /** Common-name prefix, so two PKIs (BDC, platform) are told apart in errors. */
  readonly name?: string;
  readonly now?: () => number;
}

const asn1 = forge.asn1;
const DAY = 86_400_000;
const OID_SHA256_RSA = '1.2.840.113549.1.1.11';
const OID_ECDSA_SHA256 = '1.2.840.10045.4.3.2';

/** Any RSA public key satisfies forge's TBS builder; the real key info is swapped in afterwards. */
const placeholderKey = forge.pki.setRsaPublicKey(
  new forge.jsbn.BigInteger('3'),
  new forge.jsbn.BigInteger('3'),
);

function newKey(type: SimKeyType): KeyObject {
  if (type === 'ec') return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
}

const generateKeyPairAsync = promisify(generateKeyPair);

/** RSA keys take ~100 ms each: the three are generated in parallel on the thread pool. */
async function newKeyAsync(type: SimKeyType): Promise<KeyObject> {
  const pair =
    type === 'ec'
      ? await generateKeyPairAsync('ec', { namedCurve: 'P-256' })
      : await generateKeyPairAsync('rsa', { modulusLength: 2048 });
  return pair.privateKey;
}

function spkiDer(privateKey: KeyObject): Buffer {
  return Buffer.from(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }));
}

/** SHA-1 over the SubjectPublicKeyInfo DER: unique per key, as RFC 5280 §4.2.1.2 permits. */
function subjectKeyIdentifier(spki: Buffer): string {
  return createHash('sha1').update(spki).digest('binary');
}

interface IssueRequest {
  readonly commonName: string;
  readonly key: KeyObject;
  readonly issuer?: IssuedCertificate;
  readonly ca: boolean;
  readonly pathLength?: number;
  readonly altNames?: readonly { readonly dns?: string; readonly ip?: string }[];
  readonly notBefore: Date;
  readonly notAfter: Date;
}

function issue(request: IssueRequest): IssuedCertificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = placeholderKey;
  // Positive serial: a leading 0x01 byte keeps the INTEGER positive.
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = request.notBefore;
  cert.validity.notAfter = request.notAfter;
  const subject = issuerSubject(request.commonName);
  cert.setSubject(subject);
  cert.setIssuer(request.issuer ? issuerSubject(request.issuer.subject) : subject);

  const spki = spkiDer(request.key);
  const ski = subjectKeyIdentifier(spki);
  const extensions: object[] = [
    request.ca
      ? {
          name: 'basicConstraints',
          cA: true,
          critical: true,
          ...(request.pathLength !== undefined ? { pathLenConstraint: request.pathLength } : {}),
        }
      : { name: 'basicConstraints', cA: false, critical: true },
    request.ca
      ? {
          name: 'keyUsage',
          keyCertSign: true,
          cRLSign: true,
          digitalSignature: true,
          critical: true,
        }
      : { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ];
  if (request.issuer) {
    extensions.push({ name: 'authorityKeyIdentifier', keyIdentifier: request.issuer.subjectKeyId });
  }
  if (!request.ca) {
    extensions.push({ name: 'extKeyUsage', serverAuth: true });
    extensions.push({
      name: 'subjectAltName',
      altNames: (request.altNames ?? []).map((alt) =>
        alt.ip !== undefined ? { type: 7, ip: alt.ip } : { type: 2, value: alt.dns },
      ),
    });
  }
  cert.setExtensions(extensions);
  for (const extension of cert.extensions as { name: string; value: unknown }[]) {
    if (extension.name === 'subjectKeyIdentifier') {
      extension.value = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, ski);
    }
  }

  const signingKey = request.issuer?.privateKey ?? request.key;
  const algorithmOid = signingKey.asymmetricKeyType === 'ec' ? OID_ECDSA_SHA256 : OID_SHA256_RSA;
  const algorithm = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(algorithmOid).getBytes()),
    // RSA PKCS#1 v1.5 algorithms carry NULL parameters; ECDSA ones carry none (RFC 5758).
    ...(algorithmOid === OID_SHA256_RSA
      ? [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')]
      : []),
  ]);
  cert.siginfo.algorithmOid = OID_SHA256_RSA; // replaced below; forge needs a value to build
  // Exported by forge at run time but missing from @types/node-forge.
  const tbs = (
    forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }
  ).getTBSCertificate(cert);
  const tbsFields = tbs.value as forge.asn1.Asn1[];
  tbsFields[2] = algorithm;
  tbsFields[6] = asn1.fromDer(forge.util.createBuffer(spki.toString('binary')));
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  const signature = sign('sha256', tbsDer, signingKey);
  const certificate = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      ...(algorithm.value as forge.asn1.Asn1[]),
    ]),
    asn1.create(
      asn1.Class.UNIVERSAL,
      asn1.Type.BITSTRING,
      false,
      `\u0000${signature.toString('binary')}`,
    ),
  ]);
  const der = Buffer.from(asn1.toDer(certificate).getBytes(), 'binary');
  return {
    certPem: toPem('CERTIFICATE', der),
    keyPem: request.key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    privateKey: request.key,
    subjectKeyId: ski,
    subject: request.commonName,
  };
}

function issuerSubject(commonName: string): { name: string; value: string }[] {
  return [
    { name: 'commonName', value: commonName },
    { name: 'organizationName', value: 'BDC Simulator' },
  ];
}

function toPem(label: string, der: Buffer): string {
  const base64 = der.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${base64.replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

/** Generates root → intermediate → server for 127.0.0.1/localhost (or a wrong or expired leaf). */
export function generateServerPki(options: PkiOptions = {}): ServerPki {
  const keyType = options.keyType ?? 'rsa';
  return buildServerPki(options, [newKey(keyType), newKey(keyType), newKey(keyType)]);
}

/** Same as `generateServerPki`, with the keys generated off the event loop and in parallel. */
export async function generateServerPkiAsync(options: PkiOptions = {}): Promise<ServerPki> {
  const keyType = options.keyType ?? 'rsa';
  const keys = await Promise.all([
    newKeyAsync(keyType),
    newKeyAsync(keyType),
    newKeyAsync(keyType),
  ]);
  return buildServerPki(options, keys);
}

function buildServerPki(
  options: PkiOptions,
  [rootKey, intermediateKey, serverKey]: readonly KeyObject[],
): ServerPki {
  const name = options.name ?? 'BDC Simulator';
  const now = options.now?.() ?? Date.now();
  const root = issue({
    commonName: `${name} Root CA`,
    key: rootKey!,
    ca: true,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 3650 * DAY),
  });
  const intermediate = issue({
    commonName: `${name} Intermediate CA`,
    key: intermediateKey!,
    issuer: root,
    ca: true,
    pathLength: 0,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 1825 * DAY),
  });
  const mode = options.certificate ?? 'valid';
  const server = issue({
    commonName: mode === 'wrong-host' ? 'bitbucket.wrong-host.test' : 'localhost',
    key: serverKey!,
    issuer: intermediate,
    ca: false,
    altNames:
      mode === 'wrong-host'
        ? [{ dns: 'bitbucket.wrong-host.test' }]
        : [{ dns: 'localhost' }, { ip: '127.0.0.1' }],
    notBefore: new Date(mode === 'expired' ? now - 60 * DAY : now - DAY),
    notAfter: new Date(mode === 'expired' ? now - DAY : now + 365 * DAY),
  });
  return { root, intermediate, server };
}
