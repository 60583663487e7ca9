import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { sendJson } from './oauth-http.js';
import { OAUTH_SCOPES } from './oauth-rules.js';

export const OAUTH_PATH_PREFIX = '/rest/oauth2/latest/';

/** `GET .well-known/oauth-authorization-server`: RFC 8414 metadata, addresses as the client saw them. */
export function sendMetadata(
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
): void {
  const url = new URL(request.url ?? '/', 'http://placeholder');
  const prefix = url.pathname.endsWith(path)
    ? url.pathname.slice(0, url.pathname.length - path.length)
    : '';
  const scheme = (request.socket as Partial<TLSSocket>).encrypted === true ? 'https' : 'http';
  const base = `${scheme}://${request.headers.host ?? 'localhost'}${prefix}`;
  const root = `${base}${OAUTH_PATH_PREFIX}`;
  sendJson(response, 200, {
    issuer: base,
    authorization_endpoint: `${root}authorize`,
    token_endpoint: `${root}token`,
    revocation_endpoint: `${root}revoke`,
    scopes_supported: OAUTH_SCOPES,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
    code_challenge_methods_supported: ['plain', 'S256'],
  });
}
