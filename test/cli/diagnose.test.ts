import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeLogFiles } from '../../core/logging/file-logger.js';
import { createEncryptedFileStore } from '../../core/secrets/encrypted-file-store.js';
import { newInstallation } from '../../core/settings/new-installation.js';
import { openSettings } from '../../core/settings/settings-file.js';
import { openDatabase } from '../../core/storage/database.js';
import { runCliInProcess } from '../helpers/cli-harness.js';

const PAT = 'BBDC-NjE2MjM0NTY3ODkwOkFCQ0RFRkdISUpLTE1OT1BRUlNUVVZX';
const WEBHOOK_SECRET = 'whsec-7a1f0e9c2b4d6f8a';
const ACCESS_TOKEN = 'oauth-access-4c3b2a1908f7e6d5';
const REFRESH_TOKEN = 'oauth-refresh-0f1e2d3c4b5a6978';
const CLIENT_SECRET = 'client-secret-99aa88bb77cc';
const PASSPHRASE = 'correct horse battery staple 42';
const PROXY_PASSWORD = 'proxy-pa55word-xyz';
/** Never stored anywhere the companion knows about: only the patterns can catch it. */
const UNREGISTERED_BEARER = 'eyJhbGciOiJSUzI1NiJ9.unregistered.c2lnbmF0dXJl';
const UNREGISTERED_BBDC = 'BBDC-T3RoZXJUb2tlbk5vYm9keVJlZ2lzdGVyZWQ';

const SECRETS = [
  PAT,
  WEBHOOK_SECRET,
  ACCESS_TOKEN,
  REFRESH_TOKEN,
  CLIENT_SECRET,
  PASSPHRASE,
  PROXY_PASSWORD,
  UNREGISTERED_BEARER,
  UNREGISTERED_BBDC,
];

let root: string;
let home: string;
let closedPort: number;
let server: Server;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'diagnose-'));
  home = join(root, 'home');
  mkdirSync(home);
  // A port that was just free: the probe's TCP step is refused quickly, on loopback only.
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closedPort = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));

  const settings = openSettings(home);
  const installation = newInstallation({
    name: 'prod',
    baseUrl: `https://127.0.0.1:${closedPort}`,
    allowLoopback: true,
    platform: { baseUrl: 'https://platform.ankra.example', installationId: 'inst-42', caPems: [] },
  });
  settings.saveInstallation(installation);

  // The secret store (the real encrypted file, cheap key derivation for the test).
  const store = createEncryptedFileStore({
    path: join(home, 'secrets.enc'),
    passphrase: PASSPHRASE,
    scrypt: { N: 2 ** 10, r: 8, p: 1 },
  });
  const id = installation.id;
  await store.set({ installationId: id, kind: 'pat' }, PAT);
  await store.set({ installationId: id, kind: 'webhook-secret' }, WEBHOOK_SECRET);
  await store.set(
    { installationId: id, kind: 'oauth-tokens' },
    JSON.stringify({
      accessToken: ACCESS_TOKEN,
      refreshToken: REFRESH_TOKEN,
      expiresAt: '2030-01-01T00:00:00Z',
    }),
  );
  await store.set({ installationId: id, kind: 'oauth-client-secret' }, CLIENT_SECRET);
  settings.pinSecretStore?.('encrypted-file');

  // A file next to the settings that holds a secret: diagnostics never read arbitrary files.
  writeFileSync(join(home, 'notes.txt'), `pat is ${PAT}\n`);

  // Log lines that slipped past redaction (an older version, a foreign logger).
  mkdirSync(join(home, 'logs'));
  appendFileSync(
    join(home, 'logs', 'companion.log'),
    [
      JSON.stringify({ time: 't', level: 'info', component: 'auth', message: `verified ${PAT}` }),
      JSON.stringify({
        time: 't',
        level: 'debug',
        component: 'relay',
        message: 'ok',
        fields: { secret: WEBHOOK_SECRET },
      }),
      `plain text line Authorization: Bearer ${UNREGISTERED_BEARER}`,
      `token ${UNREGISTERED_BBDC} pasted; refresh ${REFRESH_TOKEN}; client_secret=${CLIENT_SECRET}`,
      '',
    ].join('\n'),
  );
  appendFileSync(
    join(home, 'logs', 'companion.log.1'),
    `${JSON.stringify({ message: `older ${ACCESS_TOKEN}` })}\n`,
  );

  // Database rows with secrets inside free text and bodies.
  const database = openDatabase(home);
  database
    .prepare(
      `INSERT INTO push_history (at, installation_id, installation_name, user, repo, branch, message, paths, result, attempts, attempt_count, duration_ms, error_code, error_message)
       VALUES (?, ?, 'prod', 'alice', 'PROJ/repo', 'main', ?, '["a.yaml"]', 'failed', '[]', 1, 12, 'PUSH_REJECTED', ?)`,
    )
    .run('2026-11-28T10:00:00Z', id, `deploy with ${PAT}`, `remote said Bearer ${ACCESS_TOKEN}`);
  const body = Buffer.from(
    JSON.stringify({
      eventKey: 'repo:refs_changed',
      leaked: WEBHOOK_SECRET,
      pad: 'x'.repeat(4000),
    }),
  );
  const delivery = database
    .prepare(
      `INSERT INTO relay_deliveries (installation_id, request_id, event_key, repository, content_type, signature, body, received_at, lane_seq, state, queued_at)
       VALUES (?, 'req-1', 'repo:refs_changed', 'PROJ/repo', 'application/json', ?, ?, 1, 1, 'dead', 1)`,
    )
    .run(id, 'sha256=deadbeefcafe', body);
  database
    .prepare(
      `INSERT INTO relay_attempts (delivery_id, number, at, status, latency_ms, outcome, error, response_excerpt)
       VALUES (?, 1, 2, 401, 5.5, 'dead', 'platform refused', ?)`,
    )
    .run(delivery.lastInsertRowid, `{"error":"bad token ${REFRESH_TOKEN}"}`);
  database.close();
});

afterAll(() => {
  closeLogFiles();
  rmSync(root, { recursive: true, force: true });
});

const env = {
  BDC_COMPANION_SECRET_STORE: 'encrypted-file',
  BDC_COMPANION_SECRETS_PASSPHRASE: PASSPHRASE,
  HTTPS_PROXY: `http://ops:${PROXY_PASSWORD}@proxy.corp.example:3128`,
  NO_PROXY: '127.0.0.1,localhost',
};

function expectNoSecret(text: string): void {
  for (const secret of SECRETS) {
    expect(text, secret).not.toContain(secret);
    expect(text, `${secret} (base64)`).not.toContain(Buffer.from(secret).toString('base64'));
    expect(text, `${secret} (URL-encoded)`).not.toContain(encodeURIComponent(secret));
  }
}

describe('diagnose', () => {
  it('writes a bundle with probe, routes, versions, settings, history, deliveries and logs, and no secret', async () => {
    const out = join(root, 'bundle.json');
    const run = await runCliInProcess(['--home', home, 'diagnose', '--out', out, '--json'], {
      env,
    });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, path: out, installations: 1 });
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const text = readFileSync(out, 'utf8');
    expectNoSecret(text);
    expectNoSecret(run.stdout + run.stderr);

    const bundle = JSON.parse(text);
    expect(bundle.format).toBe('bdc-companion-diagnostics');
    expect(bundle.versions).toMatchObject({ node: process.versions.node });
    expect(bundle.versions.git).toMatch(/^git version/);
    expect(bundle.secretStore).toMatchObject({
      backend: 'encrypted-file',
      health: { ok: true },
      storedSecrets: 4,
    });
    const [installation] = bundle.installations;
    expect(installation.name).toBe('prod');
    // Each connection's route in the Network section's words; the proxy by scheme, host and port
    // only — its credentials never enter the bundle, not even redacted.
    expect(
      installation.proxy.map((row: { role: string; url: string; description: string }) => [
        row.role,
        row.url,
        row.description,
      ]),
    ).toEqual([
      ['bdc', `https://127.0.0.1:${closedPort}`, 'direct (proxy variables)'],
      [
        'platform',
        'https://platform.ankra.example/bridge/bitbucket-dc/inst-42',
        'via proxy http://proxy.corp.example:3128 (proxy variables)',
      ],
      [
        'relay',
        'https://platform.ankra.example/webhooks/bitbucket-dc/inst-42',
        'via proxy http://proxy.corp.example:3128 (proxy variables)',
      ],
    ]);
    expect(text).not.toContain('ops:');
    expect(bundle.network.proxy.httpsProxy).toBe('http://proxy.corp.example:3128');
    const failed = installation.probe.steps.find((step: { ok: boolean }) => !step.ok);
    expect(failed).toMatchObject({ name: 'tcp' });
    expect(bundle.database.history).toHaveLength(1);
    expect(bundle.database.history[0].message).toBe('deploy with [REDACTED]');
    const [delivery] = bundle.database.deliveries;
    expect(delivery.signature).toBeUndefined();
    expect(delivery.bodyBytes).toBeGreaterThan(4000);
    expect(delivery.bodyExcerpt.length).toBeLessThan(700);
    expect(delivery.bodyExcerpt).toContain('[REDACTED]');
    expect(delivery.lastAttempt).toMatchObject({ status: 401, outcome: 'dead' });
    expect(bundle.logs.map((log: { file: string }) => log.file)).toEqual([
      'companion.log',
      'companion.log.1',
    ]);
    expect(bundle.logs[0].lines).toHaveLength(4);
    expect(bundle.problems).toEqual([]);
    expect(text).not.toContain('notes.txt');
  });

  it('prints the bundle without --out, and still redacts by pattern when the secret store cannot be opened', async () => {
    const run = await runCliInProcess(['--home', home, 'diagnose', '--skip-probe', '--json'], {
      env: { ...env, BDC_COMPANION_SECRETS_PASSPHRASE: 'the wrong passphrase' },
    });
    expect(run.code, run.stderr).toBe(0);
    const { bundle } = JSON.parse(run.stdout);
    expect(bundle.installations[0].probe).toEqual({ skipped: 'probing was turned off' });
    expect(bundle.problems.join('\n')).toMatch(/secret store could not be read/);
    // Unregistered now: the patterns alone must still catch tokens, Authorization headers, BBDC- tokens.
    for (const secret of [
      PAT,
      UNREGISTERED_BEARER,
      UNREGISTERED_BBDC,
      PROXY_PASSWORD,
      CLIENT_SECRET,
    ]) {
      expect(run.stdout).not.toContain(secret);
    }
  });

  it('refuses an unwritable --out with DIAGNOSTICS_WRITE_FAILED and a bad count with USAGE_INVALID', async () => {
    const run = await runCliInProcess(
      [
        '--home',
        home,
        '--json',
        'diagnose',
        '--skip-probe',
        '--out',
        join(root, 'missing', 'dir', 'b.json'),
      ],
      { env },
    );
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).error.code).toBe('DIAGNOSTICS_WRITE_FAILED');
    const bad = await runCliInProcess(
      ['--home', home, '--json', 'diagnose', '--log-lines', 'many'],
      { env },
    );
    expect(bad.code).toBe(2);
  });
});

// The OS keychain variant: run with ./scripts/with-keyring.sh (npm test and CI do).
describe.runIf(process.env['BDC_KEYRING_READY'] === '1')('diagnose with the OS keychain', () => {
  it('registers the secrets kept in gnome-keyring and removes them from the bundle', async () => {
    const keychainHome = join(root, 'keychain-home');
    mkdirSync(join(keychainHome, 'logs'), { recursive: true });
    const settings = openSettings(keychainHome);
    const installation = newInstallation({ name: 'desk', baseUrl: 'https://bdc.desk.example' });
    settings.saveInstallation(installation);
    const { createKeytarStore } = await import('../../core/secrets/keytar-store.js');
    const store = createKeytarStore();
    const secret = `kc-webhook-${Math.random().toString(36).slice(2)}-secret`;
    const key = { installationId: installation.id, kind: 'webhook-secret' } as const;
    await store.set(key, secret);
    try {
      appendFileSync(join(keychainHome, 'logs', 'companion.log'), `leaked ${secret} here\n`);
      const run = await runCliInProcess(
        ['--home', keychainHome, 'diagnose', '--skip-probe', '--json'],
        { env: { HOME: process.env['HOME'] } },
      );
      expect(run.code, run.stderr).toBe(0);
      const { bundle } = JSON.parse(run.stdout);
      expect(bundle.secretStore).toMatchObject({ backend: 'keytar', storedSecrets: 1 });
      expect(run.stdout).toContain('leaked [REDACTED] here');
      expect(run.stdout).not.toContain(secret);
    } finally {
      await store.delete(key);
    }
  });
});
