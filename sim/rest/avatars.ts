import { createHash } from 'node:crypto';
import type { SimUser } from '../simulator-api.js';
import type { SimState } from '../state/sim-state.js';
import type { Page } from './paging.js';

/**
 * `avatarUrl` appears only when the request asks with `?avatarSize=N` (BDC's REST reference,
 * docs/bdc-rest-reference.md): a Bitbucket user's avatar under `/users/{slug}/avatar.png`, and a
 * Gravatar address for a commit author who is not a Bitbucket user.
 */
export function avatarSize(query: URLSearchParams): number | undefined {
  const raw = query.get('avatarSize');
  if (raw === null) return undefined;
  const size = Number.parseInt(raw, 10);
  return Number.isFinite(size) && size > 0 ? Math.min(size, 2048) : undefined;
}

export function userAvatarUrl(baseUrl: string, user: SimUser, size: number): string {
  return `${baseUrl}/users/${encodeURIComponent(user.name)}/avatar.png?s=${size}`;
}

function personAvatarUrl(baseUrl: string, state: SimState, email: string, size: number): string {
  const user = [...state.users.values()].find(
    (candidate) => candidate.emailAddress.toLowerCase() === email.toLowerCase(),
  );
  if (user) return userAvatarUrl(baseUrl, user, size);
  const hash = createHash('md5').update(email.trim().toLowerCase()).digest('hex');
  return `https://secure.gravatar.com/avatar/${hash}.jpg?s=${size}&d=mm`;
}

type Person = { readonly emailAddress: string };

/** A page of commits with `author.avatarUrl`/`committer.avatarUrl` when `avatarSize` is asked. */
export function withAvatars(
  page: Page<Record<string, unknown>>,
  query: URLSearchParams,
  baseUrl: string,
  state: SimState,
): Page<Record<string, unknown>> {
  const size = avatarSize(query);
  if (size === undefined) return page;
  const decorate = (person: unknown): unknown => {
    const value = person as Person;
    return { ...value, avatarUrl: personAvatarUrl(baseUrl, state, value.emailAddress, size) };
  };
  return {
    ...page,
    values: page.values.map((commit) => ({
      ...commit,
      author: decorate(commit['author']),
      committer: decorate(commit['committer']),
    })),
  };
}
