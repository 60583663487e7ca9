import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';

export interface ProxiedConnect {
  /** `host:port` asked for in the CONNECT line. */
  readonly target: string;
  /** The Proxy-Authorization header as received (undefined when none). */
  readonly authorization: string | undefined;
  /** Whether the proxy let the tunnel through. */
  readonly allowed: boolean;
}

export interface RunningConnectProxy {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** Every CONNECT received, oldest first. */
  readonly connects: ProxiedConnect[];
  /** Every non-CONNECT request line received (a plain HTTP request sent to the proxy). */
  readonly plainRequests: string[];
  close(): Promise<void>;
}

/**
 * A real forwarding proxy on 127.0.0.1 that speaks CONNECT (what corporate proxies do for HTTPS),
 * for tests that must prove a path goes through the proxy. With `credentials`, tunnels without
 * `Proxy-Authorization: Basic base64(user:password)` are refused with 407, as a real proxy does.
 * Tunnels may only go to 127.0.0.1 (test traffic stays on loopback).
 */
export async function startConnectProxy(
  options: { readonly credentials?: { readonly username: string; readonly password: string } } = {},
): Promise<RunningConnectProxy> {
  const connects: ProxiedConnect[] = [];
  const plainRequests: string[] = [];
  const expected =
    options.credentials === undefined
      ? undefined
      : `Basic ${Buffer.from(`${options.credentials.username}:${options.credentials.password}`).toString('base64')}`;
  const sockets = new Set<net.Socket>();
  const server = http.createServer((request, response) => {
    plainRequests.push(`${request.method} ${request.url}`);
    response.writeHead(405).end();
  });
  server.on('connect', (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    const target = request.url ?? '';
    const authorization = request.headers['proxy-authorization'];
    const authorized = expected === undefined || authorization === expected;
    const match = /^(.+):(\d+)$/.exec(target);
    const host = match?.[1]?.replace(/^\[|\]$/g, '');
    const allowed = authorized && match !== null && (host === '127.0.0.1' || host === 'localhost');
    connects.push({ target, authorization, allowed });
    if (!authorized) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    if (!allowed) {
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = net.connect(Number(match![2]), '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connects,
    plainRequests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
