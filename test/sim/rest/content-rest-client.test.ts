import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  git,
  gitEnv,
  startTestSimulator,
  tempDir,
  type RunningSimulator,
} from '../../helpers/sim.js';

/**
 * Acceptance (issue 12): a client that knows only BDC's REST API — written here from Atlassian's
 * REST reference, importing nothing from `core/` — lists a repository's files, reads a file
 * through `raw` and `browse`, pages its commits and downloads archives; every answer is checked
 * against the git CLI run on the simulator's own bare repository.
 */
const run = promisify(execFile);

class RestOnlyClient {
  constructor(
    private readonly base: string,
    private readonly token: string,
    private readonly agent: Agent,
  ) {}

  async get(path: string): Promise<{ status: number; type: string; bytes: Buffer }> {
    const response = await request(`${this.base}${path}`, {
      headers: { authorization: `Bearer ${this.token}`, accept: 'application/json' },
      dispatcher: this.agent,
    });
    const bytes = Buffer.from(await response.body.arrayBuffer());
    return {
      status: response.statusCode,
      type: String(response.headers['content-type'] ?? ''),
      bytes,
    };
  }

  async json<T = Record<string, unknown>>(path: string): Promise<T> {
    const answer = await this.get(path);
    if (answer.status !== 200) throw new Error(`${path}: ${answer.status} ${answer.bytes}`);
    return JSON.parse(answer.bytes.toString('utf8')) as T;
  }

  /** Every value of a paged resource, following `nextPageStart` as BDC's paging rules say. */
  async all<T>(
    path: string,
    limit: number,
    key = 'values',
  ): Promise<{ values: T[]; pages: number }> {
    const values: T[] = [];
    let start = 0;
    let pages = 0;
    for (;;) {
      const separator = path.includes('?') ? '&' : '?';
      const page = await this.json<Record<string, unknown>>(
        `${path}${separator}start=${start}&limit=${limit}`,
      );
      pages += 1;
      values.push(...(page[key] as T[]));
      if (page['isLastPage'] === true) return { values, pages };
      start = page['nextPageStart'] as number;
    }
  }
}

let sim: RunningSimulator;
let work: { path: string; remove(): Promise<void> };
let client: RestOnlyClient;
let agent: Agent;
let bare: string;
const repoApi = '/rest/api/1.0/projects/DEMO/repos/gitops';
const binary = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0x10, 0x00, 0x0a, 0x7f]);

async function bareGit(...args: string[]): Promise<string> {
  return (await run('git', args, { cwd: bare, maxBuffer: 64 * 1024 * 1024 })).stdout;
}

beforeAll(async () => {
  sim = await startTestSimulator({ platform: false });
  work = await tempDir();
  bare = sim.repositoryPath('DEMO', 'gitops');
  const env = gitEnv(sim, sim.pat);
  const clone = join(work.path, 'clone');
  await git(['clone', '--quiet', `${sim.url}/scm/demo/gitops.git`, clone], { env });
  // History with a merge, nested directories, a binary file and a file name with a space.
  await mkdir(join(clone, 'apps', 'api', 'config'), { recursive: true });
  for (let index = 0; index < 5; index += 1) {
    await writeFile(join(clone, 'apps', 'api', `file-${index}.yaml`), `index: ${index}\n`);
    await git(['add', '.'], { cwd: clone, env });
    await git(['commit', '--quiet', '-m', `Add file ${index}`], { cwd: clone, env });
  }
  await git(['checkout', '--quiet', '-b', 'feature'], { cwd: clone, env });
  await writeFile(join(clone, 'apps', 'api', 'config', 'logo.png'), binary);
  await writeFile(join(clone, 'with space.txt'), 'line one\nline two\nline three');
  await git(['add', '.'], { cwd: clone, env });
  await git(['commit', '--quiet', '-m', 'Binary and spaced names'], { cwd: clone, env });
  await git(['checkout', '--quiet', 'main'], { cwd: clone, env });
  await writeFile(join(clone, 'README.md'), '# Changed on main\n');
  await git(['commit', '--quiet', '-am', 'Change README'], { cwd: clone, env });
  await git(['merge', '--quiet', '--no-ff', '-m', 'Merge feature', 'feature'], { cwd: clone, env });
  await git(['tag', '-a', 'v1.0', '-m', 'Release 1.0', 'feature'], { cwd: clone, env });
  const pushed = await git(['push', '--quiet', 'origin', 'main', 'feature', 'v1.0'], {
    cwd: clone,
    env,
  });
  expect(pushed.code, pushed.stderr).toBe(0);
  agent = new Agent({ connect: { ca: sim.caPem } });
  client = new RestOnlyClient(sim.url, sim.pat, agent);
}, 60_000);

afterAll(async () => {
  await agent?.close();
  await sim?.close();
  await work?.remove();
});

describe('a REST-only BDC client against the simulator', () => {
  it('lists every file of the default branch through paged /files, as git ls-tree does', async () => {
    const { values, pages } = await client.all<string>(`${repoApi}/files`, 3);
    const expected = (await bareGit('ls-tree', '-r', '--name-only', 'refs/heads/main'))
      .split('\n')
      .filter(Boolean);
    expect(values).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 3));
    // Skewed paging (nextPageStart ≠ start + limit, as real BDC): following it still sees all.
    sim.setPaging('skewed');
    try {
      expect((await client.all<string>(`${repoApi}/files`, 2)).values).toEqual(expected);
    } finally {
      sim.setPaging('normal');
    }
    const below = await client.json<{ values: string[] }>(`${repoApi}/files/apps/api?limit=100`);
    expect(below.values).toEqual(
      expected.filter((p) => p.startsWith('apps/api/')).map((p) => p.slice(9)),
    );
  });

  it('reads a binary file byte-exact through /raw, at a branch, a tag and a commit id', async () => {
    const path = 'apps/api/config/logo.png';
    const tip = (await bareGit('rev-parse', 'refs/heads/feature')).trim();
    for (const at of ['feature', 'refs/heads/feature', tip, 'v1.0']) {
      const answer = await client.get(`${repoApi}/raw/${path}?at=${encodeURIComponent(at)}`);
      expect(answer.status, at).toBe(200);
      expect(answer.bytes.equals(binary), at).toBe(true);
      expect(answer.type).toBe('image/png');
    }
    const text = await client.get(`${repoApi}/raw/README.md`);
    expect(text.bytes.toString()).toBe(await bareGit('show', 'refs/heads/main:README.md'));
    expect(text.type).toMatch(/^text\/plain/);
  });

  it('reads a file as lines through /browse with start/limit/isLastPage, the name percent-encoded', async () => {
    const { values } = await client.all<{ text: string }>(
      `${repoApi}/browse/with%20space.txt?at=main`,
      2,
      'lines',
    );
    expect(values.map((line) => line.text)).toEqual(['line one', 'line two', 'line three']);
    const first = await client.json(`${repoApi}/browse/with%20space.txt?limit=1`);
    expect(first).toMatchObject({
      start: 0,
      size: 1,
      limit: 1,
      isLastPage: false,
      nextPageStart: 1,
    });
  });

  it('lists a directory through /browse with paged children', async () => {
    const root = await client.json<{
      children: { values: { path: { toString: string }; type: string; contentId: string }[] };
    }>(`${repoApi}/browse?at=main`);
    const tree = (await bareGit('ls-tree', 'refs/heads/main'))
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [meta = '', name = ''] = line.split('\t');
        const [, type = '', id = ''] = meta.split(' ');
        return { name, type: type === 'tree' ? 'DIRECTORY' : 'FILE', id };
      });
    expect(
      root.children.values.map((c) => ({ name: c.path.toString, type: c.type, id: c.contentId })),
    ).toEqual(tree);
    // A directory's children page like any BDC page, under `children`.
    const names: string[] = [];
    let start = 0;
    for (;;) {
      const page = await client.json<{
        children: {
          values: { path: { toString: string } }[];
          isLastPage: boolean;
          nextPageStart?: number;
        };
      }>(`${repoApi}/browse/apps/api?at=main&limit=2&start=${start}`);
      names.push(...page.children.values.map((child) => child.path.toString));
      if (page.children.isLastPage) break;
      start = page.children.nextPageStart!;
    }
    const listed = (await bareGit('ls-tree', '--name-only', 'refs/heads/main:apps/api'))
      .split('\n')
      .filter(Boolean);
    expect(names).toEqual(listed);
  });

  it('pages the commits of a branch as git log lists them, with since/until, path and merges', async () => {
    const { values } = await client.all<{ id: string; parents: { id: string }[] }>(
      `${repoApi}/commits?until=main`,
      2,
    );
    const log = (await bareGit('log', '--format=%H %P', 'refs/heads/main')).trim().split('\n');
    expect(values.map((c) => `${c.id} ${c.parents.map((p) => p.id).join(' ')}`.trim())).toEqual(
      log,
    );
    const merges = await client.json<{ values: { id: string }[] }>(
      `${repoApi}/commits?merges=only`,
    );
    expect(merges.values.map((c) => c.id)).toEqual(
      (await bareGit('log', '--merges', '--format=%H', 'refs/heads/main')).trim().split('\n'),
    );
    const since = await client.json<{ values: { id: string }[] }>(
      `${repoApi}/commits?until=main&since=v1.0&path=README.md`,
    );
    expect(since.values.map((c) => c.id)).toEqual(
      (await bareGit('log', '--format=%H', 'v1.0..refs/heads/main', '--', 'README.md'))
        .trim()
        .split('\n'),
    );
    const one = await client.json<Record<string, unknown>>(
      `${repoApi}/commits/${log[0]!.slice(0, 40)}`,
    );
    const [author, email, time] = (
      await bareGit('log', '-1', '--format=%an%n%ae%n%at', 'refs/heads/main')
    )
      .trim()
      .split('\n');
    expect(one).toMatchObject({
      id: log[0]!.slice(0, 40),
      message: 'Merge feature',
      author: { name: author, emailAddress: email },
      authorTimestamp: Number(time) * 1000,
    });
  });

  it('downloads archives that unpack to what git archive gives', async () => {
    const tarGz = await client.get(`${repoApi}/archive?format=tar.gz&at=main`);
    expect(tarGz.status).toBe(200);
    const ours = join(work.path, 'ours');
    const theirs = join(work.path, 'theirs');
    await mkdir(ours);
    await mkdir(theirs);
    await writeFile(join(work.path, 'ours.tar.gz'), tarGz.bytes);
    await run('tar', ['-xzf', join(work.path, 'ours.tar.gz'), '-C', ours]);
    await run('sh', ['-c', `git archive --format=tar refs/heads/main | tar -x -C '${theirs}'`], {
      cwd: bare,
    });
    expect(await snapshot(ours)).toEqual(await snapshot(theirs));

    const zip = await client.get(`${repoApi}/archive?at=main&path=apps&prefix=out`);
    expect(zip.type).toBe('application/zip');
    const expected = (
      await run(
        'git',
        ['archive', '--format=zip', '--prefix=out/', 'refs/heads/main', '--', 'apps'],
        {
          cwd: bare,
          encoding: 'buffer',
          maxBuffer: 64 * 1024 * 1024,
        },
      )
    ).stdout;
    expect(zip.bytes.equals(expected)).toBe(true);
  });

  it('answers like BDC for a missing path, a missing revision and a reader without permission', async () => {
    const missing = await client.get(`${repoApi}/browse/nope.txt`);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.bytes.toString())).toMatchObject({
      errors: [{ exceptionName: 'com.atlassian.bitbucket.content.NoSuchPathException' }],
    });
    const noCommit = await client.get(`${repoApi}/raw/README.md?at=no-such-branch`);
    expect(noCommit.status).toBe(404);
    expect(JSON.parse(noCommit.bytes.toString())).toMatchObject({
      errors: [{ exceptionName: 'com.atlassian.bitbucket.commit.NoSuchCommitException' }],
    });
    const escape = await client.get(`${repoApi}/raw/apps%2F..%2FREADME.md`);
    expect(escape.status).toBe(404);
    sim.addProject('OTHER', 'Other');
    const outsider = sim.addToken({
      user: 'other',
      project: 'OTHER',
      projectPermission: 'PROJECT_READ',
    });
    const denied = await new RestOnlyClient(sim.url, outsider, agent).get(`${repoApi}/files`);
    expect(denied.status).toBe(401);
    expect(JSON.parse(denied.bytes.toString())).toMatchObject({
      errors: [{ exceptionName: 'com.atlassian.bitbucket.AuthorisationException' }],
    });
  });
});

/** path → bytes (hex) of every file below `root`. */
async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = `${prefix}${entry.name}`;
      if (entry.isDirectory()) await walk(join(dir, entry.name), `${path}/`);
      else out[path] = (await readFile(join(dir, entry.name))).toString('hex');
    }
  };
  await walk(root, '');
  return out;
}
