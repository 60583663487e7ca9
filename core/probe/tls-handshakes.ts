import { X509Certificate } from 'node:crypto';
import { isIP, type Socket } from 'node:net';
import tls from 'node:tls';
import { CompanionError } from '../../common/errors/companion-error.js';
import { tlsFailureCode } from '../net/network-error.js';
import { trustContext } from '../net/trust-context.js';

export interface PresentedChain {
  /** Leaf first, as the server sent it (duplicates and loops removed). */
  readonly certificates: readonly X509Certificate[];
  readonly protocol: string | undefined;
}

export interface HandshakeTarget {
  /** An already connected TCP socket (direct, or a proxy tunnel); consumed by the handshake. */
  readonly socket: Socket;
  /** The host name from the URL: SNI (unless an IP) and the name the certificate must carry. */
  readonly hostname: string;
  readonly timeoutMs: number;
}

function servernameFor(hostname: string): string | undefined {
  // SNI must not carry an IP address (RFC 6066); Node warns and sends it anyway if asked.
  return isIP(hostname) === 0 ? hostname : undefined;
}

/** Ends a handshake that does not complete in time (a stalled server) with CONNECT_TIMEOUT. */
function abortHandshakeAfterTimeout(
  target: HandshakeTarget,
  socket: tls.TLSSocket,
  reject: (error: CompanionError) => void,
): NodeJS.Timeout {
  return setTimeout(() => {
    socket.destroy();
    target.socket.destroy();
    reject(
      new CompanionError(
        'CONNECT_TIMEOUT',
        `The TLS handshake with ${target.hostname} did not complete within ${target.timeoutMs} ms.`,
      ),
    );
  }, target.timeoutMs);
}

/**
 * Reads the chain the server presents, whether or not it verifies, so the probe can show the
 * user which issuer to trust. This is the only handshake in the product without verification,
 * and it is harmless by construction: it writes nothing after the handshake (no request, no
 * credential), reads nothing but the certificates, and destroys the socket at once. Trust is
 * decided separately by `verifyHandshake`, with full verification.
 */
export function inspectPresentedChain(target: HandshakeTarget): Promise<PresentedChain> {
  return new Promise((resolve, reject) => {
    const servername = servernameFor(target.hostname);
    const socket = tls.connect({
      socket: target.socket,
      ...(servername === undefined ? {} : { servername }),
      ALPNProtocols: ['http/1.1'],
      rejectUnauthorized: false, // probe-chain-inspection: handshake only, no request, no credential
    });
    const timer = abortHandshakeAfterTimeout(target, socket, reject);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const certificates: X509Certificate[] = [];
      const seen = new Set<string>();
      let current = socket.getPeerCertificate(true) as tls.DetailedPeerCertificate | undefined;
      while (current?.raw !== undefined && !seen.has(current.fingerprint256) && seen.size < 16) {
        seen.add(current.fingerprint256);
        certificates.push(new X509Certificate(current.raw));
        current = current.issuerCertificate;
      }
      const protocol = socket.getProtocol() ?? undefined;
      socket.destroy();
      resolve({ certificates, protocol });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      reject(handshakeError(target.hostname, error));
    });
  });
}

export interface VerifyOptions {
  readonly caPems?: readonly string[];
  readonly allowPartialChain?: boolean;
}

/** Outcome of the verifying handshake: trusted, or the reason Node/OpenSSL refused. */
export type VerifyOutcome =
  | { readonly kind: 'trusted'; readonly protocol: string | undefined }
  | { readonly kind: 'refused'; readonly reason: string; readonly message: string };

/**
 * A real, verifying handshake with the trust the product would use (runtime roots + CAs) and the
 * host name check. Like the inspection, it sends nothing after the handshake.
 */
export function verifyHandshake(
  target: HandshakeTarget,
  options: VerifyOptions,
): Promise<VerifyOutcome> {
  return new Promise((resolve, reject) => {
    const servername = servernameFor(target.hostname);
    const socket = tls.connect({
      socket: target.socket,
      // With `socket` given, `host` is only the name the certificate is checked against.
      host: target.hostname,
      ...(servername === undefined ? {} : { servername }),
      ALPNProtocols: ['http/1.1'],
      secureContext: trustContext(options.caPems, options.allowPartialChain === true),
      rejectUnauthorized: true,
    });
    const timer = abortHandshakeAfterTimeout(target, socket, reject);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const protocol = socket.getProtocol() ?? undefined;
      socket.destroy();
      resolve({ kind: 'trusted', protocol });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      const reason = error.code ?? '';
      const code = tlsFailureCode(reason);
      if (code === 'TLS_UNTRUSTED' || code === 'TLS_EXPIRED' || code === 'TLS_HOSTNAME_MISMATCH') {
        resolve({ kind: 'refused', reason, message: error.message });
        return;
      }
      reject(handshakeError(target.hostname, error));
    });
  });
}

function handshakeError(hostname: string, error: NodeJS.ErrnoException): CompanionError {
  const reason = error.code ?? error.message;
  if (reason === 'ECONNRESET' || reason === 'EPIPE') {
    return new CompanionError(
      'TLS_HANDSHAKE_FAILED',
      `${hostname} closed the connection during the TLS handshake.`,
      {
        hint: 'Check that the port serves HTTPS (not SSH or plain HTTP), and that no firewall resets TLS.',
        cause: error,
        data: { reason },
      },
    );
  }
  const plainHttp = /WRONG_VERSION_NUMBER|packet length too long|http request/i.test(
    `${reason} ${error.message}`,
  );
  return new CompanionError(
    'TLS_HANDSHAKE_FAILED',
    `The TLS handshake with ${hostname} failed: ${reason}.`,
    {
      ...(plainHttp
        ? { hint: 'The port answers plain HTTP, not HTTPS: use the HTTPS port of the server.' }
        : {}),
      cause: error,
      data: { reason },
    },
  );
}
