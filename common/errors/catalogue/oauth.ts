import type { CatalogueSection } from '../catalogue-entry.js';

/** Codes of the oauth capability (OAuth 2.0 sign-in through an incoming Application Link). */
export const oauthCodes = {
  OAUTH_CLIENT_ID_MISSING: {
    cause: 'No OAuth client id was given and none is saved for this installation.',
    fix: 'Pass --client-id with the client id Bitbucket showed when the admin created the incoming Application Link.',
    fixGui:
      'Enter the client id Bitbucket showed when the admin created the incoming Application Link.',
  },
  OAUTH_CLIENT_SECRET_MISSING: {
    cause:
      'No OAuth client secret arrived on standard input and none is stored for this installation.',
    fix: 'Pipe the Application Link client secret in with --client-secret-stdin (Bitbucket always checks it).',
    fixGui: 'Enter the Application Link client secret (Bitbucket always checks it).',
  },
  OAUTH_CLIENT_ID_MALFORMED: {
    cause:
      'The client id is empty, too long, or contains spaces or line breaks, so it cannot be one Bitbucket issued.',
    fix: 'Copy the client id again from the incoming Application Link in Bitbucket (Administration → Application links), on its own.',
  },
  OAUTH_CLIENT_SECRET_MALFORMED: {
    cause:
      'The client secret is empty, too long, contains spaces or line breaks, or equals the client id, so it cannot be the one Bitbucket issued.',
    fix: 'Copy the client secret again from the incoming Application Link in Bitbucket (Administration → Application links), on its own.',
  },
  OAUTH_AUTHORIZE_REJECTED: {
    cause:
      'Bitbucket refused the authorization request with its own error page: the client id is unknown or the redirect URI is not registered in the Application Link exactly.',
    fix: 'In Bitbucket (Administration > Application links) check the client id and add the exact redirect URI named in the message (`auth oauth <name> --print-redirect-uris`).',
    fixGui:
      'In Bitbucket (Administration > Application links) check the client id and add the exact redirect URIs the Sign in step lists.',
  },
  OAUTH_ACCESS_DENIED: {
    cause: 'The sign-in was declined on the Bitbucket consent page.',
    fix: 'Run the sign-in again and choose Allow on the Bitbucket page.',
  },
  OAUTH_SCOPE_REJECTED: {
    cause:
      'Bitbucket refused the requested scopes: they exceed the maximum scope of the Application Link.',
    fix: "Ask the Bitbucket admin to raise the Application Link's permission to the one the message names, or request less with --scopes (without REPO_ADMIN the webhooks are added by hand).",
    fixGui:
      "Ask the Bitbucket admin to raise the Application Link's permission to the one named above, or sign in without the webhook option (the webhooks are then added by hand).",
  },
  OAUTH_AUTHORIZATION_FAILED: {
    cause: 'Bitbucket sent the browser back with an OAuth error instead of an authorization code.',
    fix: 'Read the error from Bitbucket in the message, correct the Application Link if it names a setting, and sign in again.',
  },
  OAUTH_STATE_MISMATCH: {
    cause:
      'The callback did not carry the state of the sign-in in progress (a stale link, another sign-in, or a forged callback).',
    fix: 'Start the sign-in again and finish it in the browser window it opens; use only the newest link.',
  },
  OAUTH_CALLBACK_INVALID: {
    cause:
      'The callback URL is not the companion redirect URI, or it carries neither a code nor an error.',
    fix: 'Paste the complete address the browser was sent to after you chose Allow (it starts with the redirect URI).',
    fixCli:
      'Give the complete address the browser was sent to after you chose Allow (it starts with the redirect URI).',
  },
  OAUTH_CALLBACK_REPLAYED: {
    cause:
      'This authorization callback was already used: an authorization code can be redeemed only once.',
    fix: 'Start a new sign-in; Bitbucket revokes the tokens of a code presented twice.',
  },
  OAUTH_CALLBACK_TIMEOUT: {
    cause: 'The browser did not come back to the companion in time.',
    fix: 'If the browser shows a Bitbucket error page, register the redirect URI named in the message in the Application Link; otherwise sign in again and finish within the time limit.',
  },
  OAUTH_CALLBACK_PORT_IN_USE: {
    cause:
      'The fixed localhost port for the OAuth callback is taken by another program or sign-in.',
    fix: 'Finish or stop the other sign-in, or use another port with --port N (and register that redirect URI too).',
    fixGui:
      'Finish or cancel the other sign-in (in this app or on the command line), then sign in again.',
  },
  OAUTH_CODE_REJECTED: {
    cause:
      'Bitbucket refused the authorization code (invalid_grant): it was already redeemed, belongs to another client, the PKCE verifier did not match, or the redirect URI differs from the registered one.',
    fix: 'Sign in again; if it repeats, make sure the Application Link lists the exact redirect URI named in the message.',
  },
  OAUTH_CODE_EXPIRED: {
    cause:
      'Bitbucket no longer knows the authorization code: it expired before it was redeemed (codes live seconds).',
    fix: 'Sign in again and allow the browser to open the companion at once (tick "Always allow" on the prompt).',
    fixCli:
      'Run `auth oauth <name>` again and let the browser hand over at once (choose "Always allow" on its prompt).',
  },
  OAUTH_CLIENT_REJECTED: {
    cause:
      'Bitbucket refused the client credentials (invalid_client): the client id or client secret is wrong.',
    fix: 'Copy the client id and secret again from the Application Link in Bitbucket and pass the secret with --client-secret-stdin.',
    fixGui:
      'Copy the client id and secret again from the Application Link in Bitbucket and enter them in the sign-in form again.',
  },
  OAUTH_REFRESH_REJECTED: {
    cause:
      'Bitbucket refused the refresh token (invalid_grant): it was rotated already, revoked, or is older than its lifetime.',
    fix: 'Sign in again with `bdc-companion auth oauth <name>`.',
    fixGui: 'Sign in again: Installations → Sign in….',
  },
  OAUTH_TOKEN_ENDPOINT_FAILED: {
    cause:
      'The Bitbucket token endpoint answered with an unexpected error or a response that is not OAuth JSON.',
    fix: 'Check that the base URL points at Bitbucket itself (with any context path) and that Bitbucket is up, then sign in again.',
  },
  OAUTH_SERVER_UNREACHABLE: {
    cause: 'The Bitbucket OAuth endpoints could not be reached.',
    fix: 'Check the network path to Bitbucket with `bdc-companion probe <url>`, then sign in again.',
    fixGui:
      'Probe the instance in the Setup wizard to check the network path to Bitbucket, then sign in again.',
  },
  OAUTH_TOKEN_NOT_ACCEPTED: {
    cause:
      'Bitbucket issued a token but then served it as anonymous (no X-AUSERNAME on an authenticated request).',
    fix: 'Check that the Application Link is enabled and its user active, then sign in again.',
  },
  OAUTH_TOKENS_UNREADABLE: {
    cause:
      'The stored OAuth token set could not be read (damaged or written by an unknown version).',
    fix: 'Sign in again with `bdc-companion auth oauth <name>`; the stored value is replaced.',
    fixGui: 'Sign in again (Installations → Sign in…); the stored value is replaced.',
  },
} as const satisfies CatalogueSection;
