import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Installation } from '../../../common/models/installation.js';
import { createMemorySecretStore } from '../../../core/secrets/memory-store.js';
import {
  openSignedInClient,
  withSignedInClient,
} from '../../../core/use-cases/open-signed-in-client.js';
import { startSimulator } from '../../../sim/index.js';
import type { RunningSimulator } from '../../../sim/simulator-api.js';
import { makeSimHome, type SimHome } from '../../cli/webhooks-fixture.js';

// The one way to a signed-in Bitbucket client (webhooks on every surface, the push engine's author
// look-up, watch mode, the bridge): the stored credential over the installation's own network
// options, one pool for REST and raw requests, and a clear refusal without a credential.
let sim: RunningSimulator;
let home: SimHome;

beforeAll(async () => {
  sim = await startSimulator();
  home = await makeSimHome(sim);
});
afterAll(async () => {
  home?.cleanup();
  await sim?.close();
});

describe('openSignedInClient', () => {
  it("acts as the stored PAT's user on REST and on raw requests over the same pool", async () => {
    const user = await withSignedInClient(
      { secretStore: home.secrets, env: {} },
      home.installation,
      async ({ client, dispatcher, authorization }) => {
        expect(authorization.user).toBe(sim.user.name);
        const raw = await request(`${sim.url}/rest/api/1.0/users/${sim.user.name}`, {
          dispatcher,
          headers: { authorization: await authorization.header() },
        });
        expect(raw.statusCode).toBe(200);
        await raw.body.dump();
        return client.getJson<{ name: string }>(`/rest/api/1.0/users/${sim.user.name}`);
      },
    );
    expect(user.name).toBe(sim.user.name);
  });

  it('opens the store only when asked, and refuses an installation without a credential', async () => {
    let opened = 0;
    const notSignedIn: Installation = { ...home.installation, auth: { kind: 'none' } };
    const error = await openSignedInClient(
      {
        secretStore: async () => {
          opened += 1;
          return createMemorySecretStore();
        },
        env: {},
      },
      notSignedIn,
    ).catch((caught: unknown) => caught);
    expect((error as { code?: string }).code).toBe('AUTH_NOT_SIGNED_IN');
    expect(opened).toBe(1);
  });

  it('refuses a PAT sign-in whose token is gone from the store', async () => {
    const error = await openSignedInClient(
      { secretStore: createMemorySecretStore(), env: {} },
      home.installation,
    ).catch((caught: unknown) => caught);
    expect((error as { code?: string }).code).toBe('AUTH_NOT_SIGNED_IN');
  });

  it('uses the installation CAs: without them the TLS check fails, never silently passes', async () => {
    const untrusted: Installation = { ...home.installation, caPems: [] };
    const error = await withSignedInClient(
      { secretStore: home.secrets, env: {} },
      untrusted,
      ({ client }) => client.getJson('/rest/api/1.0/projects'),
    ).catch((caught: unknown) => caught);
    expect((error as { code?: string }).code).toMatch(/^TLS_/);
  });
});
