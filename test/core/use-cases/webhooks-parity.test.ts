import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speaksCli } from '../../../common/errors/hint-surface.js';
import { serviceError, startSurfaces, type Surfaces } from './surfaces-fixture.js';

// Webhook registration is one use case: `webhooks register|unregister` and the wizard's relay
// step (desktop and `serve`) register the same webhook, refuse the same bad input with the same
// code, and remove what they registered the same way.
let surfaces: Surfaces;
let closedPort: number;
const SECRET = 'parity-webhook-secret-0123456789';

/** A port nothing listens on, on 127.0.0.1: BDC's test delivery is refused at once. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const relayUrl = () => `http://127.0.0.1:${closedPort}/webhooks/bitbucket-dc/p-1`;

/** A registration without what differs by nature between two homes and two moments. */
function comparable(result: Record<string, unknown>): unknown {
  const webhooks = (result['webhooks'] as Record<string, unknown>[]).map(
    ({ webhookId: _id, test, ...rest }) => ({
      ...rest,
      reached: (test as { reached: boolean }).reached,
    }),
  );
  return { url: result['url'], relayRecordedPing: result['relayRecordedPing'], webhooks };
}

beforeAll(async () => {
  closedPort = await freePort();
  surfaces = await startSurfaces();
  const { sim, cli, service } = surfaces;
  const caFile = join(cli.home, '..', 'ca.pem');
  writeFileSync(caFile, sim.caPem);
  await cli.run([
    'installation',
    'add',
    'lab',
    '--url',
    sim.url,
    '--ca-file',
    caFile,
    '--allow-loopback',
  ]);
  await cli.run(['auth', 'pat', 'lab', '--token-stdin'], `${sim.pat}\n`);
  await service.api.invoke('addInstallation', [
    { name: 'lab', baseUrl: sim.url, caPems: [sim.caPem], allowLoopback: true },
  ]);
  await service.api.invoke('signInWithPat', [{ installation: 'lab', token: sim.pat }]);
});
afterAll(async () => surfaces?.close());

describe('webhooks: the CLI and the service API run the same use cases', () => {
  it('refuse a registration without a stored secret, and a malformed URL, with the same codes', async () => {
    const { sim, cli, service } = surfaces;
    const repo = `${sim.project}/${sim.repo}`;
    const noSecret = await cli.run([
      'webhooks',
      'register',
      'lab',
      '--repo',
      repo,
      '--url',
      relayUrl(),
    ]);
    expect(noSecret.document['error']?.['code']).toBe('WEBHOOK_SECRET_MISSING');
    expect(
      await serviceError(
        service.api.invoke('registerWebhooks', [
          { installation: 'lab', repos: [repo], url: relayUrl() },
        ]),
      ),
    ).toBe('WEBHOOK_SECRET_MISSING');

    const badUrl = 'ftp://127.0.0.1/webhooks/bitbucket-dc/p-1';
    const cliBad = await cli.run(['webhooks', 'register', 'lab', '--repo', repo, '--url', badUrl]);
    const serviceBad = await serviceError(
      service.api.invoke('registerWebhooks', [{ installation: 'lab', repos: [repo], url: badUrl }]),
    );
    expect(cliBad.document['error']?.['code']).toBe(serviceBad);
    expect(serviceBad).toBe('WEBHOOK_URL_INVALID');
  });

  it('register the same webhook and unregister it the same way', async () => {
    const { sim, cli, service } = surfaces;
    const repo = `${sim.project}/${sim.repo}`;
    for (const surface of [cli, service]) {
      const secrets = await surface.secrets();
      await secrets.set(
        {
          installationId: surface.settings().requireInstallation('lab').id,
          kind: 'webhook-secret',
        },
        SECRET,
      );
    }
    const fromCli = await cli.run([
      'webhooks',
      'register',
      'lab',
      '--repo',
      repo,
      '--url',
      relayUrl(),
    ]);
    expect(fromCli.code).toBe(0);
    const removedByCli = await cli.run(['webhooks', 'unregister', 'lab', '--all']);
    const fromService = await service.api.invoke('registerWebhooks', [
      { installation: 'lab', repos: [repo], url: relayUrl() },
    ]);
    const removedByService = await service.api.invoke('unregisterWebhooks', [
      { installation: 'lab', repos: [repo] },
    ]);

    expect(comparable(fromCli.document)).toEqual(comparable(fromService as never));
    expect(comparable(fromService as never)).toMatchObject({
      url: relayUrl(),
      relayRecordedPing: false,
      webhooks: [{ target: repo, action: 'created', reached: false }],
    });
    // The same warnings, each worded for where it is shown: the CLI names flags, the window not.
    const cliWarnings = fromCli.document['warnings'] as string[];
    expect(cliWarnings).toHaveLength(fromService.warnings.length);
    expect(cliWarnings.some((warning) => speaksCli(warning))).toBe(true);
    expect(fromService.warnings.some((warning) => speaksCli(warning))).toBe(false);
    const strip = (removed: { target: string; bdc: string }[]) =>
      removed.map(({ target, bdc }) => ({ target, bdc }));
    expect(strip(removedByCli.document['removed'])).toEqual(strip([...removedByService.removed]));
    expect(strip([...removedByService.removed])).toEqual([{ target: repo, bdc: 'deleted' }]);
  });
});
