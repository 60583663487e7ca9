import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompanionError } from '../../../common/errors/companion-error.js';
import { CloneCache } from '../../../core/git/clone-cache.js';
import { push } from '../../../core/git/push-operation.js';
import { curlResolveEntry, gitResolvePin } from '../../../core/net/git-resolve.js';
import { startPushFixture, text, type PushFixture } from './push-fixture.js';

/**
 * The simulator's certificate names `bitbucket.wrong-host.test`, a name no DNS answers (RFC 6761
 * reserves `.test`). The companion's resolver vets it to 127.0.0.1; git only connects if it is
 * told that address (http.curloptResolve) instead of resolving the name itself.
 */
const HOST = 'bitbucket.wrong-host.test';
let fixture: PushFixture;
let baseUrl: string;
beforeAll(async () => {
  fixture = await startPushFixture({ certificate: 'wrong-host' });
  baseUrl = fixture.sim.url.replace('127.0.0.1', HOST);
});
afterAll(async () => {
  await fixture?.close();
});

const resolveHost = async (hostname: string) => {
  expect(hostname).toBe(HOST);
  return [{ address: '127.0.0.1', family: 4 }];
};

describe('the git CLI connects to the vetted address', () => {
  // The git engine fetches and pushes with git; isomorphic-git's cold clone is made by git.
  it.each(['git', 'isomorphic-git'] as const)(
    '%s engine: a name that resolves nowhere, pinned to 127.0.0.1',
    async (engine) => {
      const result = await push(
        { ...fixture.installation, baseUrl },
        {
          repo: `${fixture.sim.project}/${fixture.sim.repo}`,
          branch: 'main',
          message: `pinned ${engine}`,
          engine,
          changes: [{ path: `pinned/${engine}.txt`, content: text('pinned\n') }],
        },
        fixture.deps({
          // A cold cache of its own: the clone (by git for both engines) must connect too.
          cache: new CloneCache({ root: path.join(fixture.dir, `pin-cache-${engine}`) }),
          networkOverrides: { resolveHost },
          maxAttempts: 1,
        }),
      );
      expect(result.kind).toBe('committed');
      expect(fixture.serverGit(['log', '-1', '--format=%s', 'refs/heads/main']).trim()).toBe(
        `pinned ${engine}`,
      );
    },
  );
});

describe('the pin', () => {
  it('is HOST:PORT:ADDRESS,… with IPv6 addresses in brackets (curl CURLOPT_RESOLVE)', () => {
    expect(
      curlResolveEntry('bdc.corp', 7990, [
        { address: '10.0.0.5', family: 4 },
        { address: 'fd00::5', family: 6 },
      ]),
    ).toBe('bdc.corp:7990:10.0.0.5,[fd00::5]');
  });

  it('uses the default port, vets every answer, and leaves IP literals and platform traffic alone', async () => {
    const network = { addressPolicy: 'instance' as const, allowLoopback: true, resolveHost };
    expect(await gitResolvePin(`https://${HOST}/scm/p/r.git`, network)).toBe(
      `${HOST}:443:127.0.0.1`,
    );
    expect(await gitResolvePin('https://127.0.0.1:8443/scm/p/r.git', network)).toBeUndefined();
    expect(
      await gitResolvePin('https://platform.example/x', { addressPolicy: 'none' }),
    ).toBeUndefined();
    const refused = await gitResolvePin(`https://${HOST}/scm/p/r.git`, {
      addressPolicy: 'instance',
      resolveHost: async () => [
        { address: '10.0.0.5', family: 4 },
        { address: '169.254.169.254', family: 4 },
      ],
    }).catch((error: unknown) => error as CompanionError);
    expect((refused as CompanionError).code).toBe('INSTANCE_ADDRESS_FORBIDDEN');
    const literal = await gitResolvePin('https://169.254.169.254/scm/p/r.git', network).catch(
      (error: unknown) => error as CompanionError,
    );
    expect((literal as CompanionError).code).toBe('INSTANCE_ADDRESS_FORBIDDEN');
  });
});
