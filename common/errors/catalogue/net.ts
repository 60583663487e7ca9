import type { CatalogueSection } from '../catalogue-entry.js';

/** Codes of the net capability: URL and address checks, DNS, TCP, TLS, proxies, timeouts. */
export const netCodes = {
  URL_INVALID: {
    cause: 'The instance URL could not be parsed, or carries credentials, a query or a fragment.',
    fix: 'Enter the base URL you open Bitbucket with, e.g. https://bitbucket.example.com/bitbucket.',
  },
  HTTPS_REQUIRED: {
    cause: 'The URL does not use https; the companion never talks to Bitbucket without TLS.',
    fix: 'Use the https:// address of the instance (ask its administrator if only http is set up).',
  },
  INSTANCE_ADDRESS_FORBIDDEN: {
    cause:
      'The instance address is loopback, link-local, a metadata service, or another refused range.',
    fix: 'Use the address of the Bitbucket server itself; loopback needs the allowLoopback development setting.',
  },
  DNS_NOT_FOUND: {
    cause: 'The host name does not resolve from this machine.',
    fix: 'Check the spelling, and that this machine is on the network (VPN) where the name resolves.',
  },
  DNS_FAILED: {
    cause: 'The DNS lookup failed or timed out.',
    fix: 'Check the DNS settings of this machine or VPN, then try again.',
  },
  CONNECT_REFUSED: {
    cause: 'The server refused the TCP connection: nothing listens on that address and port.',
    fix: 'Check the port in the URL and that Bitbucket (or its proxy) is running.',
  },
  CONNECT_TIMEOUT: {
    cause:
      'The TCP or TLS connection did not complete in time; a firewall may be dropping packets.',
    fix: 'Check that this machine can reach the server (VPN connected, firewall open for the port).',
  },
  CONNECT_FAILED: {
    cause: 'The connection failed: network unreachable, reset, or closed during the handshake.',
    fix: 'Check the network path (VPN, routes, firewall) to the server and try again.',
  },
  TLS_UNTRUSTED: {
    cause: 'The server certificate is issued by a CA this machine does not trust (a private CA).',
    fix: 'Paste the root CA certificate of the issuer named in the message (ask the Bitbucket administrator); for an existing installation whose CA was renewed: `installation update <name> --ca-file F`.',
    fixGui:
      "Trust your organisation's root CA in the Trust step (ask the Bitbucket administrator which CA issued the certificate); for an existing installation whose CA was renewed, use Installations → Replace the private CAs.",
    fixCli:
      'Give the root CA certificate of the issuer named in the message (ask the Bitbucket administrator): `installation add … --ca-file F`; for an existing installation whose CA was renewed: `installation update <name> --ca-file F`.',
  },
  TLS_EXPIRED: {
    cause: 'A certificate in the server chain has expired (or is not valid yet: check the clock).',
    fix: 'Ask the Bitbucket administrator to renew the certificate; check this machine clock.',
  },
  TLS_HOSTNAME_MISMATCH: {
    cause: 'The server certificate does not name the host in the URL.',
    fix: 'Use the host name the certificate was issued for (see the names in the message).',
  },
  TLS_HANDSHAKE_FAILED: {
    cause:
      'The TLS handshake failed for a reason other than trust (protocol, cipher or a non-TLS port).',
    fix: 'Check that the URL points at the HTTPS port of the server, not an http or SSH port.',
  },
  REQUEST_TIMEOUT: {
    cause: 'The server accepted the connection but did not answer in time.',
    fix: 'Check that the server is healthy and not overloaded, then try again.',
  },
  PROXY_FAILED: {
    cause: 'The proxy from HTTPS_PROXY/HTTP_PROXY refused or failed the connection.',
    fix: 'Check the proxy variables and NO_PROXY (internal hosts usually belong in NO_PROXY).',
  },
  NETWORK_FAILED: {
    cause: 'The request failed on the network for an unexpected reason.',
    fix: 'Run `bdc-companion probe <url>` to see which step fails.',
    fixGui: 'Probe the instance in the Setup wizard to see which step fails.',
  },
  TRUST_BUNDLE_WRITE_FAILED: {
    cause: 'The CA bundle file for the git CLI could not be written.',
    fix: 'Check that the config home is writable and the disk is not full.',
  },
} as const satisfies CatalogueSection;
