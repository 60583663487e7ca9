import type { CatalogueSection } from '../catalogue-entry.js';

/** Codes of the auth capability. */
export const authCodes = {
  AUTH_TOKEN_REFUSED: {
    cause:
      'Bitbucket did not accept the token: it is unknown, revoked, expired or mistyped (BDC serves such tokens as anonymous).',
    fix: 'Create a new HTTP access token in Bitbucket (profile > HTTP access tokens) with PROJECT_READ and REPO_WRITE, and pass it on stdin.',
    fixGui:
      'Create a new HTTP access token in Bitbucket (profile > Manage account > HTTP access tokens) with the permissions the Sign in step names, and enter it there.',
  },
  AUTH_NO_ACCESS: {
    cause:
      'The token is valid but can read no project (it lacks PROJECT_READ, or its user sees no project).',
    fix: 'Create the token with at least PROJECT_READ / REPO_WRITE, or give its user access to the projects needed.',
  },
  AUTH_PROJECTS_MISSING: {
    cause:
      'The token is valid but cannot read some of the projects required with --require-projects.',
    fix: 'Grant the token user PROJECT_READ on the projects named in the message, or create a token that has it.',
  },
  AUTH_TOKEN_EMPTY: {
    cause: 'No token arrived on standard input.',
    fix: 'Pipe the token in, e.g. `bdc-companion auth pat prod --token-stdin < token.txt`.',
    fixGui: 'Enter the token in the Personal Access Token field.',
  },
  AUTH_NOT_SIGNED_IN: {
    cause:
      'The installation has no credential yet, or its credential is no longer in the secret store.',
    fix: 'Sign in with `bdc-companion auth pat <name> --token-stdin` or `auth oauth <name>`.',
    fixGui: 'Sign in: Installations → Sign in… (or Continue setup).',
  },
  AUTH_EXPIRED: {
    cause: 'Bitbucket refused the credential (401) and it could not be refreshed.',
    fix: 'Sign in again with `bdc-companion auth pat` or `auth oauth`.',
    fixGui: 'Sign in again: Installations → Sign in….',
  },
  AUTH_PERMISSION_DENIED: {
    cause:
      'Bitbucket says the signed-in user lacks permission for this resource (BDC answers 401 for that too).',
    fix: 'Grant the user (or token) the permission the operation needs, e.g. REPO_WRITE or REPO_ADMIN on the repository.',
  },
  BDC_REQUEST_FAILED: {
    cause: 'Bitbucket answered a REST request with an error.',
    fix: 'Read the message from Bitbucket in the error; check the resource names and the user permissions.',
  },
  BDC_NOT_FOUND: {
    cause: 'Bitbucket says the project, repository or resource does not exist (404).',
    fix: 'Check the project key and repository slug (`PROJECT/slug`) in the Bitbucket UI.',
  },
  BDC_CONFLICT: {
    cause: 'Bitbucket refused the change as conflicting with the current state (409).',
    fix: 'Reload the current state and retry the operation.',
  },
  BDC_RATE_LIMITED: {
    cause: 'Bitbucket kept answering 429 (rate limited) after the waits it asked for.',
    fix: 'Retry later, or ask the Bitbucket admin to exempt the companion user from rate limiting.',
  },
  BDC_UNAVAILABLE: {
    cause: 'Bitbucket answered with a server error (5xx) or could not be reached.',
    fix: 'Check that Bitbucket is up (`bdc-companion probe <url>`), then retry.',
    fixGui: 'Check that Bitbucket is up (probe it in the Setup wizard), then retry.',
  },
  BDC_RESPONSE_INVALID: {
    cause:
      'Bitbucket answered with something that is not the JSON the companion expects (often a proxy page).',
    fix: 'Check that the base URL points at Bitbucket itself, including any context path, not at a login or proxy page.',
  },
} as const satisfies CatalogueSection;
