import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetch, type Dispatcher } from 'undici';
import { isCompanionError } from '../../../common/errors/companion-error.js';
import { createDispatcher } from '../../../core/net/network-factory.js';
import { USER_AGENT } from '../../../core/net/user-agent.js';
import { makePki, type TestPki } from './test-pki.js';

let pki: TestPki;
let server: https.Server;
let port: number;
let proxy: http.Server;
let proxyPort: number;
let proxiedConnects: string[];
const seenAgents: string[] = [];

beforeAll(async () => {
  pki = makePki('Factory');
  server = https.createServer({ cert: pki.chainPem, key: pki.leaf.keyPem }, (req, res) => {
    seenAgents.push(String(req.headers['user-agent']));
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ path: req.url }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;

  // A minimal CONNECT proxy on loopback: it lets tests see that the origin TLS inside the tunnel
  // trusts the pasted CA (undici's ProxyAgent ignores `connect` for the origin).
  proxiedConnects = [];
  proxy = http.createServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req, clientSocket, head) => {
    proxiedConnects.push(String(req.url));
    const [host, targetPort] = String(req.url).split(':');
    const upstream = net.connect(
      Number(targetPort),
      host === 'localhost' ? '127.0.0.1' : host,
      () => {
        clientSocket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(clientSocket);
        clientSocket.pipe(upstream);
      },
    );
    upstream.on('error', () => clientSocket.destroy());
    clientSocket.on('error', () => upstream.destroy());
  });
  proxy.listen(0, '127.0.0.1');
  await once(proxy, 'listening');
  proxyPort = (proxy.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  proxy.closeAllConnections();
  await Promise.all([
    new Promise((resolve) => server.close(resolve)),
    new Promise((resolve) => proxy.close(resolve)),
  ]);
});

const noProxyEnv = {};

async function attempt(url: string, dispatcher: Dispatcher): Promise<unknown> {
  try {
    const response = await fetch(url, { dispatcher, headers: { 'user-agent': USER_AGENT } });
    return await response.json();
  } catch (error) {
    return (error as Error).cause ?? error;
  } finally {
    await dispatcher.close();
  }
}

describe('createDispatcher', () => {
  it('refuses a private-CA server when the CA is not pasted', async () => {
    const cause = await attempt(
      `https://localhost:${port}/x`,
      createDispatcher({ addressPolicy: 'instance', allowLoopback: true, env: noProxyEnv }),
    );
    expect((cause as NodeJS.ErrnoException).code).toBe('UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
  });

  it('trusts the pasted root in addition to the runtime roots, through the pinned lookup', async () => {
    const body = await attempt(
      `https://localhost:${port}/ctx/rest`,
      createDispatcher({
        addressPolicy: 'instance',
        allowLoopback: true,
        caPems: [pki.root.certPem],
        env: noProxyEnv,
      }),
    );
    expect(body).toEqual({ path: '/ctx/rest' });
    expect(seenAgents.at(-1)).toMatch(/^bdc-companion\//);
  });

  it('refuses an intermediate alone unless partial chains are explicitly allowed', async () => {
    const cause = await attempt(
      `https://localhost:${port}/`,
      createDispatcher({
        addressPolicy: 'instance',
        allowLoopback: true,
        caPems: [pki.intermediate.certPem],
        env: noProxyEnv,
      }),
    );
    expect((cause as NodeJS.ErrnoException).code).toBe('UNABLE_TO_GET_ISSUER_CERT');
    const body = await attempt(
      `https://localhost:${port}/`,
      createDispatcher({
        addressPolicy: 'instance',
        allowLoopback: true,
        allowPartialChain: true,
        caPems: [pki.intermediate.certPem],
        env: noProxyEnv,
      }),
    );
    expect(body).toEqual({ path: '/' });
  });

  it('refuses a host name that resolves to loopback without the development setting', async () => {
    const cause = await attempt(
      `https://localhost:${port}/`,
      createDispatcher({ addressPolicy: 'instance', caPems: [pki.root.certPem], env: noProxyEnv }),
    );
    expect(isCompanionError(cause, 'INSTANCE_ADDRESS_FORBIDDEN')).toBe(true);
  });

  it('refuses IP-literal loopback hosts, which never reach the lookup', async () => {
    for (const host of ['127.0.0.1', '[::ffff:127.0.0.1]']) {
      const cause = await attempt(
        `https://${host}:${port}/`,
        createDispatcher({
          addressPolicy: 'instance',
          caPems: [pki.root.certPem],
          env: noProxyEnv,
        }),
      );
      expect(isCompanionError(cause, 'INSTANCE_ADDRESS_FORBIDDEN')).toBe(true);
    }
  });

  it("applies no address policy to 'none' traffic (the platform side)", async () => {
    const body = await attempt(
      `https://127.0.0.1:${port}/p`,
      createDispatcher({ addressPolicy: 'none', caPems: [pki.root.certPem], env: noProxyEnv }),
    );
    expect(body).toEqual({ path: '/p' });
  });

  it('carries the pasted CA into the origin TLS inside a proxy tunnel', async () => {
    const env = { HTTPS_PROXY: `http://127.0.0.1:${proxyPort}` };
    const before = proxiedConnects.length;
    const body = await attempt(
      `https://localhost:${port}/via-proxy`,
      createDispatcher({ addressPolicy: 'none', caPems: [pki.root.certPem], env }),
    );
    expect(body).toEqual({ path: '/via-proxy' });
    expect(proxiedConnects.slice(before)).toEqual([`localhost:${port}`]);

    const untrusted = await attempt(
      `https://localhost:${port}/via-proxy`,
      createDispatcher({ addressPolicy: 'none', env }),
    );
    expect((untrusted as NodeJS.ErrnoException).code).toBe('UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
  });

  it('vets instance hosts before handing them to a proxy, and honours NO_PROXY', async () => {
    const env = { https_proxy: `http://127.0.0.1:${proxyPort}`, HTTPS_PROXY: 'http://ignored:1' };
    const before = proxiedConnects.length;
    const refused = await attempt(
      `https://localhost:${port}/`,
      createDispatcher({ addressPolicy: 'instance', caPems: [pki.root.certPem], env }),
    );
    expect(isCompanionError(refused, 'INSTANCE_ADDRESS_FORBIDDEN')).toBe(true);
    expect(proxiedConnects.length).toBe(before);

    const allowed = await attempt(
      `https://localhost:${port}/ok`,
      createDispatcher({
        addressPolicy: 'instance',
        allowLoopback: true,
        caPems: [pki.root.certPem],
        env,
      }),
    );
    expect(allowed).toEqual({ path: '/ok' });
    expect(proxiedConnects.length).toBe(before + 1);

    const direct = await attempt(
      `https://localhost:${port}/direct`,
      createDispatcher({
        addressPolicy: 'instance',
        allowLoopback: true,
        caPems: [pki.root.certPem],
        env: { ...env, NO_PROXY: 'localhost' },
      }),
    );
    expect(direct).toEqual({ path: '/direct' });
    expect(proxiedConnects.length).toBe(before + 1);
  });

  it('follows an explicit proxy decision (PAC) over the variables', async () => {
    const before = proxiedConnects.length;
    const viaPac = await attempt(
      `https://localhost:${port}/pac`,
      createDispatcher({
        addressPolicy: 'instance',
        allowLoopback: true,
        caPems: [pki.root.certPem],
        env: {},
        proxy: { kind: 'proxy', url: `http://127.0.0.1:${proxyPort}` },
      }),
    );
    expect(viaPac).toEqual({ path: '/pac' });
    expect(proxiedConnects.length).toBe(before + 1);
    const direct = await attempt(
      `https://localhost:${port}/direct`,
      createDispatcher({
        addressPolicy: 'instance',
        allowLoopback: true,
        caPems: [pki.root.certPem],
        env: { HTTPS_PROXY: 'http://127.0.0.1:9' },
        proxy: { kind: 'direct' },
      }),
    );
    expect(direct).toEqual({ path: '/direct' });
    expect(proxiedConnects.length).toBe(before + 1);
    const refused = await attempt(
      `https://localhost:${port}/`,
      createDispatcher({
        addressPolicy: 'instance',
        caPems: [pki.root.certPem],
        env: {},
        proxy: { kind: 'proxy', url: `http://127.0.0.1:${proxyPort}` },
      }),
    );
    expect(isCompanionError(refused, 'INSTANCE_ADDRESS_FORBIDDEN')).toBe(true);
    expect(proxiedConnects.length).toBe(before + 1);
  });

  it('trusts an https:// proxy (TLS to the proxy) through the same pasted CA', async () => {
    const tlsProxy = https.createServer({ cert: pki.chainPem, key: pki.leaf.keyPem });
    tlsProxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      const upstream = net.connect(port, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    tlsProxy.listen(0, '127.0.0.1');
    await once(tlsProxy, 'listening');
    const tlsProxyPort = (tlsProxy.address() as AddressInfo).port;
    try {
      const env = { HTTPS_PROXY: `https://localhost:${tlsProxyPort}` };
      const body = await attempt(
        `https://localhost:${port}/tls-proxy`,
        createDispatcher({ addressPolicy: 'none', caPems: [pki.root.certPem], env }),
      );
      expect(body).toEqual({ path: '/tls-proxy' });
      const untrusted = await attempt(
        `https://localhost:${port}/tls-proxy`,
        createDispatcher({ addressPolicy: 'none', env }),
      );
      expect(untrusted).toBeInstanceOf(Error);
    } finally {
      tlsProxy.closeAllConnections();
      tlsProxy.close();
    }
  });

  it('gives up on a listener that never completes the TLS handshake within the connect timeout', async () => {
    const silent = net.createServer(() => undefined);
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const silentPort = (silent.address() as AddressInfo).port;
    const started = Date.now();
    const cause = await attempt(
      `https://127.0.0.1:${silentPort}/`,
      createDispatcher({
        addressPolicy: 'instance',
        allowLoopback: true,
        connectTimeoutMs: 300,
        env: noProxyEnv,
      }),
    );
    silent.close();
    expect((cause as NodeJS.ErrnoException).code).toBe('UND_ERR_CONNECT_TIMEOUT');
    // Well under the 10 s default the option replaces.
    expect(Date.now() - started).toBeLessThan(6000);
  });
});
