import { ZERO_OID } from '../git/git-objects.js';
import type { RefChange } from './ref-changes.js';

/** BDC puts at most this many commits, the most recent, in `commits[]` (docs/watch-mode.md). */
export const MAX_PAYLOAD_COMMITS = 5;

type Json = Record<string, unknown>;

/** A commit as BDC's REST returns it (`/commits`, `/commits/{id}`); timestamps in epoch ms. */
export interface RestCommit {
  readonly id: string;
  readonly displayId: string;
  readonly author?: Json;
  readonly authorTimestamp?: number;
  readonly committer?: Json;
  readonly committerTimestamp?: number;
  readonly message?: string;
  readonly parents?: readonly { readonly id: string; readonly displayId?: string }[];
}

/** What one event is about: a ref of a repository, and the commits of its range. */
export interface RefsChangedEvent {
  readonly at: number;
  /** BDC's user JSON of the signed-in user (`/rest/api/1.0/users/{slug}`). */
  readonly actor: Json;
  /** BDC's repository JSON (`/rest/api/1.0/projects/{key}/repos/{slug}`). */
  readonly repository: Json;
  readonly change: RefChange;
  /** The commit at the new position (absent for DELETE). */
  readonly toCommit: RestCommit | undefined;
  /** Parents of `toCommit` with their details, as BDC expands them one level. */
  readonly toCommitParents: readonly RestCommit[];
  /** The range `fromHash..toHash`, newest first (at most MAX_PAYLOAD_COMMITS are used). */
  readonly commits: readonly RestCommit[];
}

/** `2025-05-18T16:57:51+0000`: BDC's webhook `date` (offset without colon, no milliseconds). */
export function webhookDate(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, '+0000');
}

/** Known keys first in BDC's order (docs/watch-mode.md), anything else after in its own order. */
function ordered(value: Json, keys: readonly string[]): Json {
  const out: Json = {};
  for (const key of keys) if (key in value) out[key] = value[key];
  for (const [key, item] of Object.entries(value)) if (!(key in out)) out[key] = item;
  return out;
}

const ACTOR_KEYS = [
  'name',
  'emailAddress',
  'active',
  'displayName',
  'id',
  'slug',
  'type',
  'links',
] as const;
const PROJECT_KEYS = ['key', 'id', 'name', 'public', 'type', 'links'] as const;
const REPOSITORY_KEYS = [
  'slug',
  'id',
  'name',
  'hierarchyId',
  'scmId',
  'state',
  'statusMessage',
  'forkable',
  'project',
  'public',
  'archived',
  'links',
] as const;

export function actorJson(user: Json): Json {
  return ordered(user, ACTOR_KEYS);
}

export function repositoryJson(repository: Json): Json {
  const project = repository['project'];
  const withProject =
    typeof project === 'object' && project !== null
      ? { ...repository, project: ordered(project as Json, PROJECT_KEYS) }
      : repository;
  return ordered(withProject, REPOSITORY_KEYS);
}

/**
 * A commit in the payload: BDC's REST commit as REST returns it (same fields, same order, epoch-ms
 * timestamps — the payload documentation's form), with the parents given.
 */
function commitJson(commit: RestCommit, parents: Json[]): Json {
  return { ...(commit as unknown as Json), parents };
}

function minimalParents(commit: RestCommit): Json[] {
  return (commit.parents ?? []).map((parent) => ({
    id: parent.id,
    displayId: parent.displayId ?? parent.id.slice(0, 11),
  }));
}

/** One `changes[]` entry in BDC's key order (docs/bdc-api-facts.md §4.3, as docs/watch-mode.md quotes it). */
export function changeJson(change: RefChange): Json {
  const tag = change.ref.startsWith('refs/tags/');
  return {
    ref: {
      id: change.ref,
      displayId: change.ref.replace(/^refs\/(heads|tags)\//, ''),
      type: tag ? 'TAG' : 'BRANCH',
    },
    refId: change.ref,
    fromHash: change.fromHash,
    toHash: change.toHash,
    type: change.type,
  };
}

/**
 * The compact JSON body of `repo:refs_changed` for one ref, in the shape BDC sends: eventKey,
 * date, actor, repository, changes (the keys and order of BDC's recorded delivery), then the
 * range's most recent commits and toCommit with its parents expanded one level (no toCommit for a
 * deletion). docs/watch-mode.md lists what is recorded and what is inferred.
 */
export function refsChangedBody(event: RefsChangedEvent): Buffer {
  const { change } = event;
  const body: Json = {
    eventKey: 'repo:refs_changed',
    date: webhookDate(event.at),
    actor: actorJson(event.actor),
    repository: repositoryJson(event.repository),
    changes: [changeJson(change)],
    commits: event.commits
      .slice(0, MAX_PAYLOAD_COMMITS)
      .map((commit) => commitJson(commit, minimalParents(commit))),
  };
  if (change.toHash !== ZERO_OID && event.toCommit !== undefined) {
    const details = new Map(event.toCommitParents.map((parent) => [parent.id, parent]));
    const parents = (event.toCommit.parents ?? []).map((parent) => {
      const detail = details.get(parent.id);
      return detail === undefined
        ? { id: parent.id, displayId: parent.displayId ?? parent.id.slice(0, 11) }
        : commitJson(detail, minimalParents(detail));
    });
    body['toCommit'] = commitJson(event.toCommit, parents);
  }
  return Buffer.from(JSON.stringify(body), 'utf8');
}
