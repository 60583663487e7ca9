import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  git,
  gitEnv,
  startTestSimulator,
  tempDir,
  trustingAgent,
  type RunningSimulator,
} from '../../helpers/sim.js';

let sim: RunningSimulator;
let work: { path: string; remove(): Promise<void> };

beforeAll(async () => {
  sim = await startTestSimulator();
  work = await tempDir();
});
afterAll(async () => {
  await sim.close();
  await work.remove();
});

function cloneUrl(slug = sim.repo, project = sim.project): string {
  return `${sim.url}/scm/${project.toLowerCase()}/${slug}.git`;
}

async function cloneFresh(name: string, token: string = sim.pat): Promise<string> {
  const dir = join(work.path, name);
  const result = await git(['clone', '--quiet', cloneUrl(), dir], { env: gitEnv(sim, token) });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return dir;
}

async function commitFile(dir: string, file: string, text: string): Promise<void> {
  await writeFile(join(dir, file), text);
  const env = gitEnv(sim);
  expect((await git(['add', file], { cwd: dir, env })).code).toBe(0);
  expect((await git(['commit', '--quiet', '-m', `change ${file}`], { cwd: dir, env })).code).toBe(
    0,
  );
}

describe('git over HTTPS through git http-backend', () => {
  it('clones the ready repository with the root CA and a Bearer PAT from GIT_CONFIG_COUNT', async () => {
    const dir = await cloneFresh('clone');
    expect(await readFile(join(dir, 'README.md'), 'utf8')).toContain('Demo GitOps repository');
    const head = await git(['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: dir, env: gitEnv(sim) });
    expect(head.stdout.trim()).toBe('main');
  });

  it('accepts a fast-forward push and the bare repository stays consistent', async () => {
    const dir = await cloneFresh('push');
    await commitFile(dir, 'added.txt', 'hello\n');
    const push = await git(['push', 'origin', 'main'], { cwd: dir, env: gitEnv(sim, sim.pat) });
    expect(push.code).toBe(0);
    const local = await git(['rev-parse', 'HEAD'], { cwd: dir, env: gitEnv(sim) });
    const remote = await git(['rev-parse', 'refs/heads/main'], {
      cwd: sim.repositoryPath(sim.project, sim.repo),
      env: gitEnv(sim),
    });
    expect(remote.stdout).toBe(local.stdout);
    const fsck = await git(['fsck', '--strict'], {
      cwd: sim.repositoryPath(sim.project, sim.repo),
      env: gitEnv(sim),
    });
    expect(fsck.code).toBe(0);
  });

  it('refuses a force push (non-fast-forward) even with --force', async () => {
    const dir = await cloneFresh('force');
    await git(['reset', '--quiet', '--hard', 'HEAD~1'], { cwd: dir, env: gitEnv(sim) });
    await commitFile(dir, 'rewrite.txt', 'rewritten history\n');
    // The test drives a hostile client on purpose: the server must refuse the rewrite.
    const push = await git(['push', '--force', 'origin', 'main'], {
      cwd: dir,
      env: gitEnv(sim, sim.pat),
    });
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('! [remote rejected] main -> main (non-fast-forward)');
  });

  it('refuses a push to a pull-request-only branch with BDC’s banner', async () => {
    await sim.addRepository(sim.project, 'restricted', { files: 3, bytes: 300 });
    sim.restrictBranch(sim.project, 'restricted', 'main');
    const dir = join(work.path, 'restricted');
    expect(
      (await git(['clone', '--quiet', cloneUrl('restricted'), dir], { env: gitEnv(sim, sim.pat) }))
        .code,
    ).toBe(0);
    await commitFile(dir, 'pr-only.txt', 'needs a pull request\n');
    const push = await git(['push', 'origin', 'main'], { cwd: dir, env: gitEnv(sim, sim.pat) });
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain(
      'remote: Branch refs/heads/main can only be modified through pull requests.',
    );
    expect(push.stderr).toContain(
      'remote: Check your branch permissions configuration with the project administrator.',
    );
    expect(push.stderr).toContain('! [remote rejected] main -> main (pre-receive hook declined)');
    // Other branches stay writable.
    const other = await git(['push', 'origin', 'main:feature/x'], {
      cwd: dir,
      env: gitEnv(sim, sim.pat),
    });
    expect(other.code).toBe(0);
  });

  it('answers a push without REPO_WRITE with HTTP 403, and clones with REPO_READ', async () => {
    const reader = sim.addToken({
      user: 'reader',
      projectPermission: 'PROJECT_READ',
      repoPermission: 'REPO_READ',
    });
    const dir = await cloneFresh('reader', reader);
    await commitFile(dir, 'nope.txt', 'no write access\n');
    const push = await git(['push', 'origin', 'main'], { cwd: dir, env: gitEnv(sim, reader) });
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('The requested URL returned error: 403');
  });

  it('asks anonymous clients for credentials with BDC’s realm (401)', async () => {
    const result = await git(['ls-remote', cloneUrl()], { env: gitEnv(sim) });
    expect(result.code).not.toBe(0);
    const response = await fetch(`${cloneUrl()}/info/refs?service=git-upload-pack`, {
      dispatcher: trustingAgent(sim.caPem),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="Atlassian Bitbucket"');
  });

  it('serves an unknown Bearer token as anonymous: 401 with the realm, not 403', async () => {
    const response = await fetch(`${cloneUrl()}/info/refs?service=git-upload-pack`, {
      dispatcher: trustingAgent(sim.caPem),
      headers: { authorization: 'Bearer BBDC-unknownunknownunknownunknownunknownunknown' },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('x-ausername')).toBeNull();
  });

  it('accepts project tokens as Basic only with the x-token-auth placeholder user', async () => {
    const projectToken = sim.addToken({
      user: 'ci',
      project: sim.project,
      projectPermission: 'PROJECT_READ',
    });
    const withUser = (user: string) => {
      const basic = Buffer.from(`${user}:${projectToken}`).toString('base64');
      return gitEnv(sim, undefined, {
        GIT_CONFIG_COUNT: '5',
        GIT_CONFIG_KEY_4: 'http.extraHeader',
        GIT_CONFIG_VALUE_4: `Authorization: Basic ${basic}`,
      });
    };
    expect((await git(['ls-remote', cloneUrl()], { env: withUser('x-token-auth') })).code).toBe(0);
    const refused = await git(['ls-remote', cloneUrl()], { env: withUser('ci') });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/could not read Username|401/); // 401 makes git ask for credentials
  });

  it('accepts Basic user:token for git (token from the environment, never argv)', async () => {
    const basic = Buffer.from(`${sim.user.name}:${sim.pat}`).toString('base64');
    const env = gitEnv(sim, undefined, {
      GIT_CONFIG_COUNT: '5',
      GIT_CONFIG_KEY_4: 'http.extraHeader',
      GIT_CONFIG_VALUE_4: `Authorization: Basic ${basic}`,
    });
    const result = await git(['ls-remote', cloneUrl(), 'refs/heads/main'], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^[0-9a-f]{40}\trefs\/heads\/main$/m);
  });
});
