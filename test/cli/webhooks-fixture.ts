import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Installation } from '../../common/models/installation.js';
import { openSecretStore } from '../../core/secrets/open-secret-store.js';
import type { SecretStore } from '../../core/secrets/secret-store.js';
import { newInstallation } from '../../core/settings/new-installation.js';
import { openSettings } from '../../core/settings/settings-file.js';
import type { RunningSimulator } from '../../sim/simulator-api.js';

const run = promisify(execFile);

export interface SimHome {
  readonly home: string;
  readonly env: Record<string, string>;
  readonly installation: Installation;
  readonly secrets: SecretStore;
  cleanup(): void;
}

/**
 * A config home with an installation of the simulator, signed in with `pat` (a PAT of the
 * simulator's admin by default), the platform stand-in as its platform, and the platform's
 * webhook secret stored. Secrets go to the encrypted-file store, the headless store that can be
 * written without a desktop session.
 */
export async function makeSimHome(
  sim: RunningSimulator,
  options: { readonly name?: string; readonly pat?: string; readonly user?: string } = {},
): Promise<SimHome> {
  const root = mkdtempSync(join(tmpdir(), 'webhooks-cli-'));
  const home = join(root, 'home');
  const platform = sim.platform;
  if (platform === undefined) throw new Error('the simulator runs without its platform stand-in');
  const env = {
    BDC_COMPANION_HOME: home,
    BDC_COMPANION_SECRET_STORE: 'encrypted-file',
    BDC_COMPANION_SECRETS_PASSPHRASE: 'webhooks test passphrase',
  };
  const base = newInstallation({
    name: options.name ?? 'corp',
    baseUrl: sim.url,
    caPems: [sim.caPem],
    allowLoopback: true,
    platform: {
      baseUrl: platform.url,
      installationId: platform.installationId,
      caPems: [platform.caPem],
    },
  });
  const installation: Installation = {
    ...base,
    auth: {
      kind: 'pat',
      user: options.user ?? sim.user.name,
      verifiedAt: new Date().toISOString(),
    },
  };
  openSettings(home).saveInstallation(installation);
  const secrets = await openSecretStore({ home, env });
  await secrets.set({ installationId: installation.id, kind: 'pat' }, options.pat ?? sim.pat);
  await secrets.set(
    { installationId: installation.id, kind: 'webhook-secret' },
    platform.webhookSecret,
  );
  return {
    home,
    env,
    installation,
    secrets,
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Pushes one commit to a simulator repository with the real git CLI (token only in the environment). */
export async function pushCommit(
  sim: RunningSimulator,
  work: string,
  project: string,
  slug: string,
  marker: string,
): Promise<void> {
  const env = {
    PATH: process.env['PATH'] ?? '',
    HOME: work,
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_COUNT: '4',
    GIT_CONFIG_KEY_0: 'http.sslCAInfo',
    GIT_CONFIG_VALUE_0: sim.caFile,
    GIT_CONFIG_KEY_1: 'http.extraHeader',
    GIT_CONFIG_VALUE_1: `Authorization: Bearer ${sim.pat}`,
    GIT_CONFIG_KEY_2: 'user.name',
    GIT_CONFIG_VALUE_2: 'Relay Test',
    GIT_CONFIG_KEY_3: 'user.email',
    GIT_CONFIG_VALUE_3: 'relay@example.com',
  };
  const checkout = join(work, `${project}-${slug}`);
  try {
    await run('git', ['-C', checkout, 'pull', '--quiet', '--ff-only'], { env });
  } catch {
    rmSync(checkout, { recursive: true, force: true });
    await run('git', ['clone', '--quiet', `${sim.url}/scm/${project}/${slug}.git`, checkout], {
      env,
    });
  }
  writeFileSync(join(checkout, 'marker.txt'), `${marker}\n`);
  await run('git', ['-C', checkout, 'add', 'marker.txt'], { env });
  await run('git', ['-C', checkout, 'commit', '--quiet', '-m', `marker ${marker}`], { env });
  await run('git', ['-C', checkout, 'push', '--quiet', 'origin', 'HEAD'], { env });
}

export function tempDir(prefix: string): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}
