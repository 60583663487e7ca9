import type { X509Certificate } from 'node:crypto';
import type { CertificateSummary } from '../../common/api/models.js';

/** Node prints distinguished names one attribute per line; people read them comma-separated. */
export function formatDistinguishedName(name: string): string {
  return name
    .split('\n')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .join(', ');
}

/** The common name of a distinguished name, or the whole name when it has none. */
export function commonNameOf(name: string): string {
  const cn = name
    .split('\n')
    .map((part) => part.trim())
    .find((part) => part.startsWith('CN='));
  return cn === undefined ? formatDistinguishedName(name) : cn.slice(3);
}

/**
 * Signed by its own key. `checkIssued` alone is not enough: OpenSSL also demands keyCertSign of
 * the issuer, which a self-signed *server* certificate lacks.
 */
export function isSelfSigned(certificate: X509Certificate): boolean {
  if (certificate.subject !== certificate.issuer && !certificate.checkIssued(certificate)) {
    return false;
  }
  try {
    return certificate.verify(certificate.publicKey);
  } catch {
    return false;
  }
}

/**
 * A certificate date as ISO 8601. Node gives OpenSSL's text (`Nov 28 20:07:38 2027 GMT`); a
 * malformed validity field can make it unparseable, and then the raw text is shown, not a crash.
 */
export function certificateDate(text: string): string {
  const time = Date.parse(text);
  return Number.isNaN(time) ? text : new Date(time).toISOString();
}

/** What the UI and `--json` show for one certificate. */
export function summarizeCertificate(certificate: X509Certificate): CertificateSummary {
  return {
    subject: formatDistinguishedName(certificate.subject),
    issuer: formatDistinguishedName(certificate.issuer),
    sha256: certificate.fingerprint256,
    notBefore: certificateDate(certificate.validFrom),
    notAfter: certificateDate(certificate.validTo),
    ca: certificate.ca,
    selfSigned: isSelfSigned(certificate),
  };
}
