import type { OpenApi, repo } from '@coderabbitai/bitbucket/server';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  git,
  gitEnv,
  simRequest,
  startTestSimulator,
  tempDir,
  type RunningSimulator,
} from '../helpers/sim.js';
import { shapeProblems, type Deviations, type Spec, type SpecOf } from './bdc-shape.js';

/**
 * The simulator's JSON held to BDC's documented shapes: Atlassian's OpenAPI description (9.2)
 * and event payload page, as typed by `@coderabbitai/bitbucket` (docs/bdc-rest-reference.md).
 * Each spec below is typed `Spec<documented type>`, so it lists exactly the documented properties;
 * anything else the simulator sends must be named in a `Deviations` list with the reason.
 */
type Schemas = OpenApi.components['schemas'];

const person: Spec<NonNullable<Schemas['RestCommit']['author']>> = {
  avatarUrl: 'string',
  emailAddress: 'string',
  name: 'string',
};
const minimalCommit: Spec<Schemas['RestMinimalCommit']> = { id: 'string', displayId: 'string' };
const commit: Spec<Schemas['RestCommit']> = {
  author: person,
  authorTimestamp: 'number',
  committer: person,
  committerTimestamp: 'number',
  displayId: 'string',
  id: 'string',
  message: 'string',
  parents: [minimalCommit],
};
const path: Spec<Schemas['RestPath']> = {
  components: ['string'],
  extension: 'string',
  name: 'string',
  parent: 'string',
};
const change: Spec<Schemas['RestChange']> = {
  conflict: 'skip',
  contentId: 'string',
  executable: 'boolean',
  fromContentId: 'string',
  links: 'skip',
  nodeType: ['DIRECTORY', 'FILE', 'SUBMODULE'],
  path,
  percentUnchanged: 'number',
  srcExecutable: 'boolean',
  srcPath: path,
  type: ['ADD', 'COPY', 'DELETE', 'MODIFY', 'MOVE', 'UNKNOWN'],
};
const project: Spec<Schemas['RestProject']> = {
  avatar: 'string',
  avatarUrl: 'string',
  description: 'string',
  id: 'number',
  key: 'string',
  links: 'skip',
  name: 'string',
  public: 'boolean',
  scope: 'string',
  type: ['NORMAL', 'PERSONAL'],
};
const repository: Spec<Schemas['RestRepository']> = {
  archived: 'boolean',
  defaultBranch: 'string',
  description: 'string',
  forkable: 'boolean',
  hierarchyId: 'string',
  id: 'number',
  links: 'skip',
  name: 'string',
  origin: 'skip',
  partition: 'number',
  project,
  public: 'boolean',
  relatedLinks: 'skip',
  scmId: 'string',
  scope: 'string',
  slug: 'string',
  state: ['AVAILABLE', 'INITIALISATION_FAILED', 'INITIALISING', 'OFFLINE'],
  statusMessage: 'string',
};
const user: Spec<Schemas['RestApplicationUser']> = {
  active: 'boolean',
  avatarUrl: 'string',
  displayName: 'string',
  emailAddress: 'string',
  id: 'number',
  links: 'skip',
  name: 'string',
  slug: 'string',
  type: ['NORMAL', 'SERVICE'],
};
const errorMessage: Spec<Schemas['RestErrorMessage']> = {
  context: 'string',
  exceptionName: 'string',
  message: 'string',
};
const errors: Spec<Schemas['RestErrors']> = { errors: [errorMessage] };

/** BDC's page envelope (the OpenAPI repeats it inline for every paged resource). */
function page<T>(values: SpecOf<T>): SpecOf<unknown> {
  return {
    isLastPage: 'boolean',
    limit: 'number',
    nextPageStart: 'number',
    size: 'number',
    start: 'number',
    values: [values],
  } as SpecOf<unknown>;
}

type RefsChanged = repo.refsChanged.RepoRefsChanged;
const eventPerson: Spec<RefsChanged['commits'][number]['author']> = {
  emailAddress: 'string',
  name: 'string',
};
const eventCommit: Spec<RefsChanged['commits'][number]> = {
  author: eventPerson,
  authorTimestamp: 'number',
  committer: eventPerson,
  committerTimestamp: 'number',
  displayId: 'string',
  id: 'string',
  message: 'string',
  parents: [{ id: 'string', displayId: 'string' }],
};
const refsChanged: Spec<RefsChanged> = {
  actor: {
    active: 'boolean',
    displayName: 'string',
    emailAddress: 'string',
    id: 'number',
    name: 'string',
    slug: 'string',
    type: 'string',
  },
  changes: [
    {
      fromHash: 'string',
      ref: { displayId: 'string', id: 'string', type: 'string' },
      refId: 'string',
      toHash: 'string',
      type: 'string',
    },
  ],
  commits: [eventCommit],
  date: 'string',
  eventKey: ['repo:refs_changed'],
  repository: {
    archived: 'boolean',
    forkable: 'boolean',
    hierarchyId: 'string',
    id: 'number',
    name: 'string',
    project: {
      description: 'string',
      id: 'number',
      key: 'string',
      name: 'string',
      public: 'boolean',
      type: 'string',
    },
    public: 'boolean',
    scmId: 'string',
    slug: 'string',
    state: ['AVAILABLE', 'INITIALISATION_FAILED', 'INITIALISING', 'OFFLINE'],
    statusMessage: 'string',
  },
  toCommit: { ...eventCommit, parents: [eventCommit] },
};

/**
 * Where the simulator deliberately follows recorded real BDC (or makes a documented choice) over
 * the documented types. Every entry is a path the checker would otherwise report.
 */
const followsRecordedBdc: Deviations = {
  // Recorded BDC 9.x/10.x error bodies carry `"context": null` (docs: a string).
  'errors[].context': 'recorded BDC sends null when the error is not about a field',
  'errors[].exceptionName': 'recorded BDC sends null for a plain 404 of an unknown resource',
  // The recorded 9.x delivery has `links` on actor, repository and project; the event payload
  // page's types leave them out.
  'actor.links': 'recorded 9.x repo:refs_changed delivery',
  'repository.links': 'recorded 9.x repo:refs_changed delivery',
  'repository.project.links': 'recorded 9.x repo:refs_changed delivery',
  'repository.description': 'BDC sends a repository description when there is one (RestRepository)',
  // The BDC 10 fixture gives toCommit's parents' parents as minimal commits.
  'toCommit.parents[].parents': 'recorded BDC 10 toCommit: the parents of its parents are minimal',
};
const simulatorChoices: Deviations = {
  'values[].path.toString': 'the simulator adds the joined path (docs/bdc-rest-reference.md)',
  'values[].srcPath.toString': 'the simulator adds the joined path',
  'path.toString': 'the simulator adds the joined path',
};

let sim: RunningSimulator;
let server: Server;
let work: { path: string; remove(): Promise<void> };
const api = '/rest/api/1.0';
const repoApi = `${api}/projects/DEMO/repos/gitops`;

async function getJson(url: string): Promise<unknown> {
  const response = await simRequest(sim, url, { bearer: sim.pat });
  return response.json();
}

beforeAll(async () => {
  sim = await startTestSimulator({ platform: false });
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await simRequest(sim, `${repoApi}/webhooks`, {
    method: 'POST',
    bearer: sim.pat,
    body: { name: 'contract', url: `http://127.0.0.1:${port}/`, events: ['repo:refs_changed'] },
  });
  work = await tempDir();
  const clone = join(work.path, 'clone');
  const env = gitEnv(sim, sim.pat);
  await git(['clone', '--quiet', `${sim.url}/scm/demo/gitops.git`, clone], { env });
  await git(['checkout', '--quiet', '-b', 'topic'], { cwd: clone, env });
  await git(['mv', 'apps/web/service.yaml', 'apps/web/svc.yaml'], { cwd: clone, env });
  await git(['rm', '--quiet', 'clusters/dev/kustomization.yaml'], { cwd: clone, env });
  await git(['commit', '--quiet', '-m', 'Move and delete'], { cwd: clone, env });
  await git(['commit', '--quiet', '--allow-empty', '-m', 'Second'], { cwd: clone, env });
  const pushed = await git(['push', '--quiet', 'origin', 'topic'], { cwd: clone, env });
  expect(pushed.code, pushed.stderr).toBe(0);
  await sim.webhooks.idle();
}, 60_000);

afterAll(async () => {
  await sim?.close();
  await new Promise((resolve) => server?.close(resolve));
  await work?.remove();
});

describe("the simulator's JSON against BDC's documented shapes", () => {
  it('commits and a commit (RestCommit), with avatarUrl when asked', async () => {
    const commits = await getJson(`${repoApi}/commits?until=topic&avatarSize=48`);
    expect(shapeProblems(commits, page(commit))).toEqual([]);
    expect(
      (commits as { values: { author: { avatarUrl?: string } }[] }).values[0]?.author,
    ).toHaveProperty('avatarUrl');
    const first = (commits as { values: { id: string }[] }).values[0]!.id;
    expect(shapeProblems(await getJson(`${repoApi}/commits/${first}`), commit)).toEqual([]);
  });

  it('compare/changes (RestChange), including a MOVE with srcPath and a DELETE', async () => {
    const changes = await getJson(`${repoApi}/compare/changes?from=topic&to=main`);
    expect(shapeProblems(changes, page(change), simulatorChoices)).toEqual([]);
    const types = (changes as { values: { type: string }[] }).values.map((value) => value.type);
    expect(types.sort()).toEqual(['DELETE', 'MOVE']);
  });

  it('files (a page of paths) and browse paths (RestPath)', async () => {
    expect(shapeProblems(await getJson(`${repoApi}/files`), page<string>('string'))).toEqual([]);
    const root = (await getJson(`${repoApi}/browse`)) as {
      path: unknown;
      children: { values: { path: unknown }[] };
    };
    expect(shapeProblems(root.path, path, simulatorChoices, 'path')).toEqual([]);
    for (const child of root.children.values) {
      expect(shapeProblems(child.path, path, simulatorChoices, 'path')).toEqual([]);
    }
  });

  it('repositories, projects and users (with avatarUrl), including description', async () => {
    expect(shapeProblems(await getJson(repoApi), repository)).toEqual([]);
    expect(shapeProblems(await getJson(`${api}/repos`), page(repository))).toEqual([]);
    const demo = await getJson(`${api}/projects/DEMO`);
    expect(shapeProblems(demo, project)).toEqual([]);
    expect(demo).toHaveProperty('description');
    const users = await getJson(`${api}/users?avatarSize=64`);
    expect(shapeProblems(users, page(user))).toEqual([]);
    expect((users as { values: { avatarUrl?: string }[] }).values[0]?.avatarUrl).toMatch(/s=64/);
  });

  it('error bodies (RestErrors), where recorded BDC sends null', async () => {
    const missing = await simRequest(sim, `${repoApi}/browse/nope`, { bearer: sim.pat });
    expect(shapeProblems(missing.json(), errors, followsRecordedBdc)).toEqual([]);
    const unknown = await simRequest(sim, `${api}/no-such-resource`, { bearer: sim.pat });
    expect(shapeProblems(unknown.json(), errors, followsRecordedBdc)).toEqual([]);
    // Without the deviation the checker reports exactly what the list excuses.
    expect(shapeProblems(missing.json(), errors)).toEqual([
      'errors[].context: expected string, got null',
    ]);
  });

  it('the repo:refs_changed delivery (the event payload page)', () => {
    const delivery = sim.webhooks
      .invocations()
      .find((invocation) => invocation.eventKey === 'repo:refs_changed');
    expect(delivery).toBeDefined();
    const payload = JSON.parse(delivery!.body) as unknown;
    expect(shapeProblems(payload, refsChanged as SpecOf<unknown>, followsRecordedBdc)).toEqual([]);
    expect(payload).toHaveProperty('toCommit');
    // Every departure from the documented payload is one the list names.
    const departures = shapeProblems(payload, refsChanged as SpecOf<unknown>).map(
      (problem) => problem.split(':')[0]!,
    );
    expect(departures.length).toBeGreaterThan(0);
    for (const at of departures) expect(Object.keys(followsRecordedBdc)).toContain(at);
  });

  it('the checker reports undocumented properties, wrong kinds and values outside an enum', () => {
    const bad = {
      id: 1,
      displayId: 'abc',
      extra: true,
      parents: [{ id: 'x', displayId: 'y', more: 1 }],
    };
    expect(shapeProblems(bad, commit)).toEqual([
      'id: expected string, got 1',
      'extra: not in the documented shape',
      'parents[].more: not in the documented shape',
    ]);
    expect(shapeProblems({ type: 'ADMIN' }, user)).toEqual([
      'type: "ADMIN" is not one of NORMAL, SERVICE',
    ]);
  });
});
