import { randomBytes } from 'node:crypto';
import { fetch as undiciFetch, type Dispatcher } from 'undici';
import { CompanionError } from '../../../common/errors/companion-error.js';
import { serverText } from './oauth-errors.js';

/**
 * Checks the client id and secret with Bitbucket before the admin is sent to the browser.
 *
 * BDC's provider has no grant that authenticates a client without a user (no
 * client_credentials), and its token endpoint checks the grant before the client, so a made-up
 * code or refresh token says nothing about the secret. Its revoke endpoint does the opposite: it
 * is anonymous, authenticates the client first (wrong secret: `invalid_client`), and then answers
 * 200 for a token it does not know, revoking nothing. Asking it to revoke a random token is
 * therefore a harmless, user-less check of the secret (docs/oauth-provider-facts.md, facts 1-3).
 */
export function revokeEndpoint(baseUrl: string): string {
  return `${baseUrl}/rest/oauth2/latest/revoke`;
}

/** What BDC said about the client: accepted, or no answer about it (an older or other server). */
export type ClientCheck =
  { readonly kind: 'accepted' } | { readonly kind: 'not-checked'; readonly reason: string };

const MAX_BODY = 16 * 1024;
/** BDC's generator: client ids are 32 and secrets 64 lower-case hex characters. */
const BDC_CLIENT_ID = /^[0-9a-f]{32}$/;
const BDC_CLIENT_SECRET = /^[0-9a-f]{64}$/;

/**
 * Refuses what cannot be a client id or secret whatever the server: empty, spaces or control
 * characters inside (a paste that took two fields or a line break), absurd length, or the secret
 * equal to the id (pasted twice). Shapes other than BDC's usual ones are not refused here — the
 * server decides — but are named when it refuses them.
 */
export function assertCredentialShape(clientId: string, clientSecret: string): void {
  const problem = (value: string): string | undefined => {
    if (value === '') return 'is empty';
    if (value.length > 512) return `is ${value.length} characters long`;
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
    if (/[\s\u0000-\u001f\u007f]/.test(value)) return 'contains spaces or line breaks';
    return undefined;
  };
  const idProblem = problem(clientId);
  if (idProblem !== undefined) {
    throw new CompanionError(
      'OAUTH_CLIENT_ID_MALFORMED',
      `The client id ${idProblem}, so it cannot be the one Bitbucket issued.`,
    );
  }
  const secretProblem = problem(clientSecret);
  if (secretProblem !== undefined) {
    throw new CompanionError(
      'OAUTH_CLIENT_SECRET_MALFORMED',
      `The client secret ${secretProblem}, so it cannot be the one Bitbucket issued.`,
    );
  }
  if (clientSecret === clientId) {
    throw new CompanionError(
      'OAUTH_CLIENT_SECRET_MALFORMED',
      'The client secret is the same as the client id: the client id was entered twice.',
    );
  }
}

/** Words about a shape unlike BDC's, for the message when BDC refuses the credentials. */
export function shapeNote(clientId: string, clientSecret: string): string {
  const notes: string[] = [];
  if (!BDC_CLIENT_ID.test(clientId)) {
    notes.push(
      `the client id has ${clientId.length} characters where Bitbucket issues 32 hex digits`,
    );
  }
  if (!BDC_CLIENT_SECRET.test(clientSecret)) {
    notes.push(
      `the secret has ${clientSecret.length} characters where Bitbucket issues 64 hex digits`,
    );
  }
  return notes.length === 0 ? '' : ` Note: ${notes.join('; ')}.`;
}

export async function checkClientCredentials(options: {
  readonly baseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly dispatcher: Dispatcher;
}): Promise<ClientCheck> {
  const form = new URLSearchParams({
    // Random, so it can never name a real token: BDC then revokes nothing and answers 200.
    token: randomBytes(24).toString('hex'),
    token_type_hint: 'refresh_token',
    // BDC's revoke endpoint reads the client only from these form fields (no Basic header).
    client_id: options.clientId,
    client_secret: options.clientSecret,
  });
  let status: number;
  let text: string;
  try {
    const response = await undiciFetch(revokeEndpoint(options.baseUrl), {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
      },
      body: form.toString(),
      redirect: 'manual',
      dispatcher: options.dispatcher,
    });
    status = response.status;
    text = (await response.text()).slice(0, MAX_BODY);
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    const reason = cause instanceof Error ? cause.message : String(error);
    throw new CompanionError(
      'OAUTH_SERVER_UNREACHABLE',
      `The Bitbucket OAuth endpoint ${revokeEndpoint(options.baseUrl)} could not be reached: ${serverText(reason)}`,
      { cause: error },
    );
  }
  if (status >= 200 && status < 300) return { kind: 'accepted' };
  const error = oauthErrorOf(text);
  if (error === 'invalid_client') {
    throw new CompanionError(
      'OAUTH_CLIENT_REJECTED',
      `Bitbucket refused client id ${options.clientId} with this client secret (invalid_client), checked before opening the browser.${shapeNote(options.clientId, options.clientSecret)}`,
      { data: { clientId: options.clientId, checkedBeforeBrowser: true } },
    );
  }
  return {
    kind: 'not-checked',
    reason: `the revoke endpoint answered HTTP ${status}${error === undefined ? '' : ` (${serverText(error)})`}`,
  };
}

function oauthErrorOf(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: unknown };
    return typeof body.error === 'string' ? body.error : undefined;
  } catch {
    // Not BDC's JSON error (a proxy page, an older server): no statement about the client.
    return undefined;
  }
}
