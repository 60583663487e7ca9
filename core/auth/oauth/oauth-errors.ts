import * as oauth from 'oauth4webapi';
import { CompanionError, isCompanionError } from '../../../common/errors/companion-error.js';

/**
 * Turns what the token endpoint and the network say into the catalogued OAuth errors. Server
 * `error_description` text is shown (it helps admins and holds no secret), trimmed and stripped of
 * control characters; request bodies and tokens never reach a message.
 */

export function serverText(text: string | undefined, max = 200): string {
  if (text === undefined) return '';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

function described(error: string, description: string | undefined): string {
  const detail = serverText(description);
  return detail === '' ? error : `${error}: ${detail}`;
}

export type TokenGrant = 'authorization_code' | 'refresh_token';

export interface TokenErrorContext {
  readonly grant: TokenGrant;
  readonly redirectUri: string | undefined;
  readonly clientId: string;
}

export function tokenEndpointError(error: unknown, context: TokenErrorContext): CompanionError {
  if (isCompanionError(error)) return error;
  if (error instanceof oauth.ResponseBodyError) {
    return fromOAuthError(error.error, error.error_description, error.status, context, error);
  }
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    // A 401 with a challenge on the token endpoint is client authentication failing.
    return fromOAuthError('invalid_client', undefined, error.status, context, error);
  }
  if (error instanceof TypeError && !(error instanceof oauth.OperationProcessingError)) {
    // fetch failing: the cause may be the network factory's own catalogued refusal.
    const cause = (error as { cause?: unknown }).cause;
    if (isCompanionError(cause)) return cause;
    const reason = cause instanceof Error ? cause.message : error.message;
    return new CompanionError(
      'OAUTH_SERVER_UNREACHABLE',
      `The Bitbucket token endpoint could not be reached: ${serverText(reason)}`,
      { cause: error },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CompanionError(
    'OAUTH_TOKEN_ENDPOINT_FAILED',
    `The Bitbucket token endpoint gave an unusable answer: ${serverText(message)}`,
    { cause: error },
  );
}

function fromOAuthError(
  code: string,
  description: string | undefined,
  status: number,
  context: TokenErrorContext,
  cause: unknown,
): CompanionError {
  const data = { error: code, status };
  const what = described(code, description);
  if (code === 'invalid_client') {
    return new CompanionError(
      'OAUTH_CLIENT_REJECTED',
      `Bitbucket refused the client id ${context.clientId} or its client secret (${what}).`,
      { data, cause },
    );
  }
  if (context.grant === 'refresh_token' && code === 'invalid_grant') {
    return new CompanionError(
      'OAUTH_REFRESH_REJECTED',
      `Bitbucket refused the refresh token (${what}); the sign-in has ended.`,
      { data, cause },
    );
  }
  if (context.grant === 'authorization_code' && code === 'invalid_grant') {
    const uri = context.redirectUri ?? '';
    return new CompanionError(
      'OAUTH_CODE_REJECTED',
      `Bitbucket refused the authorization code (${what}).`,
      {
        data: { ...data, redirectUri: uri },
        hint: `Sign in again. If it repeats, the Application Link for client id ${context.clientId} must list exactly this redirect URI: ${uri}`,
        cause,
      },
    );
  }
  if (
    context.grant === 'authorization_code' &&
    code === 'invalid_request' &&
    /code/i.test(description ?? '')
  ) {
    return new CompanionError(
      'OAUTH_CODE_EXPIRED',
      `Bitbucket no longer knows the authorization code (${what}).`,
      { data, cause },
    );
  }
  return new CompanionError(
    'OAUTH_TOKEN_ENDPOINT_FAILED',
    `The Bitbucket token endpoint answered ${status} (${what}).`,
    { data, cause },
  );
}
