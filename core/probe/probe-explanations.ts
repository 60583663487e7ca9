import type { X509Certificate } from 'node:crypto';
import { CompanionError } from '../../common/errors/companion-error.js';
import type { TlsVerification } from '../../common/models/probe.js';
import type { InstanceUrl } from '../net/instance-url.js';
import {
  certificateDate,
  formatDistinguishedName,
  isSelfSigned,
} from '../trust/certificate-summary.js';
import type { PresentedChain } from './tls-handshakes.js';

export const APPLICATION_PROPERTIES = 'rest/api/1.0/application-properties';

/** Turns a refused verification into the step error, naming what the user can act on. */
export function explainRefusal(
  reason: string,
  presented: PresentedChain,
  target: InstanceUrl,
): { error: CompanionError; verification: TlsVerification } {
  const certificates = presented.certificates;
  const leaf: X509Certificate | undefined = certificates[0];
  const top = certificates.at(-1);
  const code =
    reason === 'CERT_HAS_EXPIRED' || reason === 'CERT_NOT_YET_VALID'
      ? 'TLS_EXPIRED'
      : reason === 'ERR_TLS_CERT_ALTNAME_INVALID'
        ? 'TLS_HOSTNAME_MISMATCH'
        : 'TLS_UNTRUSTED';
  if (code === 'TLS_UNTRUSTED') {
    // The CA to paste is the one the presented chain ends at: the top's issuer, or the top
    // itself when the server sends its self-signed root along.
    const missing =
      top === undefined
        ? 'an unknown CA'
        : formatDistinguishedName(isSelfSigned(top) ? top.subject : top.issuer);
    const fingerprint =
      top !== undefined && isSelfSigned(top) ? ` (SHA-256 ${top.fingerprint256})` : '';
    if (top !== undefined && certificates.length === 1 && isSelfSigned(top) && !top.ca) {
      // A self-signed server certificate that is not a CA cannot be trusted as one: the fix is on
      // the server, and saying "paste the CA" would send the user in circles.
      return {
        verification: { kind: 'untrusted', code, reason, missingIssuer: missing },
        error: new CompanionError(
          code,
          `${target.hostname} presents a self-signed server certificate (SHA-256 ${top.fingerprint256}), not one issued by a CA (${reason}).`,
          {
            hint: 'Ask the Bitbucket administrator for a certificate issued by the company CA (or a public one), then give that CA with --ca-file.',
            hintGui:
              'Ask the Bitbucket administrator for a certificate issued by the company CA (or a public one), then paste that CA here.',
            data: { reason, issuer: missing, selfSignedLeaf: true },
          },
        ),
      };
    }
    return {
      verification: { kind: 'untrusted', code, reason, missingIssuer: missing },
      error: new CompanionError(
        code,
        `The certificate of ${target.hostname} is issued by "${missing}"${fingerprint}, which this machine does not trust (${reason}).`,
        {
          hint: `Give the CA certificate of "${missing}" with --ca-file F (ask the Bitbucket administrator for the root CA).`,
          hintGui: `Paste the CA certificate of "${missing}" (ask the Bitbucket administrator for the root CA), then probe again.`,
          data: { reason, issuer: missing },
        },
      ),
    };
  }
  if (code === 'TLS_EXPIRED') {
    const now = Date.now();
    const bad = certificates.find(
      (certificate) =>
        Date.parse(certificate.validTo) < now || Date.parse(certificate.validFrom) > now,
    );
    const which =
      bad === undefined
        ? 'A certificate in the chain'
        : `The certificate "${formatDistinguishedName(bad.subject)}"`;
    const when =
      bad === undefined
        ? ''
        : Date.parse(bad.validTo) < now
          ? ` expired on ${certificateDate(bad.validTo)}`
          : ` is valid only from ${certificateDate(bad.validFrom)}`;
    return {
      verification: { kind: 'untrusted', code, reason, missingIssuer: undefined },
      error: new CompanionError(
        code,
        `${which}${when || ' is outside its validity period'} (${reason}).`,
        {
          data: { reason },
        },
      ),
    };
  }
  const names =
    leaf?.subjectAltName ??
    `subject ${leaf === undefined ? 'unknown' : formatDistinguishedName(leaf.subject)}`;
  return {
    verification: { kind: 'untrusted', code, reason, missingIssuer: undefined },
    error: new CompanionError(
      code,
      `The certificate of ${target.hostname} does not name it; it is valid for ${names}.`,
      { data: { reason, names } },
    ),
  };
}

export function redirectError(
  from: string,
  location: string | string[] | undefined,
  target: InstanceUrl,
): CompanionError {
  const raw = Array.isArray(location) ? location[0] : location;
  let to: URL | undefined;
  try {
    to = raw === undefined ? undefined : new URL(raw, from);
  } catch {
    to = undefined;
  }
  const suggested =
    to !== undefined && to.pathname.endsWith(`/${APPLICATION_PROPERTIES}`)
      ? `${to.origin}${to.pathname.slice(0, -APPLICATION_PROPERTIES.length - 1)}`
      : undefined;
  const where = to === undefined ? 'an unnamed location' : `${to.origin}${to.pathname}`;
  return new CompanionError(
    'PROBE_REDIRECTED',
    `${target.baseUrl} redirects the API to ${where}.`,
    {
      ...(suggested !== undefined && suggested !== target.baseUrl && to?.protocol === 'https:'
        ? { hint: `Probe ${suggested} instead, if that is the Bitbucket address.` }
        : {}),
      data: { location: where },
    },
  );
}
