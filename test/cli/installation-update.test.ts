import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../sim/index.js';
import type { RunningSimulator } from '../../sim/simulator-api.js';
import { makePki } from '../core/net/test-pki.js';
import { runCliInProcess } from '../helpers/cli-harness.js';
import type { JsonDocument } from './identity-helpers.js';

let sim: RunningSimulator;
let home: string;
const settingsText = () => readFileSync(join(home, 'settings.json'), 'utf8');

beforeAll(async () => {
  sim = await startSimulator({ platform: false });
  home = mkdtempSync(join(tmpdir(), 'bdc-cli-installation-update-'));
  const added = await cli([
    'installation',
    'add',
    'sim',
    '--url',
    sim.url,
    '--ca-file',
    sim.caFile,
    '--allow-loopback',
  ]);
  expect(added.code, added.stdout).toBe(0);
});
afterAll(async () => {
  await sim.close();
  rmSync(home, { recursive: true, force: true });
});

async function cli(args: string[]) {
  const run = await runCliInProcess(['--home', home, '--json', ...args]);
  return { ...run, document: JSON.parse(run.stdout) as JsonDocument };
}

describe('installation update', () => {
  it('probes new trust first and keeps the installation when the probe fails', async () => {
    const before = settingsText();
    const cleared = await cli(['installation', 'update', 'sim', '--clear-ca']);
    expect(cleared.code).toBe(1);
    expect(cleared.document.error.code).toBe('TLS_UNTRUSTED');
    expect(cleared.document.error.message).toContain('Not updated');
    const otherCa = join(home, 'other-ca.pem');
    writeFileSync(otherCa, makePki('Unrelated').root.certPem);
    const wrong = await cli(['installation', 'update', 'sim', '--ca-file', otherCa]);
    expect(wrong.document.error.code).toBe('TLS_UNTRUSTED');
    const leaf = join(home, 'leaf.pem');
    writeFileSync(leaf, makePki('Leaf').leaf.certPem);
    const notCa = await cli(['installation', 'update', 'sim', '--ca-file', leaf]);
    expect(notCa.document.error.code).toBe('TRUST_NOT_CA');
    expect(settingsText()).toBe(before);
  });

  it('replaces the CAs in place, keeping the id, and saves untested trust only when told', async () => {
    const shown = await cli(['installation', 'show', 'sim']);
    const id = shown.document.installation.id;
    const renewed = await cli(['installation', 'update', 'sim', '--ca-file', sim.caFile]);
    expect(renewed.code, renewed.stdout).toBe(0);
    expect(renewed.document.installation).toMatchObject({ id, caCertificates: 1 });
    const skipped = await cli(['installation', 'update', 'sim', '--clear-ca', '--skip-probe']);
    expect(skipped.code).toBe(0);
    expect(skipped.document.installation.caCertificates).toBe(0);
    expect((await cli(['installation', 'update', 'sim', '--ca-file', sim.caFile])).code).toBe(0);
  });

  it('links the platform and sets the relay address and URL, with their checks', async () => {
    const noLink = await cli([
      'installation',
      'update',
      'sim',
      '--platform-url',
      'https://p.example',
    ]);
    expect(noLink.code).toBe(2);
    const linked = await cli([
      'installation',
      'update',
      'sim',
      '--platform-url',
      'https://platform.example/',
      '--platform-installation-id',
      'plat-9',
      '--relay-listen',
      '0.0.0.0:8788',
      '--relay-url',
      'http://relay.corp.example:8788/',
      '--relay-enabled',
    ]);
    expect(linked.code, linked.stdout).toBe(0);
    expect(linked.document.installation).toMatchObject({
      platform: { baseUrl: 'https://platform.example', installationId: 'plat-9' },
      relay: {
        enabled: true,
        listen: '0.0.0.0:8788',
        publicUrl: 'http://relay.corp.example:8788',
      },
    });
    const human = await runCliInProcess(['--home', home, 'installation', 'show', 'sim']);
    expect(human.stdout).toMatch(/relay\s+started by the app, listens on 0\.0\.0\.0:8788 \(HTTP\)/);
    const badListen = await cli(['installation', 'update', 'sim', '--relay-listen', 'nowhere']);
    expect(badListen.document.error.code).toBe('RELAY_LISTEN_INVALID');
    const badUrl = await cli(['installation', 'update', 'sim', '--relay-url', 'ftp://relay']);
    expect(badUrl.document.error.code).toBe('INPUT_INVALID');
    const both = await cli([
      'installation',
      'update',
      'sim',
      '--relay-enabled',
      '--relay-disabled',
    ]);
    expect(both.code).toBe(2);
    const nothing = await cli(['installation', 'update', 'sim']);
    expect(nothing.code).toBe(2);
    const forgotten = await cli(['installation', 'update', 'sim', '--relay-url', '']);
    expect(forgotten.document.installation.relay).not.toHaveProperty('publicUrl');
    const missing = await cli(['installation', 'update', 'nope', '--relay-disabled']);
    expect(missing.document.error.code).toBe('INSTALLATION_NOT_FOUND');
  });
});
