import type { CertificateSummary } from '../../../common/api/models.js';

/** Certificates with what an admin compares against their PKI: subject, issuer, fingerprint, expiry. */
export function CertificateList(props: {
  certificates: readonly CertificateSummary[];
  label: string;
}) {
  return (
    <ul className="certificates" aria-label={props.label}>
      {props.certificates.map((certificate, index) => (
        <li key={`${certificate.sha256}-${index}`} className="certificate">
          <dl>
            <dt>Subject</dt>
            <dd>{certificate.subject}</dd>
            <dt>Issuer</dt>
            <dd>{certificate.issuer}</dd>
            <dt>SHA-256</dt>
            <dd className="mono fingerprint">{certificate.sha256}</dd>
            <dt>Expires</dt>
            <dd>{new Date(certificate.notAfter).toLocaleString()}</dd>
            <dt>Kind</dt>
            <dd>
              {certificate.ca ? 'CA' : 'server'}
              {certificate.selfSigned ? ', self-signed (root)' : ''}
            </dd>
          </dl>
        </li>
      ))}
    </ul>
  );
}
