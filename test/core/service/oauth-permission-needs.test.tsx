import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';
import type { Browser } from 'playwright-core';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OAuthFlowState, OAuthStart } from '../../../common/api/models.js';
import {
  applicationLinkNeedFor,
  applicationLinkPermissionText,
  oauthScopes,
  permissionNeed,
  type PermissionNeed,
} from '../../../common/auth/permission-needs.js';
import { isCompanionError, shapeHint } from '../../../common/errors/companion-error.js';
import type { ErrorShape } from '../../../common/errors/error-shape.js';
import { speaksCli, speaksGui } from '../../../common/errors/hint-surface.js';
import { createAuthOAuthCommand } from '../../../cli/commands/auth-oauth.js';
import { runCli } from '../../../cli/main.js';
import { CUSTOM_REDIRECT_URI } from '../../../core/auth/oauth/oauth-redirect.js';
import { silentLogger } from '../../../core/logging/logger.js';
import { createMemorySecretStore } from '../../../core/secrets/memory-store.js';
import type { CompanionService } from '../../../core/service/companion-service.js';
import { openCompanionService } from '../../../core/service/open-service.js';
import { ErrorNotice } from '../../../renderer/src/components/error-notice.js';
import { freePort } from '../../e2e/serve-process.js';
import { launchChromiumTrusting } from '../auth/oauth/oauth-fixture.js';
import { startTestSimulator, type RunningSimulator } from '../../helpers/sim.js';

// The OAuth twin of permission-needs.test.ts. The sign-in screen tells the BDC admin which
// permission to give the incoming Application Link (`applicationLink` in
// common/auth/permission-needs.ts). Here the simulator holds one Application Link per permission,
// the companion signs in through its real OAuth flow (loopback redirect, PKCE, Bitbucket's login
// and consent page in Chromium), and each feature the screen promises is used with exactly the
// permission it names; with one permission less, the screen names the missing one in its words.

type Level = 'REPO_READ' | 'REPO_WRITE' | 'REPO_ADMIN';

interface Link {
  readonly clientId: string;
  readonly clientSecret: string;
}

let sim: RunningSimulator;
let home: string;
let service: CompanionService;
let browser: Browser;
let installation = 0;
const links = new Map<Level, Link>();

/** The SPKI pin of the simulator's leaf, read over a verified TLS connection. */
async function leafSpki(running: RunningSimulator): Promise<string> {
  const peer = await new Promise<PeerCertificate>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: running.port, ca: running.caPem }, () => {
      resolve(socket.getPeerCertificate());
      socket.end();
    });
    socket.on('error', reject);
  });
  const der = new X509Certificate(peer.raw).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

let oauthPort = 0;

beforeAll(async () => {
  oauthPort = await freePort();
  const redirectUris = [CUSTOM_REDIRECT_URI, `http://localhost:${oauthPort}/oauth/callback`];
  sim = await startTestSimulator({ platform: false, oauthRedirectUris: redirectUris });
  // One incoming Application Link per permission the screens can name, registered before any
  // sign-in, as a BDC admin would with the link form's Permissions choice.
  for (const level of ['REPO_READ', 'REPO_WRITE', 'REPO_ADMIN'] as const) {
    const link = {
      clientId: randomBytes(16).toString('hex'),
      clientSecret: randomBytes(32).toString('hex'),
    };
    sim.addOAuthClient({ ...link, redirectUris, scopes: [level], name: `Companion ${level}` });
    links.set(level, link);
  }
  home = mkdtempSync(join(tmpdir(), 'oauth-permission-needs-'));
  service = await openCompanionService({
    home,
    transport: 'http',
    logger: silentLogger,
    secretStore: createMemorySecretStore(),
    env: { BDC_COMPANION_CACHE_DIR: join(home, 'cache') },
    oauthRedirect: 'localhost',
    oauthPort,
    startRelays: false,
  });
  browser = await launchChromiumTrusting(await leafSpki(sim));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await service?.close();
  await sim?.close();
  rmSync(home, { recursive: true, force: true });
});

function linkWith(level: Level): Link {
  const link = links.get(level);
  if (!link) throw new Error(`no link ${level}`);
  return link;
}

async function newInstallation(): Promise<string> {
  const name = `oauth-perm-${(installation += 1)}`;
  await service.invoke('addInstallation', [
    { name, baseUrl: sim.url, allowLoopback: true, caPems: [sim.caPem] },
  ]);
  return name;
}

/** Starts the sign-in as the UI does; the flow's error when Bitbucket refuses before the browser. */
async function startSignIn(name: string, level: Level, withWebhooks: boolean): Promise<OAuthStart> {
  const link = linkWith(level);
  return service.invoke('startOAuth', [
    { installation: name, ...link, ...(withWebhooks ? { withWebhooks } : {}) },
  ]);
}

/** The browser's part in Chromium: Bitbucket's login, then Allow on the consent page. */
async function consentInBrowser(authorizeUrl: string): Promise<void> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(authorizeUrl);
    await page.fill('#j_username', sim.user.name);
    await page.fill('#j_password', sim.user.name);
    await Promise.all([page.waitForURL(/\/oauth\/callback\?/), page.click('#approve')]);
  } finally {
    await context.close();
  }
}

/** A new installation signed in through the Application Link with exactly `level`. */
async function signedInThrough(
  level: Level,
  withWebhooks: boolean,
  existing?: string,
): Promise<string> {
  const name = existing ?? (await newInstallation());
  const started = await startSignIn(name, level, withWebhooks);
  const done = service.invoke('awaitOAuth', [{ flowId: started.flowId }]);
  await consentInBrowser(started.authorizeUrl);
  const state: OAuthFlowState = await done;
  if (state.kind !== 'signed-in')
    throw new Error(`sign-in ${state.kind}: ${JSON.stringify(state)}`);
  expect(state.user.name).toBe(sim.user.name);
  return name;
}

async function refusal(work: Promise<unknown>): Promise<ErrorShape> {
  try {
    await work;
  } catch (error) {
    if (isCompanionError(error)) return error.toJSON();
    throw error;
  }
  throw new Error('expected a refusal, got success');
}

/** What the window shows for the error (the one component every view uses for errors). */
function screenText(error: ErrorShape): string {
  return renderToStaticMarkup(<ErrorNotice error={error} />)
    .replace(/<[^>]+>/g, '')
    .replace(/&#x27;/g, "'")
    .replace(/\s+/g, ' ');
}

function pushOne(name: string, path: string) {
  return service.invoke('testPush', [
    {
      installation: name,
      repo: `${sim.project}/${sim.repo}`,
      branch: 'main',
      message: `oauth permission check ${path}`,
      put: [{ path, content: `${path}\n` }],
      delete: [],
    },
  ]);
}

const relayUrl = 'http://127.0.0.1:9/webhooks/bitbucket-dc/inst-1';
const repos = () => [`${sim.project}/${sim.repo}`];

function registerWebhooks(name: string) {
  return service
    .invoke('setWebhookSecret', [
      { installation: name, secret: 'a-webhook-secret-of-32-characters' },
    ])
    .then(() =>
      service.invoke('registerWebhooks', [{ installation: name, repos: repos(), url: relayUrl }]),
    );
}

function expectNamed(error: ErrorShape, need: PermissionNeed): void {
  const shown = screenText(error);
  expect(shown, shown).toContain(
    `Missing permission: ${need.applicationLink} on the Application Link`,
  );
}

describe('the Application Link permissions the screens name, proven through the OAuth flow', () => {
  it('the screen names Write for sign-in and push, Admin with webhooks; the app asks no more', () => {
    expect(applicationLinkPermissionText(false)).toBe(permissionNeed('push').applicationLink);
    expect(applicationLinkPermissionText(true)).toBe(permissionNeed('webhooks').applicationLink);
    // Least scope: without webhooks nothing above what the named permission includes.
    expect(oauthScopes(false)).toEqual(['PUBLIC_REPOS', 'REPO_READ', 'REPO_WRITE']);
    expect(oauthScopes(true)).toEqual(['PUBLIC_REPOS', 'REPO_READ', 'REPO_WRITE', 'REPO_ADMIN']);
    // A refusal names the link permission its highest scope needs, and nothing when the request
    // holds a scope the table does not know (that one may be the cause).
    expect(applicationLinkNeedFor(oauthScopes(false))?.applicationLink).toBe('Repositories: Write');
    expect(applicationLinkNeedFor(oauthScopes(true))?.applicationLink).toBe('Repositories: Admin');
    expect(applicationLinkNeedFor(['REPO_WRITE', 'PROJECT_ADMIN'])).toBeUndefined();
  });

  it('Repositories: Write signs in, lists and pushes; webhooks are refused naming Repositories: Admin', async () => {
    const name = await signedInThrough('REPO_WRITE', false);
    const projects = await service.invoke('listProjects', [{ installation: name }]);
    expect(projects.map((project) => project.key)).toContain(sim.project);
    const repositories = await service.invoke('listRepositories', [
      { installation: name, project: sim.project },
    ]);
    expect(repositories.map((repo) => repo.slug)).toContain(sim.repo);
    await expect(pushOne(name, 'oauth/write.txt')).resolves.toMatchObject({ kind: 'pushed' });

    const refused = await refusal(registerWebhooks(name));
    expect(refused.code).toBe('WEBHOOK_PERMISSION_DENIED');
    expect(screenText(refused)).toContain(
      `on the Application Link for OAuth), needed to ${permissionNeed('webhooks').feature}`,
    );
    expect(screenText(refused)).toContain(permissionNeed('webhooks').applicationLink);
    // The command line's message names it in the same words.
    expect(refused.message).toContain(permissionNeed('webhooks').token);
  }, 60_000);

  it('webhook rights added later: signing in again with the option, through an Admin link, registers', async () => {
    const name = await signedInThrough('REPO_WRITE', false);
    expect((await refusal(registerWebhooks(name))).code).toBe('WEBHOOK_PERMISSION_DENIED');
    await signedInThrough('REPO_ADMIN', true, name);
    const registered = await registerWebhooks(name);
    expect(registered.webhooks).toHaveLength(1);
    await service.invoke('unregisterWebhooks', [{ installation: name, repos: repos() }]);
  }, 60_000);

  it('one less — a Repositories: Read link — refuses the sign-in and names Repositories: Write', async () => {
    const name = await newInstallation();
    const refused = await refusal(startSignIn(name, 'REPO_READ', false));
    expect(refused.code).toBe('OAUTH_SCOPE_REJECTED');
    expectNamed(refused, permissionNeed('push'));
    expect(refused.message).toContain(
      `the Application Link's permission must be at least ${permissionNeed('push').applicationLink}`,
    );
    // Refused before the browser: nothing was stored, the installation is still not signed in.
    const [stored] = (await service.invoke('listInstallations', [])).filter(
      (each) => each.name === name,
    );
    expect(stored?.auth.kind).toBe('none');
  }, 60_000);

  it('the command line names it too, and says how to ask for less', async () => {
    const name = await newInstallation();
    let stdout = '';
    const code = await runCli(
      [
        'auth',
        'oauth',
        name,
        '--client-id',
        linkWith('REPO_READ').clientId,
        '--client-secret-stdin',
        '--port',
        String(oauthPort),
        '--home',
        home,
        '--json',
      ],
      {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: () => true },
        stdin: PassThrough.from([`${linkWith('REPO_READ').clientSecret}\n`]),
        env: {
          BDC_COMPANION_SECRET_STORE: 'encrypted-file',
          BDC_COMPANION_SECRETS_PASSPHRASE: 'oauth-permission-needs',
        },
        stopSignal: new AbortController().signal,
      },
      [createAuthOAuthCommand({ openBrowser: () => async () => undefined })],
    );
    expect(code).toBe(1);
    const { error } = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
      error: { code: string; message: string; hint: string };
    };
    expect(error.code).toBe('OAUTH_SCOPE_REJECTED');
    expect(error.message).toContain(
      `at least ${permissionNeed('push').applicationLink}, needed to ${permissionNeed('push').feature}`,
    );
    expect(error.hint).toContain('--scopes');
    expect(speaksGui(error.hint)).toBe(false);
  }, 60_000);

  it('one less for webhooks — a Repositories: Write link asked for them — names Repositories: Admin', async () => {
    const name = await newInstallation();
    const refused = await refusal(startSignIn(name, 'REPO_WRITE', true));
    expect(refused.code).toBe('OAUTH_SCOPE_REJECTED');
    expectNamed(refused, permissionNeed('webhooks'));
    const gui = shapeHint(refused, 'gui') ?? '';
    expect(gui).toContain('without the webhook option');
    expect(speaksCli(gui)).toBe(false);
  }, 60_000);
  // The simulator rebuilt its provider for each new link, so every sign-in made before was lost
  // (BDC keeps issued tokens when an admin adds an Application Link).
  it('a link registered later leaves the sign-ins already made working', async () => {
    const name = await signedInThrough('REPO_WRITE', false);
    sim.addOAuthClient({
      clientId: randomBytes(16).toString('hex'),
      clientSecret: randomBytes(32).toString('hex'),
      redirectUris: [CUSTOM_REDIRECT_URI],
      scopes: ['REPO_READ'],
    });
    const projects = await service.invoke('listProjects', [{ installation: name }]);
    expect(projects.map((project) => project.key)).toContain(sim.project);
  }, 60_000);
});
