import net from 'node:net';
import tls from 'node:tls';
import { CompanionError } from '../../common/errors/companion-error.js';
import { trustContext } from './trust-context.js';
import { tlsFailureCode } from './network-error.js';

export interface TunnelOptions {
  /** `http://host:port` or `https://host:port`, as in HTTPS_PROXY. */
  readonly proxy: string;
  readonly host: string;
  readonly port: number;
  readonly timeoutMs: number;
  /** Trusted for an https:// proxy (TLS-intercepting corporate proxies use private CAs too). */
  readonly caPems?: readonly string[];
}

const MAX_RESPONSE_HEAD = 16 * 1024;

/**
 * Opens a raw CONNECT tunnel through an HTTP(S) proxy, for the probe's handshakes: the probe must
 * take the same path as the real traffic, or it would report a firewall the requests never hit.
 * Proxy credentials in the URL are sent as Basic and never echoed in errors.
 */
export function openTunnel(options: TunnelOptions): Promise<net.Socket> {
  const proxyUrl = new URL(options.proxy);
  const proxyPort = Number(proxyUrl.port) || (proxyUrl.protocol === 'https:' ? 443 : 80);
  const proxyName = `${proxyUrl.protocol}//${proxyUrl.host}`;
  return new Promise((resolve, reject) => {
    const socket: net.Socket =
      proxyUrl.protocol === 'https:'
        ? tls.connect({
            host: proxyUrl.hostname.replace(/^\[|\]$/g, ''),
            port: proxyPort,
            secureContext: trustContext(options.caPems),
            rejectUnauthorized: true,
          })
        : net.connect({ host: proxyUrl.hostname.replace(/^\[|\]$/g, ''), port: proxyPort });
    const timer = setTimeout(() => {
      fail(
        new CompanionError(
          'CONNECT_TIMEOUT',
          `The proxy ${proxyName} did not open a tunnel in time.`,
        ),
      );
    }, options.timeoutMs);
    let head = Buffer.alloc(0);
    let settled = false;
    function fail(error: Error): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    }
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code ?? error.message;
      const tlsCode = tlsFailureCode(reason);
      fail(
        tlsCode === undefined
          ? new CompanionError(
              'PROXY_FAILED',
              `The proxy ${proxyName} could not be reached: ${reason}`,
              {
                cause: error,
              },
            )
          : new CompanionError(
              tlsCode,
              `The TLS certificate of the proxy ${proxyName} was refused: ${reason}.`,
              {
                hint: 'Paste the CA that issued the proxy certificate (ask the network team), or use an http:// proxy URL.',
                cause: error,
                data: { reason, proxy: proxyName },
              },
            ),
      );
    });
    socket.once(proxyUrl.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
      const authority = options.host.includes(':')
        ? `[${options.host}]:${options.port}`
        : `${options.host}:${options.port}`;
      const lines = [`CONNECT ${authority} HTTP/1.1`, `Host: ${authority}`];
      if (proxyUrl.username !== '') {
        const user = decodeURIComponent(proxyUrl.username);
        const password = decodeURIComponent(proxyUrl.password);
        lines.push(
          `Proxy-Authorization: Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
        );
      }
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) {
        if (head.length > MAX_RESPONSE_HEAD)
          fail(
            new CompanionError('PROXY_FAILED', `The proxy ${proxyName} sent an oversized answer.`),
          );
        return;
      }
      socket.off('data', onData);
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head.subarray(0, end).toString('latin1'));
      if (!status || !status[1]!.startsWith('2')) {
        fail(
          new CompanionError(
            'PROXY_FAILED',
            `The proxy ${proxyName} refused the tunnel to ${options.host}:${options.port} (${status ? `HTTP ${status[1]}` : 'not HTTP'}).`,
            { data: { status: status ? Number(status[1]) : undefined } },
          ),
        );
        return;
      }
      if (head.length > end + 4) socket.unshift(head.subarray(end + 4));
      settled = true;
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    };
    socket.on('data', onData);
  });
}
