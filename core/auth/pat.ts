import { CompanionError, isCompanionError } from '../../common/errors/companion-error.js';
import type { Installation } from '../../common/models/installation.js';
import type { BdcClient } from '../bdc/bdc-client.js';
import { describeBdcErrors, parseBdcErrors } from '../bdc/bdc-error-envelope.js';
import { registerSecret } from '../logging/redact.js';
import type { SecretKey, SecretStore } from '../secrets/secret-store.js';
import type { SettingsStore } from '../settings/settings-store.js';
import type { Authorization } from './authorization.js';

export function patKey(installationId: string): SecretKey {
  return { installationId, kind: 'pat' };
}

/** A PAT as an Authorization: a fixed Bearer header, nothing to refresh. */
export function patAuthorization(token: string, user: string): Authorization {
  registerSecret(token);
  const header = `Bearer ${token}`;
  return {
    kind: 'pat',
    user,
    header: async () => header,
    refresh: async () => false,
  };
}

/**
 * Checks the shape of a pasted token without ever echoing it: tokens are printable ASCII without
 * spaces (`BBDC-` + base64-ish, which may contain `/` and `+`); a line break inside means two
 * lines were pasted.
 */
export function normalisePat(input: string): string {
  const token = input.trim();
  if (token.length === 0) {
    throw new CompanionError('AUTH_TOKEN_EMPTY', 'The access token is empty.');
  }
  if (token.length > 1024 || !/^[\x21-\x7e]+$/.test(token)) {
    throw new CompanionError(
      'INPUT_INVALID',
      `The access token is not a single token (${token.length} characters, with spaces, line breaks or non-ASCII characters).`,
      { hint: 'Pass exactly the token Bitbucket showed, on one line.' },
    );
  }
  registerSecret(token);
  return token;
}

export interface PatVerification {
  readonly user: string;
  readonly displayName: string | undefined;
  /** Projects the token can read (PROJECT_READ), counted over every page. */
  readonly projects: number;
  readonly projectKeys: readonly string[];
}

export interface VerifyPatOptions {
  readonly requireProjects?: readonly string[];
  readonly signal?: AbortSignal;
}

interface ProjectJson {
  readonly key: string;
}
interface UserJson {
  readonly displayName?: string;
}

/**
 * Verifies a PAT against BDC before anything is stored.
 *
 * BDC serves an unknown or revoked Bearer token as anonymous (docs/bdc-admin-setup.md), so a 200 proves
 * nothing. The check uses `/rest/api/1.0/users`, which anonymous callers cannot use, and requires
 * `X-AUSERNAME` on the answer. Then it counts the projects readable with PROJECT_READ, following
 * `nextPageStart`, to tell "token refused" from "token valid but can read nothing".
 *
 * `client` must carry `patAuthorization(token, …)`.
 */
export async function verifyPat(
  client: BdcClient,
  options: VerifyPatOptions = {},
): Promise<PatVerification> {
  const signal = options.signal;
  const who = await client.request<unknown>({
    path: '/rest/api/1.0/users',
    query: { limit: 1 },
    accept: [401],
    ...(signal ? { signal } : {}),
  });
  if (who.status === 401 && !who.user) {
    const errors = parseBdcErrors(JSON.stringify(who.body ?? {}));
    const said = describeBdcErrors(errors);
    throw new CompanionError(
      'AUTH_TOKEN_REFUSED',
      `Bitbucket at ${client.baseUrl} refused the token (401${said ? `: ${said}` : ''}).`,
      {
        data: {
          status: 401,
          ...(said ? { bdcMessage: said } : {}),
          ...(errors[0]?.exceptionName ? { exceptionName: errors[0].exceptionName } : {}),
        },
      },
    );
  }
  if (!who.user) {
    throw new CompanionError(
      'AUTH_TOKEN_REFUSED',
      `Bitbucket at ${client.baseUrl} served the token as anonymous (no X-AUSERNAME): it is unknown, revoked or expired.`,
    );
  }
  const user = who.user;

  let displayName: string | undefined;
  const profile = await client
    .request<UserJson>({
      path: `/rest/api/1.0/users/${encodeURIComponent(user)}`,
      accept: [401, 404],
      ...(signal ? { signal } : {}),
    })
    .catch(() => undefined);
  if (profile?.status === 200) displayName = profile.body.displayName;

  const projectKeys: string[] = [];
  try {
    for await (const project of client.paged<ProjectJson>(
      '/rest/api/1.0/projects',
      { permission: 'PROJECT_READ' },
      { limit: 100, ...(signal ? { signal } : {}) },
    )) {
      projectKeys.push(project.key);
    }
  } catch (error) {
    // A token that lost its rights between the two calls reads as "nothing readable".
    if (!isCompanionError(error, 'AUTH_PERMISSION_DENIED')) throw error;
  }

  const required = (options.requireProjects ?? []).map((key) => key.trim()).filter(Boolean);
  const readable = new Set(projectKeys.map((key) => key.toUpperCase()));
  const missing = required.filter((key) => !readable.has(key.toUpperCase()));
  if (missing.length > 0) {
    throw new CompanionError(
      'AUTH_PROJECTS_MISSING',
      `The token is valid for ${user} but cannot read ${missing.length === 1 ? 'project' : 'projects'} ${missing.join(', ')} (it reads ${projectKeys.length}).`,
      { data: { user, missing, projects: projectKeys.length } },
    );
  }
  if (projectKeys.length === 0) {
    throw new CompanionError(
      'AUTH_NO_ACCESS',
      `The token is valid for ${user} but can read no project with PROJECT_READ.`,
      { data: { user, projects: 0 } },
    );
  }
  return { user, displayName, projects: projectKeys.length, projectKeys };
}

/**
 * Stores a verified PAT and records the sign-in. The secret goes in first: if the settings write
 * then fails, the installation still shows its previous mode and the next attempt overwrites the
 * secret; the reverse order could leave "signed in" pointing at no token.
 */
export async function savePatSignIn(
  settings: SettingsStore,
  secrets: SecretStore,
  installation: Installation,
  token: string,
  verification: PatVerification,
  now: Date = new Date(),
): Promise<Installation> {
  await secrets.set(patKey(installation.id), token);
  const updated: Installation = {
    ...installation,
    auth: { kind: 'pat', user: verification.user, verifiedAt: now.toISOString() },
  };
  settings.saveInstallation(updated);
  if (installation.auth.kind === 'oauth') {
    // The OAuth tokens are dead weight now; the client secret stays for a later switch back.
    await secrets.delete({ installationId: installation.id, kind: 'oauth-tokens' });
  }
  return updated;
}
