import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../sim/index.js';
import type { RunningSimulator } from '../../sim/simulator-api.js';
import { runCliProcess } from '../helpers/cli-harness.js';
import { filesContaining, keychainReadByOtherProcess } from './identity-helpers.js';
import { pushCommit, tempDir } from './webhooks-fixture.js';

// One model (docs/relay-and-services.md, "Who issues the webhook secret"): the Ankra platform
// issues the secret; the admin gives it to the companion on standard input, which stores it in the
// OS keychain and puts it on the BDC webhooks it registered. Run by the installed bin against the
// simulator and its platform stand-in, with a real gnome-keyring (scripts/with-keyring.sh).
const keyring = process.env['BDC_KEYRING_READY'] === '1';

describe.runIf(keyring)('the platform-issued webhook secret on an existing installation', () => {
  let sim: RunningSimulator;
  let home: { path: string; cleanup(): void };
  let work: { path: string; cleanup(): void };
  let id: string;
  const env = () => ({
    DBUS_SESSION_BUS_ADDRESS: process.env['DBUS_SESSION_BUS_ADDRESS'],
    BDC_COMPANION_HOME: home.path,
  });
  const cli = (args: string[], stdin?: string) =>
    runCliProcess([...args, '--json'], { env: env(), ...(stdin === undefined ? {} : { stdin }) });

  beforeAll(async () => {
    sim = await startSimulator();
    home = tempDir('webhook-secret-home-');
    work = tempDir('webhook-secret-git-');
    const platform = sim.platform!;
    const added = await cli(
      [
        'installation',
        'add',
        'corp',
        '--url',
        sim.url,
        '--ca-file',
        sim.caFile,
        '--allow-loopback',
        '--platform-url',
        platform.url,
        '--platform-installation-id',
        platform.installationId,
        '--platform-ca-file',
        platform.caFile,
        '--webhook-secret-stdin',
      ],
      platform.webhookSecret,
    );
    expect(added.code, added.stdout + added.stderr).toBe(0);
    id = JSON.parse(added.stdout).installation.id;
    expect((await cli(['auth', 'pat', 'corp', '--token-stdin'], sim.pat)).code).toBe(0);
    // BDC delivers straight to the platform stand-in: its signature check is the proof.
    const registered = await cli([
      'webhooks',
      'register',
      'corp',
      '--repo',
      `${sim.project}/${sim.repo}`,
      '--url',
      `${platform.url}/webhooks/bitbucket-dc/${platform.installationId}`,
    ]);
    expect(registered.code, registered.stdout).toBe(0);
  }, 60_000);

  afterAll(async () => {
    await sim?.close();
    home?.cleanup();
    work?.cleanup();
  });

  it('installation update --webhook-secret-stdin stores the new secret and BDC signs with it', async () => {
    const platform = sim.platform!;
    const issued = `platform-issued-${Date.now()}-new-secret`;
    // The platform issues a new secret; from now on it verifies deliveries with that one only.
    platform.addInstallation(platform.installationId, issued);
    const run = await cli(['installation', 'update', 'corp', '--webhook-secret-stdin'], issued);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const document = JSON.parse(run.stdout);
    expect(document.webhookSecret.switched).toEqual([
      expect.objectContaining({ target: `${sim.project}/${sim.repo}`, method: 'updated' }),
    ]);
    expect(document.webhookSecret.previousAcceptedUntil).toEqual(expect.any(String));
    expect(run.stdout + run.stderr).not.toContain(issued);
    expect(keychainReadByOtherProcess(`${id}/webhook-secret`)).toBe(issued);
    expect(filesContaining(home.path, issued)).toEqual([]);

    platform.clearDeliveries();
    await pushCommit(sim, work.path, sim.project, sim.repo, 'after-update');
    const delivered = await platform.waitForDeliveries(1, 15_000);
    expect(delivered.every((delivery) => delivery.signatureValid)).toBe(true);
  }, 60_000);

  it('without webhook rights: the secret is stored, and the failure names the webhook and the steps', async () => {
    const reader = sim.addToken({
      user: sim.user.name,
      projectPermission: 'PROJECT_READ',
      repoPermission: 'REPO_WRITE',
    });
    expect((await cli(['auth', 'pat', 'corp', '--token-stdin'], reader)).code).toBe(0);
    const issued = `platform-issued-${Date.now()}-no-rights`;
    const run = await cli(['installation', 'update', 'corp', '--webhook-secret-stdin'], issued);
    // Signed in as the admin again for the next test, whatever this one finds.
    expect((await cli(['auth', 'pat', 'corp', '--token-stdin'], sim.pat)).code).toBe(0);
    expect(run.code).toBe(1);
    const { error } = JSON.parse(run.stdout);
    expect(error.code).toBe('WEBHOOK_SECRET_NOT_APPLIED');
    // The webhook refusal inside names the permission as the screens do, punctuated once.
    expect(error.message).toContain('it needs Repositories: Admin (REPO_ADMIN))');
    expect(error.message).not.toContain('.)');
    const details = JSON.parse(run.stdout).webhookSecret;
    expect(details.pending).toEqual([
      expect.objectContaining({ target: `${sim.project}/${sim.repo}` }),
    ]);
    expect(error.hint).toContain(`/projects/${sim.project}/repos/${sim.repo}/settings`);
    expect(error.hint).toContain('webhook named "Ankra"');
    expect(error.hint).toContain('--webhook-secret-stdin');
    expect(error.hint).not.toMatch(/\b(click|paste)\b/i);
    expect(run.stdout + run.stderr).not.toContain(issued);
    expect(keychainReadByOtherProcess(`${id}/webhook-secret`)).toBe(issued);
  }, 60_000);

  it('webhooks rotate-secret takes the platform’s secret on stdin and never makes one up', async () => {
    const usage = await cli(['webhooks', 'rotate-secret', 'corp']);
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stdout).error.message).toContain('The Ankra platform issues');
    const short = await cli(['webhooks', 'rotate-secret', 'corp', '--secret-stdin'], 'short');
    expect(short.code).toBe(1);
    expect(JSON.parse(short.stdout).error.code).toBe('INPUT_INVALID');
    const issued = `platform-issued-${Date.now()}-rotated`;
    const run = await cli(['webhooks', 'rotate-secret', 'corp', '--secret-stdin'], issued);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).webhooks).toHaveLength(1);
    expect(keychainReadByOtherProcess(`${id}/webhook-secret`)).toBe(issued);
  }, 60_000);
});
