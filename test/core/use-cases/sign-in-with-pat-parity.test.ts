import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patKey } from '../../../core/auth/pat.js';
import { comparable, serviceError, startSurfaces, type Surfaces } from './surfaces-fixture.js';

// One use case, two surfaces: `auth pat` and the service's signInWithPat (the wizard) verify the
// token with BDC, store the same sign-in and refuse the same bad input with the same code.
let surfaces: Surfaces;

beforeAll(async () => {
  surfaces = await startSurfaces();
  const { sim, cli, service } = surfaces;
  const caFile = join(cli.home, '..', 'ca.pem');
  writeFileSync(caFile, sim.caPem);
  const added = await cli.run([
    'installation',
    'add',
    'lab',
    '--url',
    sim.url,
    '--ca-file',
    caFile,
    '--allow-loopback',
  ]);
  expect(added.document['error']).toBeUndefined();
  await service.api.invoke('addInstallation', [
    { name: 'lab', baseUrl: sim.url, caPems: [sim.caPem], allowLoopback: true },
  ]);
});
afterAll(async () => surfaces?.close());

describe('sign in with a PAT: the CLI and the service API run the same use case', () => {
  it.each([
    ['an empty token', '  \n', 'lab', 'AUTH_TOKEN_EMPTY'],
    ['two lines pasted', 'BBDC-one\nBBDC-two\n', 'lab', 'INPUT_INVALID'],
    ['a token BDC does not know', 'BBDC-not-a-real-token\n', 'lab', 'AUTH_TOKEN_REFUSED'],
    ['an unknown installation', 'BBDC-anything\n', 'nowhere', 'INSTALLATION_NOT_FOUND'],
  ] as const)(
    'refuses the same bad input with the same code: %s',
    async (_what, token, installation, code) => {
      const { cli, service } = surfaces;
      const run = await cli.run(['auth', 'pat', installation, '--token-stdin'], token);
      const fromService = await serviceError(
        service.api.invoke('signInWithPat', [{ installation, token }]),
      );
      expect(run.document['error']?.code).toBe(code);
      expect(fromService).toBe(code);
      expect(cli.settings().requireInstallation('lab').auth.kind).toBe('none');
      expect(service.settings().requireInstallation('lab').auth.kind).toBe('none');
    },
  );

  it('stores the same sign-in, and the token in each secret store, from both', async () => {
    const { sim, cli, service } = surfaces;
    const run = await cli.run(['auth', 'pat', 'lab', '--token-stdin'], `${sim.pat}\n`);
    expect(run.document).toMatchObject({ ok: true, user: sim.user.name });
    const result = await service.api.invoke('signInWithPat', [
      { installation: 'lab', token: sim.pat },
    ]);
    expect(result.user.name).toBe(sim.user.name);
    expect(run.document['projects']).toBe(result.projects);
    expect(comparable(cli.settings(), 'lab')).toEqual(comparable(service.settings(), 'lab'));
    expect(comparable(cli.settings(), 'lab')['auth']).toEqual({
      kind: 'pat',
      user: sim.user.name,
    });
    for (const side of [cli, service]) {
      const id = side.settings().requireInstallation('lab').id;
      expect(await (await side.secrets()).get(patKey(id))).toBe(sim.pat);
    }
  });
});
