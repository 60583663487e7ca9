import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../cli/command-registry.js';
import { runCli } from '../../cli/main.js';
import { startSimulator } from '../../sim/index.js';
import type { RunningSimulator } from '../../sim/simulator-api.js';
import { runCliInProcess, type CliRun } from '../helpers/cli-harness.js';
import { filesContaining, filesUnder } from '../cli/identity-helpers.js';

/**
 * The rule "secrets never appear in logs, errors, settings files, push history or diagnostics"
 * (docs/architecture.md), checked end to end: known secrets are seeded through the commands that take them,
 * every command of the CLI is run (scripted where it does real work, `--help` otherwise), at
 * debug log level, in JSON and human form; then every byte printed and every file in the config
 * home (settings, SQLite database and WAL, logs, bundles) is searched for each secret in plain,
 * JSON-escaped, base64 and hex form. Extend `scripted` when a command is added.
 */
const keyring = process.env['BDC_KEYRING_READY'] === '1';

let sim: RunningSimulator;
let home: string;
let work: string;
let headlessHome: string;
const outputs: { args: string; run: CliRun }[] = [];
const secrets: Record<string, string> = {};

async function cli(
  args: string[],
  stdin?: string,
  env: Record<string, string> = {},
  inHome: string = home,
): Promise<CliRun> {
  const run = await runCliInProcess(['--home', inHome, '--log-level', 'debug', ...args], {
    env,
    ...(stdin === undefined ? {} : { stdin }),
  });
  outputs.push({ args: args.join(' '), run });
  return run;
}

/** Both forms: people read the human one, scripts the JSON one, and either could leak. */
async function both(args: string[], stdin?: string): Promise<CliRun> {
  await cli(args, stdin);
  return cli([...args, '--json'], stdin);
}

/** Long-running servers: started by their own tests; here only their help is run. */
const HELP_ONLY = new Set(['serve', 'sim', 'demo']);

/** Whether a command was run for real (not only with --help). */
function scripted(path: string): boolean {
  return outputs.some(
    ({ args }) => (args === path || args.startsWith(`${path} `)) && !args.endsWith(' --help'),
  );
}

beforeAll(async () => {
  sim = await startSimulator();
  home = mkdtempSync(join(tmpdir(), 'bdc-redaction-home-'));
  work = mkdtempSync(join(tmpdir(), 'bdc-redaction-work-'));
  headlessHome = mkdtempSync(join(tmpdir(), 'bdc-redaction-headless-'));
  secrets['pat'] = sim.pat;
  secrets['refusedPat'] = `BBDC-${randomBytes(33).toString('base64')}`;
  secrets['oauthClientSecret'] = sim.oauthClientSecret;
  // The platform stand-in checks signatures with its own secret; using it lets deliveries succeed.
  secrets['webhookSecret'] =
    sim.platform?.webhookSecret ?? `whsec-${randomBytes(24).toString('hex')}`;
  secrets['passphrase'] = `pass-${randomBytes(12).toString('hex')}`;
  secrets['proxyPassword'] = `proxy-${randomBytes(12).toString('hex')}`;
});

afterAll(async () => {
  await sim.close();
  rmSync(home, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
  rmSync(headlessHome, { recursive: true, force: true });
});

describe.runIf(keyring)('redaction: no command leaks a secret', () => {
  it('runs every command with seeded secrets', async () => {
    const platform = sim.platform;
    if (!platform) throw new Error('the simulator should run the platform stand-in');
    const url = sim.url;
    await both(['probe', url, '--ca-file', sim.caFile, '--allow-loopback']);
    await both(['ca', 'check', sim.caFile]);
    const add = await cli(
      [
        'installation',
        'add',
        'red',
        '--url',
        url,
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
        '--json',
      ],
      `${secrets['webhookSecret']}\n`,
    );
    expect(add.code, add.stdout + add.stderr).toBe(0);
    await both(['installation', 'list']);
    await both(['installation', 'show', 'red']);
    await both(['installation', 'update', 'red', '--relay-listen', '127.0.0.1:0']);

    // A refused token must not come back in the error either.
    const refused = await cli(
      ['auth', 'pat', 'red', '--token-stdin', '--json'],
      secrets['refusedPat'],
    );
    expect(JSON.parse(refused.stdout).error.code).toBe('AUTH_TOKEN_REFUSED');
    await cli(['auth', 'pat', 'red', '--token-stdin'], secrets['refusedPat']);
    const missing = await cli(
      ['auth', 'pat', 'red', '--token-stdin', '--require-projects', 'NOPE', '--json'],
      secrets['pat'],
    );
    expect(JSON.parse(missing.stdout).error.code).toBe('AUTH_PROJECTS_MISSING');
    const pat = await cli(['auth', 'pat', 'red', '--token-stdin', '--json'], secrets['pat']);
    expect(JSON.parse(pat.stdout).ok).toBe(true);
    await both(['auth', 'status', 'red']);
    await both(['auth', 'oauth', 'red', '--print-redirect-uris']);
    // A wrong client id with the real secret: the OAuth path must fail without echoing it.
    await cli(
      [
        'auth',
        'oauth',
        'red',
        '--client-id',
        'no-such-client',
        '--client-secret-stdin',
        '--no-open',
        '--timeout',
        '2',
        '--json',
      ],
      secrets['oauthClientSecret'],
    );

    const file = join(work, 'hello.txt');
    writeFileSync(file, 'hello\n');
    const push = await cli([
      'push',
      'red',
      '--repo',
      `${sim.project}/${sim.repo}`,
      '--branch',
      'main',
      '--message',
      'redaction check',
      '--put',
      `docs/hello.txt=${file}`,
      '--json',
    ]);
    expect(JSON.parse(push.stdout).ok, push.stdout).toBe(true);
    await both(['history', '--installation', 'red']);

    await runDaemonOnce(['relay', 'run', 'red', '--listen', '127.0.0.1:0'], async (first) => {
      if (first.ok && first.url) await deliverTo(first.url);
    });
    await both(['relay', 'status', 'red']);
    await both([
      'relay',
      'watch',
      'red',
      '--repo',
      `${sim.project}/${sim.repo}`,
      '--interval',
      '5',
    ]);

    // The bridge: its token goes in on standard input, then the platform reads and pushes through
    // it, under the companion's own credential.
    secrets['bridgeToken'] = platform.bridgeToken;
    const bridgeToken = await cli(
      ['installation', 'update', 'red', '--bridge-token-stdin', '--json'],
      `${platform.bridgeToken}\n`,
    );
    expect(bridgeToken.code, bridgeToken.stdout + bridgeToken.stderr).toBe(0);
    await both(['bridge', 'policy', 'red', '--allow-push', `${sim.project}/${sim.repo}:main`]);
    await runDaemonOnce(['bridge', 'run', 'red'], useBridge);
    await both(['bridge', 'status', 'red']);
    await runDaemonOnce(['run', 'red'], async (first) => {
      if (first.ok && first.url) await deliverTo(first.url);
      await useBridge();
    });
    await both(['relay', 'watch', 'red', '--off']);
    await both(['relay', 'deliveries', 'red']);
    await both(['relay', 'show', 'red', '1']);
    await both(['relay', 'replay', 'red', '--dead']);

    const hookUrl = `${platform.url}/webhooks/bitbucket-dc/${platform.installationId}`;
    await both([
      'webhooks',
      'register',
      'red',
      '--repo',
      `${sim.project}/${sim.repo}`,
      '--url',
      hookUrl,
    ]);
    await both(['webhooks', 'list', 'red']);
    // The platform issues the new secret: it goes in on standard input and is shown nowhere.
    const rotatedSecret = 'platform-issued-redaction-rotation-0123456789';
    secrets['rotatedWebhookSecret'] = rotatedSecret;
    await both(['webhooks', 'rotate-secret', 'red', '--secret-stdin'], rotatedSecret);
    await both(['installation', 'update', 'red', '--webhook-secret-stdin'], `${rotatedSecret}-2\n`);
    secrets['updatedWebhookSecret'] = `${rotatedSecret}-2`;
    await both(['webhooks', 'list', 'red']);
    await both(['webhooks', 'unregister', 'red', '--all']);

    // Diagnostics while signed in, with a webhook secret and a delivery history: the bundle is
    // printed and written into the config home, so both are scanned.
    // A proxy with credentials (docs/network.md): stored, shown and diagnosed, never printed.
    const proxySet = await cli(
      [
        'network',
        'set',
        '--proxy',
        'http://proxy.corp.example:3128',
        '--no-proxy',
        '127.0.0.1',
        '--proxy-credentials-stdin',
        '--json',
      ],
      `ops:${secrets['proxyPassword']}\n`,
    );
    expect(proxySet.code, proxySet.stdout + proxySet.stderr).toBe(0);
    await both(['network', 'show']);
    await both(['diagnose', '--skip-probe']);
    const bundle = await cli(['diagnose', '--out', join(home, 'diagnostics.json'), '--json']);
    expect(bundle.code, bundle.stdout).toBe(0);
    await both(['service', 'install', 'red', '--print']);
    await cli([
      'service',
      'install',
      'red',
      '--print',
      '--secret-store',
      'credentials-dir',
      '--json',
    ]);

    await both(['explain', 'AUTH_TOKEN_REFUSED']);
    await both(['network', 'set', '--auto']);

    // The explicit headless store: its passphrase is a secret too.
    const passphraseFile = join(work, 'passphrase');
    writeFileSync(passphraseFile, secrets['passphrase'] as string, { mode: 0o600 });
    const headless = {
      BDC_COMPANION_SECRET_STORE: 'encrypted-file',
      BDC_COMPANION_SECRETS_PASSPHRASE_FILE: passphraseFile,
    };
    // A config home uses one secret store, so the headless run gets its own home.
    const addHeadless = await cli(
      [
        'installation',
        'add',
        'red',
        '--url',
        url,
        '--ca-file',
        sim.caFile,
        '--allow-loopback',
        '--webhook-secret-stdin',
        '--json',
      ],
      secrets['webhookSecret'],
      headless,
      headlessHome,
    );
    expect(addHeadless.code, addHeadless.stdout).toBe(0);
    const headlessPat = await cli(
      ['auth', 'pat', 'red', '--token-stdin', '--json'],
      secrets['pat'],
      headless,
      headlessHome,
    );
    expect(JSON.parse(headlessPat.stdout).secretStore).toBe('encrypted-file');
    await cli(['auth', 'status', 'red', '--json'], undefined, headless, headlessHome);
    await cli(['auth', 'status', 'red'], undefined, headless, headlessHome);
    await cli(
      ['auth', 'status', 'red', '--json'],
      undefined,
      {
        BDC_COMPANION_SECRET_STORE: 'encrypted-file',
        BDC_COMPANION_SECRETS_PASSPHRASE: 'wrong passphrase',
      },
      headlessHome,
    );
    await cli(['auth', 'pat', 'red', '--token-stdin', '--json'], secrets['pat'], {}, headlessHome);
    await cli(['auth', 'logout', 'red', '--json'], undefined, headless, headlessHome);

    // Every other command, at least its help; long-running ones are not started blindly.
    for (const command of commands) await cli([...command.path, '--help']);

    await both(['auth', 'logout', 'red']);
    // Removal last: it must leave nothing behind either.
    const secretFile = join(work, 'webhook-secret');
    writeFileSync(secretFile, `${secrets['webhookSecret']}-2\n`, { mode: 0o600 });
    const gone = await cli([
      'installation',
      'add',
      'gone',
      '--url',
      url,
      '--ca-file',
      sim.caFile,
      '--allow-loopback',
      '--webhook-secret-file',
      secretFile,
      '--json',
    ]);
    expect(gone.code, gone.stdout).toBe(0);
    const removed = await cli(['installation', 'remove', 'gone', '--json']);
    expect(JSON.parse(removed.stdout).secretsDeleted).toEqual(['webhook-secret']);
  }, 120_000);

  it('finds none of the secrets in anything printed', () => {
    const leaks: string[] = [];
    for (const { args, run } of outputs) {
      for (const [name, value] of Object.entries(secrets)) {
        if (run.stdout.includes(value) || run.stderr.includes(value))
          leaks.push(`${name} in output of: ${args}`);
      }
    }
    expect(outputs.length).toBeGreaterThan(40);
    expect(leaks).toEqual([]);
  });

  it('finds none of the secrets anywhere in the config home (settings, database, logs, bundles)', () => {
    const files = filesUnder(home).map(({ path }) => path.slice(home.length + 1));
    expect(files).toContain('settings.json');
    expect(files).toContain('diagnostics.json');
    expect(files.some((file) => file.startsWith('companion.db'))).toBe(true);
    // The debug log was written and is part of the scan.
    const logs = filesUnder(home).filter(({ path }) => path.includes(`${join('logs', '')}`));
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.map(({ bytes }) => bytes.toString()).join('')).toContain(
      'signed in with an access token',
    );
    expect(filesUnder(headlessHome).map(({ path }) => path)).toContain(
      join(headlessHome, 'secrets.enc'),
    );
    const leaks: string[] = [];
    for (const [name, value] of Object.entries(secrets)) {
      for (const folder of [home, headlessHome]) {
        for (const path of filesContaining(folder, value)) leaks.push(`${name} in ${path}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('would notice a leak (the scan itself is checked)', () => {
    const planted = mkdtempSync(join(tmpdir(), 'bdc-redaction-plant-'));
    try {
      const value = secrets['pat'] as string;
      writeFileSync(
        join(planted, 'a.log'),
        `{"msg":"token ${JSON.stringify(value).slice(1, -1)}"}`,
      );
      writeFileSync(join(planted, 'b.bin'), Buffer.from(value).toString('base64'));
      expect(filesContaining(planted, value).length).toBe(2);
    } finally {
      rmSync(planted, { recursive: true, force: true });
    }
  });

  it('ran every registered command for real (add new commands to the script above)', () => {
    const missing = commands
      .map((command) => command.path.join(' '))
      .filter((path) => !HELP_ONLY.has(path) && !scripted(path));
    expect(missing).toEqual([]);
  });
});

/**
 * Runs a long-running command (`relay run`, `bridge run`, `run`) in-process until its first line,
 * lets `whileRunning` use it, then stops it as SIGTERM would, keeping its output for the scan.
 */
async function runDaemonOnce(
  args: readonly string[],
  whileRunning: (first: { ok?: boolean; url?: string }) => Promise<void>,
): Promise<void> {
  let stdout = '';
  let stderr = '';
  const controller = new AbortController();
  let readyLine: (line: string) => void = () => undefined;
  const ready = new Promise<string>((resolve) => (readyLine = resolve));
  const running = runCli(['--home', home, '--log-level', 'debug', '--json', ...args], {
    stdout: {
      write: (text: string) => {
        stdout += text;
        if (stdout.includes('\n')) readyLine(stdout.split('\n')[0] as string);
        return true;
      },
    },
    stderr: { write: (text: string) => ((stderr += text), true) },
    stdin: Readable.from(['']),
    env: {},
    stopSignal: controller.signal,
  });
  const line = await Promise.race([ready, running.then(() => stdout.split('\n')[0] as string)]);
  await whileRunning(JSON.parse(line) as { ok?: boolean; url?: string });
  controller.abort();
  const code = await running;
  outputs.push({ args: args.join(' '), run: { code, stdout, stderr } });
}

/** BDC-style deliveries, one signed and one not, to a running relay. */
async function deliverTo(url: string): Promise<void> {
  const body = JSON.stringify({
    eventKey: 'repo:refs_changed',
    date: new Date().toISOString(),
    changes: [],
  });
  const signature = createHmac('sha256', secrets['webhookSecret'] as string)
    .update(body)
    .digest('hex');
  const agent = new Agent();
  for (const hub of [`sha256=${signature}`, 'sha256=0000']) {
    const response = await request(url, {
      method: 'POST',
      dispatcher: agent,
      headers: {
        'content-type': 'application/json',
        'x-event-key': 'repo:refs_changed',
        'x-hub-signature': hub,
        'x-request-id': randomBytes(8).toString('hex'),
      },
      body,
    });
    await response.body.text();
  }
  await agent.close();
  await new Promise((resolve) => setTimeout(resolve, 500));
}

/** Waits for the companion's bridge to connect, then reads and pushes through it as the platform. */
async function useBridge(): Promise<void> {
  const platform = sim.platform;
  if (!platform) throw new Error('the simulator should run the platform stand-in');
  const deadline = Date.now() + 15_000;
  while (platform.bridge.connections().length === 0) {
    if (Date.now() > deadline) throw new Error('the bridge did not connect');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const id = platform.installationId;
  const read = await platform.bridge.call(id, {
    type: 'http',
    id: `r-${randomBytes(4).toString('hex')}`,
    method: 'GET',
    path: `/rest/api/latest/projects/${sim.project}/repos`,
  });
  expect(read['status']).toBe(200);
  await platform.bridge.call(id, {
    type: 'push',
    id: `p-${randomBytes(6).toString('hex')}`,
    repo: `${sim.project}/${sim.repo}`,
    branch: 'main',
    message: 'bridged redaction check',
    author: { name: 'Ankra', email: 'bot@ankra.example' },
    changes: [
      { op: 'put', path: 'docs/bridged.txt', content: Buffer.from('bridged\n').toString('base64') },
    ],
  });
}
