import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import type { CertificateSummary } from '../../common/api/models.js';
import { CompanionError } from '../../common/errors/companion-error.js';
import { containsPrivateKey, splitPemBlocks, type PemBlock } from './pem-blocks.js';
import {
  formatDistinguishedName,
  isSelfSigned,
  summarizeCertificate,
} from './certificate-summary.js';

export const MAX_CA_INPUT_BYTES = 64 * 1024;
export const MAX_CA_CERTIFICATES = 16;
export const EXPIRY_WARNING_DAYS = 30;
const DAY = 86_400_000;

const CERTIFICATE_LABELS: ReadonlySet<string> = new Set(['CERTIFICATE', 'X509 CERTIFICATE']);

export interface CaCertificate extends CertificateSummary {
  readonly role: 'root' | 'intermediate';
  /** `rsa`, `ec`, `ed25519`… from node:crypto (forge cannot read EC or Ed25519 keys). */
  readonly keyType: string | undefined;
  /** Normalised PEM, as stored in settings. */
  readonly pem: string;
}

export interface ValidatedCa {
  readonly kind: 'validated-ca';
  readonly certificates: readonly CaCertificate[];
  /** Normalised, de-duplicated PEMs: what gets stored. */
  readonly pems: readonly string[];
  readonly warnings: readonly string[];
  /** True when no certificate is a self-signed root (trusting them needs the partial-chain flag). */
  readonly intermediateOnly: boolean;
}

export interface CaValidationOptions {
  readonly now?: Date;
  /** The explicit "trust an intermediate alone" choice (partial chain). */
  readonly allowIntermediate?: boolean;
}

interface Extensions {
  readonly basicConstraints: { readonly cA: boolean } | undefined;
  readonly keyUsage: { readonly keyCertSign: boolean } | undefined;
  readonly version: number;
  /** The OID of the issuer's signature algorithm (outer AlgorithmIdentifier). */
  readonly signatureOid: string | undefined;
}

/**
 * Validates pasted CA text. Every refusal has its own TRUST_* code; messages name certificates by
 * position and subject and never echo the input (it might be a private key pasted by mistake).
 *
 * node:crypto parses the certificates (RSA, EC and Ed25519 alike); forge only walks the ASN.1 for
 * basicConstraints and keyUsage, which `X509Certificate` does not expose (its `keyUsage` is the
 * extended key usage) — forge's certificate parser would choke on EC keys, its ASN.1 reader does not.
 */
export function validateCaPem(text: string, options: CaValidationOptions = {}): ValidatedCa {
  const now = (options.now ?? new Date()).getTime();
  if (Buffer.byteLength(text, 'utf8') > MAX_CA_INPUT_BYTES) {
    throw new CompanionError(
      'TRUST_TOO_LARGE',
      `The CA input is larger than ${MAX_CA_INPUT_BYTES / 1024} KiB.`,
    );
  }
  if (containsPrivateKey(text)) {
    throw new CompanionError(
      'TRUST_PRIVATE_KEY',
      'This is a PRIVATE KEY, not a CA certificate. It was not stored or shown anywhere.',
    );
  }
  const normalised = text.replace(/\r\n?/g, '\n');
  if (normalised.trim() === '')
    throw new CompanionError('TRUST_EMPTY', 'No CA certificate was given.');
  const blocks = splitPemBlocks(normalised);
  if (blocks.length === 0) {
    // eslint-disable-next-line no-control-regex
    const binary = (normalised.match(/[\u0000-\u0008\u000e-\u001f\ufffd]/g)?.length ?? 0) > 8;
    throw new CompanionError(
      'TRUST_NOT_PEM',
      binary
        ? 'The input is a binary file (DER or PKCS#12), not PEM text.'
        : 'The input contains no PEM block (-----BEGIN CERTIFICATE-----).',
      binary
        ? {
            hint: 'Convert a DER certificate with `openssl x509 -inform der -in ca.cer -out ca.pem`; never paste a .p12/.pfx (it holds a private key).',
          }
        : {},
    );
  }
  const other = blocks.find((block) => !CERTIFICATE_LABELS.has(block.label));
  if (other !== undefined) {
    throw new CompanionError(
      'TRUST_UNSUPPORTED_BLOCK',
      `PEM block ${other.index} is a ${other.label}, not a CERTIFICATE.`,
      other.label === 'TRUSTED CERTIFICATE'
        ? { hint: 'Convert it first: `openssl x509 -in ca.pem -out ca-plain.pem`.' }
        : {},
    );
  }
  if (blocks.length > MAX_CA_CERTIFICATES) {
    throw new CompanionError(
      'TRUST_TOO_MANY',
      `The input holds ${blocks.length} certificates; at most ${MAX_CA_CERTIFICATES} are accepted.`,
    );
  }

  const warnings: string[] = [];
  const seen = new Set<string>();
  const certificates: CaCertificate[] = [];
  for (const block of blocks) {
    try {
      const result = analyseBlock(block, now, seen, warnings);
      if (result !== undefined) certificates.push(result);
    } catch (error) {
      if (error instanceof CompanionError) throw error;
      // OpenSSL parses lazily: a damaged key or signature surfaces only when read.
      throw new CompanionError(
        'TRUST_UNPARSABLE',
        `Certificate ${block.index} is damaged (${(error as Error).message}).`,
      );
    }
  }
  const intermediateOnly = !certificates.some((certificate) => certificate.role === 'root');
  if (intermediateOnly && options.allowIntermediate !== true) {
    throw new CompanionError(
      'TRUST_INTERMEDIATE_ONLY',
      `Only intermediate CAs were given (issued by ${certificates[0]?.issuer ?? 'another CA'}).`,
      {
        hint: `Paste the root CA "${certificates[0]?.issuer ?? ''}" (preferred), or confirm trusting the intermediate alone (--partial-chain).`,
      },
    );
  }
  if (intermediateOnly) {
    warnings.push('Only intermediate CAs are trusted (partial chain): the root is not checked.');
  }
  return {
    kind: 'validated-ca',
    certificates,
    pems: certificates.map((certificate) => certificate.pem),
    warnings,
    intermediateOnly,
  };
}

/** basicConstraints and keyUsage read from the DER with forge's ASN.1 reader. */
function readExtensions(der: Buffer, index: number): Extensions {
  try {
    // The typings only know the boolean form; forge 1.x takes an options object (strict DER, and
    // every byte must belong to the certificate).
    const fromDer = forge.asn1.fromDer as unknown as (
      bytes: forge.util.ByteBuffer,
      options: { strict: boolean; parseAllBytes: boolean; decodeBitStrings: boolean },
    ) => forge.asn1.Asn1;
    const root = fromDer(forge.util.createBuffer(der.toString('binary')), {
      strict: true,
      parseAllBytes: true,
      decodeBitStrings: true,
    });
    const tbs = (root.value as forge.asn1.Asn1[])[0];
    const fields = (tbs?.value ?? []) as forge.asn1.Asn1[];
    if (!Array.isArray(fields)) throw new Error('no TBSCertificate');
    const versionNode = fields.find(
      (node) => node.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && node.type === 0,
    );
    let version = 1;
    if (versionNode !== undefined) {
      const inner = (versionNode.value as forge.asn1.Asn1[])[0];
      // INTEGER 0, 1, 2 stands for v1, v2, v3.
      const bytes = typeof inner?.value === 'string' ? inner.value : '';
      version = bytes.length === 1 ? bytes.charCodeAt(0) + 1 : 0;
    }
    const wrap = fields.find(
      (node) => node.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && node.type === 3,
    );
    const extensions = wrap
      ? (
          forge.pki as unknown as {
            certificateExtensionsFromAsn1(node: forge.asn1.Asn1): Record<string, unknown>[];
          }
        ).certificateExtensionsFromAsn1(wrap)
      : [];
    const algorithm = (root.value as forge.asn1.Asn1[])[1];
    const oidNode = (algorithm?.value as forge.asn1.Asn1[] | undefined)?.[0];
    const signatureOid =
      typeof oidNode?.value === 'string' ? forge.asn1.derToOid(oidNode.value) : undefined;
    const basic = extensions.find((extension) => extension['name'] === 'basicConstraints');
    const usage = extensions.find((extension) => extension['name'] === 'keyUsage');
    return {
      version,
      signatureOid,
      basicConstraints: basic === undefined ? undefined : { cA: basic['cA'] === true },
      keyUsage: usage === undefined ? undefined : { keyCertSign: usage['keyCertSign'] === true },
    };
  } catch {
    throw new CompanionError(
      'TRUST_UNPARSABLE',
      `Certificate ${index} is not a valid X.509 certificate.`,
    );
  }
}

/** Checks one certificate block; undefined for a duplicate. Throws TRUST_* errors. */
function analyseBlock(
  block: PemBlock,
  now: number,
  seen: Set<string>,
  warnings: string[],
): CaCertificate | undefined {
  const extensions = readExtensions(block.der, block.index);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(block.der);
  } catch {
    throw new CompanionError(
      'TRUST_UNPARSABLE',
      `Certificate ${block.index} is not a valid X.509 certificate.`,
    );
  }
  const subject = formatDistinguishedName(certificate.subject);
  const label = `Certificate ${block.index} (${subject})`;
  if (seen.has(certificate.fingerprint256)) {
    warnings.push(`${label} appears more than once; it is kept once.`);
    return undefined;
  }
  seen.add(certificate.fingerprint256);
  const selfSigned = isSelfSigned(certificate);
  // X.509 v1 certificates have no extensions; OpenSSL accepts a self-signed v1 as a trust anchor.
  const v1Root = extensions.version === 1 && selfSigned;
  if (!v1Root && extensions.basicConstraints?.cA !== true) {
    throw new CompanionError(
      'TRUST_NOT_CA',
      `${label} is not a CA certificate (basicConstraints CA:TRUE missing): it looks like a server certificate.`,
      { data: { index: block.index, subject } },
    );
  }
  if (extensions.keyUsage !== undefined && !extensions.keyUsage.keyCertSign) {
    throw new CompanionError(
      'TRUST_NO_CERT_SIGN',
      `${label} may not sign certificates (keyUsage lacks keyCertSign).`,
      {
        data: { index: block.index, subject },
      },
    );
  }
  if (!certificate.ca) {
    // OpenSSL's own CA check (X509_check_ca) disagrees with the extensions: refuse, it decides.
    throw new CompanionError('TRUST_NOT_CA', `${label} is not accepted as a CA by OpenSSL.`, {
      data: { index: block.index, subject },
    });
  }
  const notBefore = Date.parse(certificate.validFrom);
  const notAfter = Date.parse(certificate.validTo);
  if (Number.isNaN(notBefore) || Number.isNaN(notAfter)) {
    // NaN compares false both ways: without this, an unreadable validity would pass as valid.
    throw new CompanionError('TRUST_UNPARSABLE', `${label} has an unreadable validity period.`, {
      data: { index: block.index, subject },
    });
  }
  if (notAfter < now) {
    throw new CompanionError(
      'TRUST_EXPIRED',
      `${label} expired on ${new Date(notAfter).toISOString()}.`,
      {
        data: { index: block.index, subject, notAfter: new Date(notAfter).toISOString() },
      },
    );
  }
  if (notBefore > now) {
    throw new CompanionError(
      'TRUST_NOT_YET_VALID',
      `${label} is valid only from ${new Date(notBefore).toISOString()}.`,
      { data: { index: block.index, subject } },
    );
  }
  if (notAfter - now < EXPIRY_WARNING_DAYS * DAY) {
    const days = Math.max(0, Math.floor((notAfter - now) / DAY));
    warnings.push(
      `${label} expires in ${days} day${days === 1 ? '' : 's'} (${new Date(notAfter).toISOString()}).`,
    );
  }
  if (v1Root) warnings.push(`${label} is an X.509 v1 root without extensions.`);
  checkStrength(certificate, extensions, selfSigned, label, block.index, subject, warnings);
  return {
    ...summarizeCertificate(certificate),
    role: selfSigned ? 'root' : 'intermediate',
    keyType: certificate.publicKey.asymmetricKeyType,
    pem: certificate.toString(),
  };
}

/**
 * The strength TLS itself demands of a CA here, and what is weak but still accepted.
 *
 * Node 20 ships OpenSSL 3.0 at security level 1 (80-bit security): verifying a chain refuses a CA
 * key below that (RSA/DSA < 1024 bits, EC < 160 bits: "CA certificate key too weak") and an MD5
 * or SHA-1 signature on any certificate but the trust anchor's own ("CA signature digest algorithm
 * too weak"); a root's self-signature is never checked, so SHA-1 there is harmless. Measured with
 * real handshakes in test/core/trust/ca-strength.test.ts; facts in docs/connection-and-trust.md.
 * RSA-1024 passes level 1 but not level 2 (112-bit, the default of several distributions' OpenSSL
 * builds and of newer Node lines), so it is accepted with a warning.
 */
function checkStrength(
  certificate: X509Certificate,
  extensions: Extensions,
  selfSigned: boolean,
  label: string,
  index: number,
  subject: string,
  warnings: string[],
): void {
  const bits = securityBits(certificate);
  if (bits !== undefined && bits.security < 80) {
    throw new CompanionError(
      'TRUST_KEY_TOO_WEAK',
      `The key of ${label} is ${bits.description}, which TLS refuses here (OpenSSL security level 1 needs at least RSA-1024 or a 160-bit EC key).`,
      { data: { index, subject, key: bits.description } },
    );
  }
  if (bits !== undefined && bits.security < 112) {
    warnings.push(
      `The key of ${label} is ${bits.description}: accepted by this companion's TLS (OpenSSL security level 1) but refused at level 2, which other systems use. Plan to replace it with RSA-2048 or larger.`,
    );
  }
  const digest = weakDigest(extensions.signatureOid);
  if (digest === undefined) return;
  if (!selfSigned) {
    throw new CompanionError(
      'TRUST_SIGNATURE_TOO_WEAK',
      `${label} is signed by its issuer with ${digest}, which TLS refuses in a chain here (OpenSSL security level 1).`,
      { data: { index, subject, digest } },
    );
  }
  if (digest !== 'SHA-1') {
    warnings.push(
      `${label} signs itself with ${digest}. TLS never checks a root's own signature, so it still works, but a CA this old may issue certificates with ${digest} too, and those TLS refuses.`,
    );
  }
}

const WEAK_SIGNATURES: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.2': 'MD2',
  '1.2.840.113549.1.1.3': 'MD4',
  '1.2.840.113549.1.1.4': 'MD5',
  '1.2.840.113549.1.1.5': 'SHA-1',
  '1.3.14.3.2.29': 'SHA-1',
  '1.2.840.10040.4.3': 'SHA-1',
  '1.2.840.10045.4.1': 'SHA-1',
};

function weakDigest(oid: string | undefined): string | undefined {
  return oid === undefined ? undefined : WEAK_SIGNATURES[oid];
}

/** Security bits of the public key as OpenSSL counts them (NIST SP 800-57), where known. */
function securityBits(
  certificate: X509Certificate,
): { readonly security: number; readonly description: string } | undefined {
  const key = certificate.publicKey;
  const details = key.asymmetricKeyDetails;
  const type = key.asymmetricKeyType;
  if ((type === 'rsa' || type === 'rsa-pss' || type === 'dsa') && details?.modulusLength) {
    const length = details.modulusLength;
    const security =
      length >= 15360
        ? 256
        : length >= 7680
          ? 192
          : length >= 3072
            ? 128
            : length >= 2048
              ? 112
              : length >= 1024
                ? 80
                : 0;
    return { security, description: `${type.toUpperCase()}-${length}` };
  }
  if (type === 'ec' && details?.namedCurve !== undefined) {
    const curveBits: Readonly<Record<string, number>> = {
      prime192v1: 192,
      secp224r1: 224,
      prime256v1: 256,
      secp384r1: 384,
      secp521r1: 521,
    };
    const size = curveBits[details.namedCurve];
    if (size === undefined) return undefined;
    return { security: Math.floor(size / 2), description: `EC ${details.namedCurve}` };
  }
  return undefined;
}
