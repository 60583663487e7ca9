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
    cause:
      'The proxy (from the Network setting, a PAC file, HTTPS_PROXY/HTTP_PROXY or the system) refused or failed the connection.',
    fix: 'Check the proxy and its bypass list (internal hosts usually bypass the proxy); the Network section shows which route each address takes.',
    fixCli:
      'Run `bdc-companion network show` to see which route each address takes, then check the proxy and its bypass list (or NO_PROXY).',
  },
  PROXY_PAC_FAILED: {
    cause: 'The PAC file set as the proxy configuration could not be fetched or failed to run.',
    fix: 'Check the PAC URL with the network team (it is fetched directly, without a proxy), or set the proxy URL instead.',
    fixCli:
      'Check the PAC URL (it is fetched directly, without a proxy), or set the proxy with `bdc-companion network set --proxy URL`.',
  },
  PROXY_PAC_UNUSABLE: {
    cause:
      'The PAC file named only proxies the companion cannot use (SOCKS) for this address, or nothing at all.',
    fix: 'Ask the network team for an HTTP proxy for this address, or set the proxy URL instead of the PAC file.',
    fixCli:
      'Ask the network team for an HTTP proxy for this address, or set it with `bdc-companion network set --proxy URL`.',
  },
  PROXY_CREDENTIALS_MISSING: {
    cause:
      'The proxy is set to use a user name and password, but the secret store has none (it was reset or the config home was copied).',
    fix: 'Enter the proxy user name and password again in the Network section.',
    fixCli: 'Run `bdc-companion network set --proxy URL --proxy-credentials-stdin` again.',
  },
  PROXY_URL_INVALID: {
    cause:
      'The proxy or PAC URL is not an http:// or https:// URL, or it carries a user name or password in it.',
    fix: 'Give the proxy as http://host:port (credentials go in their own fields, kept in the secret store).',
    fixCli:
      'Give the proxy as http://host:port; pass credentials with --proxy-credentials-stdin (user:password on standard input).',
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
