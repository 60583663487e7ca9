import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comparable, serviceError, startSurfaces, type Surfaces } from './surfaces-fixture.js';

// One use case, two surfaces: `installation add` and the service's addInstallation (the wizard)
// store the same installation and refuse the same bad input with the same code.
let surfaces: Surfaces;
let caFile: string;
let intermediateFile: string;

beforeAll(async () => {
  surfaces = await startSurfaces();
  caFile = join(surfaces.cli.home, '..', 'ca.pem');
  intermediateFile = join(surfaces.cli.home, '..', 'intermediate.pem');
  writeFileSync(caFile, surfaces.sim.caPem);
  writeFileSync(intermediateFile, surfaces.sim.intermediatePem);
});
afterAll(async () => surfaces?.close());

describe('add an installation: the CLI and the service API run the same use case', () => {
  it('stores the same installation from both', async () => {
    const { sim, cli, service } = surfaces;
    const added = await cli.run([
      'installation',
      'add',
      'lab',
      '--url',
      `${sim.url}/`,
      '--ca-file',
      caFile,
      '--allow-loopback',
    ]);
    expect(added.document['error']).toBeUndefined();
    await service.api.invoke('addInstallation', [
      { name: 'lab', baseUrl: `${sim.url}/`, caPems: [sim.caPem], allowLoopback: true },
    ]);
    expect(comparable(cli.settings(), 'lab')).toEqual(comparable(service.settings(), 'lab'));
    expect(comparable(cli.settings(), 'lab')).toMatchObject({
      name: 'lab',
      baseUrl: sim.url,
      caPems: [expect.stringContaining('BEGIN CERTIFICATE')],
      allowLoopback: true,
      allowPartialChain: false,
      auth: { kind: 'none' },
    });
  });

  it.each([
    ['the name is taken', ['--ca-file', 'CA'], {}, 'INSTALLATION_EXISTS', 'lab'],
    ['no CA for a private chain', [], {}, 'TLS_UNTRUSTED', 'other'],
    [
      'an intermediate CA without the choice',
      ['--ca-file', 'INTER'],
      {},
      'TRUST_INTERMEDIATE_ONLY',
      'other',
    ],
    [
      'the partial-chain choice without a CA',
      ['--partial-chain'],
      { allowPartialChain: true },
      'INPUT_INVALID',
      'other',
    ],
    ['a name that is not one', [], {}, 'INSTALLATION_NAME_INVALID', 'bad name'],
  ] as const)(
    'refuses the same bad input with the same code: %s',
    async (_what, flags, extra, code, name) => {
      const { sim, cli, service } = surfaces;
      const files = flags.map((flag) =>
        flag === 'CA' ? caFile : flag === 'INTER' ? intermediateFile : flag,
      );
      const caPems = flags.includes('CA' as never)
        ? [sim.caPem]
        : flags.includes('INTER' as never)
          ? [sim.intermediatePem]
          : [];
      const before = cli.settings().listInstallations().length;
      const run = await cli.run([
        'installation',
        'add',
        name,
        '--url',
        sim.url,
        '--allow-loopback',
        ...files,
      ]);
      const fromService = await serviceError(
        service.api.invoke('addInstallation', [
          { name, baseUrl: sim.url, allowLoopback: true, caPems, ...extra },
        ]),
      );
      expect(run.document['error']?.code).toBe(code);
      expect(fromService).toBe(code);
      // Nothing stored on either side.
      expect(cli.settings().listInstallations()).toHaveLength(before);
      expect(service.settings().listInstallations()).toHaveLength(before);
    },
  );
});
