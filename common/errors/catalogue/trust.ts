import type { CatalogueSection } from '../catalogue-entry.js';

/** Codes of the trust capability: validating a pasted CA and proving it fixes the chain. */
export const trustCodes = {
  TRUST_EMPTY: {
    cause: 'No CA certificate was given.',
    fix: 'Paste the PEM text of the CA certificate (-----BEGIN CERTIFICATE----- …).',
    fixCli:
      'Give the PEM file of the CA certificate with --ca-file F (-----BEGIN CERTIFICATE----- …).',
  },
  TRUST_TOO_LARGE: {
    cause: 'The CA input is larger than 64 KiB.',
    fix: 'Paste only the root CA certificate (or the few CAs needed), not a whole system bundle.',
    fixCli:
      'Give only the root CA certificate (or the few CAs needed) in --ca-file, not a whole system bundle.',
  },
  TRUST_PRIVATE_KEY: {
    cause: 'The input contains a PRIVATE KEY. It was not stored or shown anywhere.',
    fix: 'Never paste a private key. Paste the CA certificate (-----BEGIN CERTIFICATE-----) instead, and consider the key exposed if it was shared.',
    fixCli:
      'Never hand over a private key. Give the CA certificate (-----BEGIN CERTIFICATE-----) with --ca-file instead, and consider the key exposed if it was shared.',
  },
  TRUST_NOT_PEM: {
    cause: 'The input contains no PEM certificate block, or a block is damaged.',
    fix: 'Paste the PEM form (-----BEGIN CERTIFICATE----- …); convert DER with `openssl x509 -inform der -in ca.cer`.',
    // The window has no terminal to run openssl in: it asks for the PEM form or its file instead.
    fixGui:
      'Paste the PEM form (it starts with -----BEGIN CERTIFICATE-----) or choose its .pem or .crt file; a binary DER (.cer) file is not read here, so ask the Bitbucket administrator for the PEM form.',
    fixCli:
      'Give the PEM form (-----BEGIN CERTIFICATE----- …) with --ca-file; convert DER with `openssl x509 -inform der -in ca.cer`.',
  },
  TRUST_UNSUPPORTED_BLOCK: {
    cause:
      'The input contains a PEM block that is not a certificate (e.g. a request or public key).',
    fix: 'Paste only CERTIFICATE blocks.',
    fixCli: 'Keep only CERTIFICATE blocks in the --ca-file.',
  },
  TRUST_TOO_MANY: {
    cause: 'The input holds more than 16 certificates.',
    fix: 'Paste only the root CA of the Bitbucket server (and at most a few more).',
    fixCli: 'Give only the root CA of the Bitbucket server (and at most a few more) in --ca-file.',
  },
  TRUST_UNPARSABLE: {
    cause: 'A certificate block could not be parsed as an X.509 certificate.',
    fix: 'Export the CA certificate again from its source and paste it unchanged.',
    fixCli:
      'Export the CA certificate again from its source and give the file unchanged with --ca-file.',
  },
  TRUST_NOT_CA: {
    cause:
      'The certificate is not a CA (basicConstraints CA:FALSE or missing): likely a server certificate.',
    fix: 'Paste the certificate of the CA that issued the server certificate, not the server certificate itself.',
    fixCli:
      'Give the certificate of the CA that issued the server certificate (--ca-file), not the server certificate itself.',
  },
  TRUST_NO_CERT_SIGN: {
    cause: 'The CA certificate key usage does not allow signing certificates (keyCertSign).',
    fix: 'Paste the issuing root CA certificate; ask the PKI administrator which CA signs server certificates.',
    fixCli:
      'Give the issuing root CA certificate with --ca-file; ask the PKI administrator which CA signs server certificates.',
  },
  TRUST_KEY_TOO_WEAK: {
    cause:
      "The CA certificate's key is smaller than TLS accepts here (OpenSSL security level 1: RSA or DSA below 1024 bits, EC below 160 bits), so no server it signed could ever be verified.",
    fix: 'Ask the PKI administrator for a CA with an RSA key of at least 2048 bits or an EC key (P-256 or larger).',
  },
  TRUST_SIGNATURE_TOO_WEAK: {
    cause:
      'The CA certificate is signed by its issuer with MD5 or SHA-1, which TLS refuses in a chain here (OpenSSL security level 1: "CA signature digest algorithm too weak").',
    fix: 'Ask the PKI administrator to re-issue the intermediate CA with a SHA-256 (or stronger) signature.',
  },
  TRUST_EXPIRED: {
    cause: 'The CA certificate has expired.',
    fix: 'Get the renewed CA certificate from the PKI administrator (also check this machine clock).',
  },
  TRUST_NOT_YET_VALID: {
    cause: 'The CA certificate is not valid yet.',
    fix: 'Check this machine clock, or wait until the certificate validity starts.',
  },
  TRUST_INTERMEDIATE_ONLY: {
    cause: 'The input holds only intermediate CAs; trusting one alone needs an explicit choice.',
    fix: 'Paste the root CA (preferred), or confirm that trusting the intermediate alone is intended (partial chain).',
    fixCli:
      'Give the root CA (preferred), or add --partial-chain to trust the intermediate alone on purpose.',
  },
  TRUST_DOES_NOT_FIX: {
    cause: 'With this CA, the live server chain still does not verify.',
    fix: 'Paste the root CA named in the message: the one that issued the certificate the server presents.',
    fixCli:
      'Give the root CA named in the message with --ca-file: the one that issued the certificate the server presents.',
  },
} as const satisfies CatalogueSection;
