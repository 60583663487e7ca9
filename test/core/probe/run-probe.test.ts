import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeStepResult } from '../../../common/models/probe.js';
import { runProbe } from '../../../core/probe/run-probe.js';
import { startSimulator } from '../../../sim/index.js';
import type { RunningSimulator } from '../../../sim/simulator-api.js';
import { makeCert, makePki, ONE_DAY_MS, type TestPki } from '../net/test-pki.js';

const noProxy = {};
let sim: RunningSimulator;
let rootName: string;

beforeAll(async () => {
  sim = await startSimulator({ platform: false });
  rootName = new X509Certificate(sim.caPem).subject
    .split('\n')
    .find((part) => part.startsWith('CN='))!;
});
afterAll(async () => {
  await sim.close();
});

function stepNames(steps: readonly ProbeStepResult[]): string {
  return steps.map((step) => `${step.name}:${step.ok ? 'ok' : step.code}`).join(' ');
}

describe('runProbe against the simulator', () => {
  it('without the CA: TLS_UNTRUSTED naming the issuer to paste, with the presented chain', async () => {
    const result = await runProbe(sim.url, { allowLoopback: true, env: noProxy });
    expect(stepNames(result.steps)).toBe('url:ok dns:ok address:ok tcp:ok tls:TLS_UNTRUSTED');
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('TLS_UNTRUSTED');
    expect(result.error?.message).toContain(rootName);
    expect(result.error?.hint).toContain(rootName);
    expect(result.tls?.trusted).toBe(false);
    expect(result.tls?.chain.length).toBe(2);
    expect(result.tls?.chain[0]).toMatchObject({ ca: false, selfSigned: false });
    expect(result.tls?.chain[1]).toMatchObject({ ca: true, selfSigned: false });
    expect(result.tls?.chain[1]!.issuer).toContain(rootName);
    expect(result.tls?.verification).toMatchObject({ kind: 'untrusted', code: 'TLS_UNTRUSTED' });
    expect(result.addressClass).toBe('loopback');
    expect(result.relayNeeded).toBe(true);
    expect(result.version).toBeUndefined();
  });

  it('with the root CA: every step passes and the version is read', async () => {
    const seen: string[] = [];
    const result = await runProbe(sim.url, {
      allowLoopback: true,
      caPems: [sim.caPem],
      env: noProxy,
      onStep: (step) => seen.push(step.name),
    });
    expect(stepNames(result.steps)).toBe(
      'url:ok dns:ok address:ok tcp:ok tls:ok http:ok version:ok',
    );
    expect(seen).toEqual(['url', 'dns', 'address', 'tcp', 'tls', 'http', 'version']);
    expect(result).toMatchObject({
      ok: true,
      version: '9.4.22',
      supported: true,
      error: undefined,
    });
    expect(result.tls?.trusted).toBe(true);
    for (const step of result.steps) expect(step.ms).toBeGreaterThanOrEqual(0);
  });

  it('refuses loopback without the development setting, before connecting', async () => {
    const result = await runProbe(sim.url, { caPems: [sim.caPem], env: noProxy });
    expect(stepNames(result.steps)).toBe('url:ok dns:ok address:INSTANCE_ADDRESS_FORBIDDEN');
    expect(result.error?.message).toContain('127.0.0.1');
  });

  it('refuses versions other than 9.x and 10.x, naming the version', async () => {
    try {
      sim.setVersion('8.20.1');
      const old = await runProbe(sim.url, {
        allowLoopback: true,
        caPems: [sim.caPem],
        env: noProxy,
      });
      expect(old.steps.at(-1)).toMatchObject({
        name: 'version',
        ok: false,
        code: 'UNSUPPORTED_VERSION',
      });
      expect(old.error?.message).toContain('8.20.1');
      expect(old).toMatchObject({ version: '8.20.1', supported: false });
      sim.setVersion('10.1.0');
      const ten = await runProbe(sim.url, {
        allowLoopback: true,
        caPems: [sim.caPem],
        env: noProxy,
      });
      expect(ten).toMatchObject({ ok: true, version: '10.1.0', supported: true });
      sim.setVersion('11.0.0');
      const next = await runProbe(sim.url, {
        allowLoopback: true,
        caPems: [sim.caPem],
        env: noProxy,
      });
      expect(next.error?.code).toBe('UNSUPPORTED_VERSION');
    } finally {
      sim.setVersion('9.4.22');
    }
  });

  it('trusts an intermediate alone only with the explicit partial-chain choice', async () => {
    const plain = await runProbe(sim.url, {
      allowLoopback: true,
      caPems: [sim.intermediatePem],
      env: noProxy,
    });
    expect(plain.error?.code).toBe('TLS_UNTRUSTED');
    const partial = await runProbe(sim.url, {
      allowLoopback: true,
      caPems: [sim.intermediatePem],
      allowPartialChain: true,
      env: noProxy,
    });
    expect(partial.ok).toBe(true);
  });

  it('ends a stalled TLS handshake with CONNECT_TIMEOUT within the deadline', async () => {
    sim.faults.stallHandshakes(true);
    try {
      const started = Date.now();
      const result = await runProbe(sim.url, {
        allowLoopback: true,
        caPems: [sim.caPem],
        env: noProxy,
        deadlineMs: 1500,
        stepTimeoutMs: 60_000,
      });
      // Well under the 60 s step timeout it would otherwise wait for (room left for a loaded machine).
      expect(Date.now() - started).toBeLessThan(8000);
      expect(result.steps.at(-1)).toMatchObject({
        name: 'tls',
        ok: false,
        code: 'CONNECT_TIMEOUT',
      });
    } finally {
      sim.faults.stallHandshakes(false);
    }
  });

  it('reports CONNECT_REFUSED for a closed port', async () => {
    const closed = net.createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await runProbe(`https://127.0.0.1:${port}`, {
      allowLoopback: true,
      env: noProxy,
    });
    expect(stepNames(result.steps)).toBe('url:ok dns:ok address:ok tcp:CONNECT_REFUSED');
  });
});

describe('runProbe against simulators with special certificates', () => {
  it('reports an expired server certificate as TLS_EXPIRED', async () => {
    const expired = await startSimulator({ platform: false, certificate: 'expired' });
    try {
      const result = await runProbe(expired.url, {
        allowLoopback: true,
        caPems: [expired.caPem],
        env: noProxy,
      });
      expect(result.steps.at(-1)).toMatchObject({ name: 'tls', ok: false, code: 'TLS_EXPIRED' });
      expect(result.error?.message).toMatch(/expired on \d{4}-/);
    } finally {
      await expired.close();
    }
  });

  it('reports a certificate for another host as TLS_HOSTNAME_MISMATCH naming its names', async () => {
    const wrong = await startSimulator({ platform: false, certificate: 'wrong-host' });
    try {
      const result = await runProbe(wrong.url, {
        allowLoopback: true,
        caPems: [wrong.caPem],
        env: noProxy,
      });
      expect(result.steps.at(-1)).toMatchObject({
        name: 'tls',
        ok: false,
        code: 'TLS_HOSTNAME_MISMATCH',
      });
      expect(result.error?.message).toContain('valid for');
    } finally {
      await wrong.close();
    }
  });

  it('keeps the context path, and a missing one gives NOT_BITBUCKET with a hint', async () => {
    const context = await startSimulator({
      platform: false,
      contextPath: '/bitbucket',
      serveRoot: true,
    });
    try {
      expect(context.url).toMatch(/\/bitbucket$/);
      const result = await runProbe(`${context.url}/`, {
        allowLoopback: true,
        caPems: [context.caPem],
        env: noProxy,
      });
      expect(result).toMatchObject({ ok: true, version: '9.4.22', baseUrl: context.url });
      const bare = await runProbe(context.url.replace(/\/bitbucket$/, ''), {
        allowLoopback: true,
        caPems: [context.caPem],
        env: noProxy,
      });
      expect(bare.error?.code).toBe('NOT_BITBUCKET');
      expect(bare.error?.hint).toContain('context path');
      // The server sends its root along: the message names it with its fingerprint.
      const untrusted = await runProbe(context.url, { allowLoopback: true, env: noProxy });
      expect(untrusted.error?.code).toBe('TLS_UNTRUSTED');
      expect(untrusted.tls?.chain.length).toBe(3);
      expect(untrusted.error?.message).toContain(new X509Certificate(context.caPem).fingerprint256);
    } finally {
      await context.close();
    }
  });
});

describe('runProbe against hand-made servers', () => {
  let pki: TestPki;
  let server: https.Server;
  let port: number;
  let handler: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  let proxy: http.Server;
  let proxyPort: number;
  let tunnels: string[];

  beforeAll(async () => {
    pki = makePki('Probe');
    server = https.createServer({ cert: pki.chainPem, key: pki.leaf.keyPem }, (req, res) =>
      handler(req, res),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
    tunnels = [];
    proxy = http.createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req, client, head) => {
      tunnels.push(String(req.url));
      const upstream = net.connect(port, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    proxy.listen(0, '127.0.0.1');
    await once(proxy, 'listening');
    proxyPort = (proxy.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    proxy.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await new Promise((resolve) => proxy.close(resolve));
  });

  const bitbucket = (_req: http.IncomingMessage, res: http.ServerResponse): void => {
    res.setHeader('content-type', 'application/json;charset=UTF-8');
    res.end(
      '{"version":"9.4.22","buildNumber":"9004022","buildDate":"1","displayName":"Bitbucket"}',
    );
  };

  it('does not follow redirects, and names the target', async () => {
    handler = (_req, res) => {
      res.writeHead(302, {
        location: `https://localhost:${port}/bb/rest/api/1.0/application-properties`,
      });
      res.end();
    };
    const result = await runProbe(`https://localhost:${port}`, {
      allowLoopback: true,
      caPems: [pki.root.certPem],
      env: noProxy,
    });
    expect(result.steps.at(-1)).toMatchObject({
      name: 'http',
      ok: false,
      code: 'PROBE_REDIRECTED',
    });
    expect(result.error?.hint).toContain(`https://localhost:${port}/bb`);
  });

  it('says NOT_BITBUCKET for a web server that is something else', async () => {
    handler = (_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end('<html>Welcome to nginx</html>');
    };
    const result = await runProbe(`https://localhost:${port}`, {
      allowLoopback: true,
      caPems: [pki.root.certPem],
      env: noProxy,
    });
    expect(result.steps.at(-1)).toMatchObject({
      name: 'version',
      ok: false,
      code: 'NOT_BITBUCKET',
    });
  });

  it('takes the proxy path real traffic takes, and vets the host first', async () => {
    handler = bitbucket;
    const env = { HTTPS_PROXY: `http://127.0.0.1:${proxyPort}` };
    const before = tunnels.length;
    const result = await runProbe(`https://localhost:${port}`, {
      allowLoopback: true,
      caPems: [pki.root.certPem],
      env,
    });
    expect(result).toMatchObject({
      ok: true,
      version: '9.4.22',
      proxy: `http://127.0.0.1:${proxyPort}`,
    });
    expect(result.steps.find((step) => step.name === 'tcp')?.detail).toContain('through proxy');
    // tcp, the verifying TLS handshake and the HTTP request each went through the proxy.
    expect(tunnels.length - before).toBe(3);
    const refused = await runProbe(`https://localhost:${port}`, {
      caPems: [pki.root.certPem],
      env,
    });
    expect(refused.error?.code).toBe('INSTANCE_ADDRESS_FORBIDDEN');
    expect(tunnels.length - before).toBe(3);
  });

  it('tells a self-signed server certificate apart from a missing CA', async () => {
    const selfSigned = makeCert({ commonName: 'localhost', dnsNames: ['localhost'] });
    const lone = https.createServer(
      { cert: selfSigned.certPem, key: selfSigned.keyPem },
      bitbucket,
    );
    lone.listen(0, '127.0.0.1');
    await once(lone, 'listening');
    const lonePort = (lone.address() as AddressInfo).port;
    try {
      const result = await runProbe(`https://localhost:${lonePort}`, {
        allowLoopback: true,
        env: noProxy,
      });
      expect(result.error?.code).toBe('TLS_UNTRUSTED');
      expect(result.error?.message).toContain('self-signed server certificate');
      expect(result.error?.hint).toContain('issued by the company CA');
    } finally {
      lone.closeAllConnections();
      lone.close();
    }
  });

  it('warns in the TLS detail when the server certificate expires within 30 days', async () => {
    const shortLived = makeCert({
      commonName: 'localhost',
      issuer: pki.intermediate,
      dnsNames: ['localhost'],
      notAfter: new Date(Date.now() + 5 * ONE_DAY_MS + 3_600_000),
    });
    const soon = https.createServer(
      { cert: shortLived.certPem + pki.intermediate.certPem, key: shortLived.keyPem },
      bitbucket,
    );
    soon.listen(0, '127.0.0.1');
    await once(soon, 'listening');
    const soonPort = (soon.address() as AddressInfo).port;
    try {
      const result = await runProbe(`https://localhost:${soonPort}`, {
        allowLoopback: true,
        caPems: [pki.root.certPem],
        env: noProxy,
      });
      expect(result.ok).toBe(true);
      expect(result.steps.find((step) => step.name === 'tls')?.detail).toContain(
        'expires in 5 days',
      );
    } finally {
      soon.closeAllConnections();
      soon.close();
    }
  });

  it('says the port speaks plain HTTP when the TLS handshake meets it', async () => {
    const plain = http.createServer((_req, res) => res.end('hello'));
    plain.listen(0, '127.0.0.1');
    await once(plain, 'listening');
    const plainPort = (plain.address() as AddressInfo).port;
    try {
      const result = await runProbe(`https://127.0.0.1:${plainPort}`, {
        allowLoopback: true,
        env: noProxy,
      });
      expect(result.steps.at(-1)).toMatchObject({
        name: 'tls',
        ok: false,
        code: 'TLS_HANDSHAKE_FAILED',
      });
      expect(result.error?.hint).toContain('plain HTTP');
    } finally {
      plain.closeAllConnections();
      plain.close();
    }
  });

  it('stops with OPERATION_CANCELLED when the caller aborts', async () => {
    sim.faults.stallHandshakes(true);
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 200);
      const started = Date.now();
      const result = await runProbe(sim.url, {
        allowLoopback: true,
        env: noProxy,
        signal: controller.signal,
      });
      // Before the 5 s step timeout the stalled handshake would otherwise end in.
      expect(Date.now() - started).toBeLessThan(4000);
      expect(result.error?.code).toBe('OPERATION_CANCELLED');
    } finally {
      sim.faults.stallHandshakes(false);
    }
  });

  it('tunnels through an https:// proxy trusted by the pasted CA', async () => {
    handler = bitbucket;
    const tlsProxy = https.createServer({ cert: pki.chainPem, key: pki.leaf.keyPem });
    tlsProxy.on('connect', (_req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
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
      const proxied = { HTTPS_PROXY: `https://localhost:${tlsProxyPort}` };
      const result = await runProbe(`https://localhost:${port}`, {
        allowLoopback: true,
        caPems: [pki.root.certPem],
        env: proxied,
      });
      expect(result).toMatchObject({ ok: true, proxy: `https://localhost:${tlsProxyPort}` });
      const untrusted = await runProbe(`https://localhost:${port}`, {
        allowLoopback: true,
        env: proxied,
      });
      expect(untrusted.steps.at(-1)).toMatchObject({
        name: 'tcp',
        ok: false,
        code: 'TLS_UNTRUSTED',
      });
      expect(untrusted.error?.message).toContain('proxy');
    } finally {
      tlsProxy.closeAllConnections();
      tlsProxy.close();
    }
  });

  it('maps DNS failures without sending a query anywhere', async () => {
    const result = await runProbe('https://bitbucket.corp.example', {
      env: noProxy,
      resolver: async () => {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND bitbucket.corp.example'), {
          code: 'ENOTFOUND',
        });
      },
    });
    expect(stepNames(result.steps)).toBe('url:ok dns:DNS_NOT_FOUND');
    const rebinding = await runProbe('https://bitbucket.corp.example', {
      env: noProxy,
      resolver: async () => [
        { address: '10.0.0.7', family: 4 },
        { address: '169.254.169.254', family: 4 },
      ],
    });
    expect(stepNames(rebinding.steps)).toBe('url:ok dns:ok address:INSTANCE_ADDRESS_FORBIDDEN');
    const started = Date.now();
    const hanging = await runProbe('https://bitbucket.corp.example', {
      env: noProxy,
      stepTimeoutMs: 300,
      resolver: () => new Promise(() => undefined),
    });
    expect(stepNames(hanging.steps)).toBe('url:ok dns:DNS_FAILED');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it.each([
    ['http://bitbucket.example.com', 'url:HTTPS_REQUIRED'],
    ['https://169.254.169.254', 'url:ok dns:ok address:INSTANCE_ADDRESS_FORBIDDEN'],
    ['https://[fd00:ec2::254]', 'url:ok dns:ok address:INSTANCE_ADDRESS_FORBIDDEN'],
    ['https://2130706433', 'url:ok dns:ok address:INSTANCE_ADDRESS_FORBIDDEN'],
    ['not a url', 'url:URL_INVALID'],
  ])('stops %s at %s', async (url, expected) => {
    const result = await runProbe(url, { env: noProxy });
    expect(stepNames(result.steps)).toBe(expected);
  });
});

describe('runProbe against an address that drops packets', () => {
  let listener: ChildProcess;
  let port: number;

  beforeAll(async () => {
    // A listener with a full accept queue that never accepts: Linux then drops further SYNs,
    // exactly what a silent firewall does, and all of it stays on 127.0.0.1.
    listener = spawn('python3', [
      '-c',
      [
        'import socket, sys, time',
        's = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)',
        'port = s.getsockname()[1]',
        'fill = []',
        'for _ in range(4):',
        '    c = socket.socket(); c.setblocking(False)',
        '    try: c.connect(("127.0.0.1", port))',
        '    except BlockingIOError: pass',
        '    fill.append(c)',
        'print(port, flush=True)',
        'time.sleep(120)',
      ].join('\n'),
    ]);
    const [line] = (await once(listener.stdout!, 'data')) as [Buffer];
    port = Number(line.toString().trim());
  });
  afterAll(() => {
    listener.kill();
  });

  it('ends within the 15 s bound with CONNECT_TIMEOUT', async () => {
    const started = Date.now();
    const result = await runProbe(`https://127.0.0.1:${port}`, {
      allowLoopback: true,
      env: noProxy,
    });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThanOrEqual(15_500);
    expect(result.error?.code).toBe('CONNECT_TIMEOUT');
    expect(result.steps.at(-1)?.name).toBe('tcp');
  }, 20_000);
});
