import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimUser } from '../simulator-api.js';
import { OAuthAuthorization, showError } from './oauth-authorize.js';
import { OAuthClients, type OAuthClientRegistration } from './oauth-clients.js';
import { OAuthFailure, readForm, sendJson, sendOAuthError } from './oauth-http.js';
import { OAUTH_PATH_PREFIX, sendMetadata } from './oauth-metadata.js';
import { OAuthTokens, type BearerIdentity } from './oauth-tokens.js';

/**
 * BDC's OAuth 2.0 provider for incoming Application Links (docs/bdc-api-facts.md §3), as the simulator
 * serves it under `{context}/rest/oauth2/latest/`:
 *
 * - `GET  authorize`  validates the request, then shows the login + consent page (no redirect and
 *   BDC's own error page when the client or redirect URI is wrong);
 * - `POST authorize`  is that page's form: log in (password = the user name) and Allow or Deny;
 * - `POST token`      authorization_code and refresh_token grants, client secret always required;
 * - `POST revoke`     token revocation;
 * - `GET  .well-known/oauth-authorization-server`  RFC 8414 metadata.
 *
 * The parts: clients (oauth-clients.ts), codes and tokens (oauth-tokens.ts), the authorization
 * endpoint (oauth-authorize.ts), metadata (oauth-metadata.ts), the wire (oauth-http.ts). Every
 * lifetime reads the injected clock, so tests move time instead of waiting.
 */
export { OAUTH_PATH_PREFIX };
export type { BearerIdentity, OAuthClientRegistration };

export interface OAuthProviderOptions {
  readonly now: () => number;
  findUser(name: string): SimUser | undefined;
  readonly clients: readonly OAuthClientRegistration[];
  /** Default 60 s (the provider's decompiled default; the docs say 10 s). */
  readonly codeLifetimeSeconds?: number;
  /** Default 3600 s. */
  readonly accessTokenLifetimeSeconds?: number;
  /** Default 90 days, counted from the refresh token's creation. */
  readonly refreshTokenLifetimeSeconds?: number;
}

export interface OAuthProvider {
  /** Serves `path` (after the context path) when it is the provider's; false otherwise. */
  handle(request: IncomingMessage, response: ServerResponse, path: string): Promise<boolean>;
  /** The user and scopes of a live access token; undefined when unknown, expired or revoked. */
  authenticateBearer(token: string): BearerIdentity | undefined;
  /** Registers another link; the tokens already issued stay valid, as in BDC. */
  addClient(client: OAuthClientRegistration): void;
}

export function createOAuthProvider(options: OAuthProviderOptions): OAuthProvider {
  const clients = new OAuthClients(options.clients);
  const tokens = new OAuthTokens(
    clients,
    {
      codeMs: (options.codeLifetimeSeconds ?? 60) * 1000,
      accessSeconds: options.accessTokenLifetimeSeconds ?? 3600,
      refreshMs: (options.refreshTokenLifetimeSeconds ?? 90 * 24 * 3600) * 1000,
    },
    options.now,
  );
  const authorization = new OAuthAuthorization(clients, tokens, options.findUser, options.now);

  async function token(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      if (request.method !== 'POST') {
        throw new OAuthFailure('invalid_request', 'The token endpoint accepts POST only', 405);
      }
      const form = await readForm(request);
      const grantType = form.get('grant_type');
      if (grantType === null || grantType === '') {
        throw new OAuthFailure('invalid_request', 'Missing required parameter: grant_type', 400);
      }
      let body: Record<string, unknown>;
      if (grantType === 'authorization_code') body = tokens.codeGrant(request, form);
      else if (grantType === 'refresh_token') body = tokens.refreshGrant(request, form);
      else throw new OAuthFailure('unsupported_grant_type', `Unsupported: ${grantType}`, 400);
      sendJson(response, 200, body);
    } catch (error) {
      sendOAuthError(request, response, error);
    }
  }

  async function revoke(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      if (request.method !== 'POST') {
        throw new OAuthFailure('invalid_request', 'The revoke endpoint accepts POST only', 405);
      }
      tokens.revoke(await readForm(request));
      response.writeHead(200, { 'Cache-Control': 'no-store, no-cache' }).end();
    } catch (error) {
      sendOAuthError(request, response, error);
    }
  }

  return {
    async handle(request, response, path) {
      if (!path.startsWith(OAUTH_PATH_PREFIX)) return false;
      const endpoint = path.slice(OAUTH_PATH_PREFIX.length);
      const query = new URL(request.url ?? '/', 'http://placeholder').searchParams;
      try {
        if (endpoint === 'authorize' && request.method === 'GET') {
          authorization.get(request, response, query);
        } else if (endpoint === 'authorize' && request.method === 'POST') {
          await authorization.post(request, response);
        } else if (endpoint === 'token') {
          await token(request, response);
        } else if (endpoint === 'revoke') {
          await revoke(request, response);
        } else if (endpoint === '.well-known/oauth-authorization-server') {
          sendMetadata(request, response, path);
        } else {
          return false;
        }
      } catch (error) {
        if (error instanceof OAuthFailure) showError(response, error.error, error.description);
        else throw error;
      }
      return true;
    },
    authenticateBearer: (value) => tokens.authenticateBearer(value),
    addClient: (client) => clients.add(client),
  };
}
