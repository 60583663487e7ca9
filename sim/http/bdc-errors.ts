/**
 * BDC's error bodies, verbatim from recorded traffic (docs/bdc-api-facts.md §2.5, §6.2). Clients switch on
 * status and `exceptionName`, so these strings must not drift.
 */
export interface BdcErrorBody {
  readonly errors: readonly {
    readonly context: string | null;
    readonly message: string;
    readonly exceptionName: string | null;
  }[];
}

export interface BdcError {
  readonly status: number;
  readonly body: BdcErrorBody;
}

function error(
  status: number,
  message: string,
  exceptionName: string | null,
  context: string | null = null,
): BdcError {
  return { status, body: { errors: [{ context, message, exceptionName }] } };
}

const notPermitted = 'You are not permitted to access this resource';

export const bdcErrors = {
  /** Protected endpoint, no (or an unknown Bearer) credential — BDC 10.4.2 recording. */
  authenticationRequired: (): BdcError =>
    error(
      401,
      notPermitted,
      'com.atlassian.plugins.rest.api.security.exception.AuthenticationRequiredException',
    ),
  /** Authenticated but lacking permission: BDC answers 401, not 403. */
  authorisation: (): BdcError =>
    error(401, notPermitted, 'com.atlassian.bitbucket.AuthorisationException'),
  incorrectPassword: (): BdcError =>
    error(
      401,
      'Authentication failed. Please check your credentials and try again.',
      'com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException',
    ),
  noSuchRepository: (project: string, slug: string): BdcError =>
    error(
      404,
      `Repository ${project}/${slug} does not exist.`,
      'com.atlassian.bitbucket.repository.NoSuchRepositoryException',
    ),
  noSuchProject: (project: string): BdcError =>
    error(
      404,
      `Project ${project} does not exist.`,
      'com.atlassian.bitbucket.project.NoSuchProjectException',
    ),
  noSuchUser: (slug: string): BdcError =>
    error(404, `User ${slug} does not exist.`, 'com.atlassian.bitbucket.user.NoSuchUserException'),
  noSuchWebhook: (id: string): BdcError =>
    error(
      404,
      `No webhook with id '${id}' exists.`,
      'com.atlassian.webhooks.NoSuchWebhookException',
    ),
  /** Exception names from BDC's Java API (docs/bdc-rest-reference.md). */
  noSuchCommit: (revision: string, slug: string): BdcError =>
    error(
      404,
      `Commit '${revision}' does not exist in repository '${slug}'.`,
      'com.atlassian.bitbucket.commit.NoSuchCommitException',
    ),
  noSuchPath: (path: string, revision: string): BdcError =>
    error(
      404,
      `The path "${path}" does not exist at revision "${revision}"`,
      'com.atlassian.bitbucket.content.NoSuchPathException',
    ),
  validation: (context: string | null, message: string): BdcError =>
    error(400, message, 'com.atlassian.bitbucket.validation.ArgumentValidationException', context),
  badPermission: (permission: string): BdcError =>
    error(
      400,
      `Permission ${permission} is not a valid permission for this resource.`,
      'com.atlassian.bitbucket.validation.ArgumentValidationException',
    ),
  notFound: (path: string): BdcError => error(404, `Could not find a resource at ${path}.`, null),
  methodNotAllowed: (): BdcError => error(405, 'Method not allowed.', null),
  serverError: (message: string, exceptionName: string | null): BdcError =>
    error(500, message, exceptionName),
  rateLimited: (): BdcError =>
    error(
      429,
      'You have been rate limited. Wait before making further requests.',
      'com.atlassian.bitbucket.ratelimit.RateLimitedException',
    ),
  injected: (status: number): BdcError =>
    error(status, `Simulated failure (HTTP ${status}).`, null),
} as const;
