import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { SimUser } from '../simulator-api.js';
import { consentPage, errorPage } from './oauth-pages.js';
import {
  OAUTH_SCOPES,
  isPkceValue,
  parsePkceMethod,
  parseScopes,
  pkceMatches,
  redirectUriProblem,
  type OAuthScope,
  type PkceMethod,
} from './oauth-rules.js';

/**
 * BDC's OAuth 2.0 provider for incoming Application Links (bdc-facts.md §3), as the simulator
 * serves it under `{context}/rest/oauth2/latest/`:
 *
 * - `GET  authorize`  validates the request, then shows the login + consent page (no redirect and
 *   BDC's own error page when the client or redirect URI is wrong);
 * - `POST authorize`  is that page's form: log in (password = the user name) and Allow or Deny;
 * - `POST token`      authorization_code and refresh_token grants, client secret always required;
 * - `POST revoke`     token revocation;
 * - `GET  .well-known/oauth-authorization-server`  RFC 8414 metadata.
 *
 * Every lifetime reads the injected clock, so tests move time instead of waiting.
 */

export const OAUTH_PATH_PREFIX = '/rest/oauth2/latest/';

export interface OAuthClientRegistration {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Exact strings; BDC matches by string equality (no loopback any-port rule). */
  readonly redirectUris: readonly string[];
  /** The link's maximum scope; every scope when omitted. */
  readonly scopes?: readonly OAuthScope[];
  /** Shown on the consent page. */
  readonly name?: string;
}

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

export interface BearerIdentity {
  readonly user: string;
  readonly scopes: readonly OAuthScope[];
}

export interface OAuthProvider {
  /** Serves `path` (after the context path) when it is the provider's; false otherwise. */
  handle(request: IncomingMessage, response: ServerResponse, path: string): Promise<boolean>;
  /** The user and scopes of a live access token; undefined when unknown, expired or revoked. */
  authenticateBearer(token: string): BearerIdentity | undefined;
}

interface PendingRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scopes: readonly OAuthScope[];
  readonly state: string | undefined;
  readonly challenge: string | undefined;
  readonly method: PkceMethod;
  readonly createdAt: number;
}

interface IssuedCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly user: string;
  readonly scopes: readonly OAuthScope[];
  readonly challenge: string | undefined;
  readonly method: PkceMethod;
  readonly issuedAt: number;
  redeemed: boolean;
  /** Every token issued from this code (through any number of refreshes) shares this id. */
  readonly familyId: string;
}

interface IssuedToken {
  readonly kind: 'access' | 'refresh';
  readonly clientId: string;
  readonly user: string;
  readonly scopes: readonly OAuthScope[];
  readonly expiresAt: number;
  readonly familyId: string;
  /** The other half of the pair issued together (rotation deletes both). */
  readonly partner: string;
}

/** Bodies of form posts are small; anything larger is refused rather than buffered. */
const MAX_FORM_BYTES = 64 * 1024;
const PENDING_REQUEST_LIFETIME_MS = 10 * 60 * 1000;
const SESSION_COOKIE = 'BITBUCKETSESSIONID';

class OAuthFailure extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status: number,
  ) {
    super(description);
  }
}

export function createOAuthProvider(options: OAuthProviderOptions): OAuthProvider {
  const codeLifetimeMs = (options.codeLifetimeSeconds ?? 60) * 1000;
  const accessLifetimeSeconds = options.accessTokenLifetimeSeconds ?? 3600;
  const refreshLifetimeMs = (options.refreshTokenLifetimeSeconds ?? 90 * 24 * 3600) * 1000;
  const signingKey = randomBytes(32);

  const clients = new Map<string, OAuthClientRegistration>();
  for (const client of options.clients) {
    for (const uri of client.redirectUris) {
      const problem = redirectUriProblem(uri);
      // BDC refuses such a URI when the admin registers it, so the simulator does too.
      if (problem !== undefined) throw new Error(`${client.clientId}: ${uri}: ${problem}`);
    }
    clients.set(client.clientId, client);
  }

  const pending = new Map<string, PendingRequest>();
  const sessions = new Map<string, string>();
  const codes = new Map<string, IssuedCode>();
  const tokens = new Map<string, IssuedToken>();

  const randomId = (bytes = 24): string => randomBytes(bytes).toString('base64url');

  /** Tokens are JWT-wrapped ids on BDC; clients must treat them as opaque. */
  function mintToken(kind: 'access' | 'refresh', issuedAt: number): string {
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const claims = { id: randomId(18), typ: kind, iat: Math.floor(issuedAt / 1000) };
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const signature = createHmac('sha256', signingKey)
      .update(`${header}.${payload}`)
      .digest('base64url');
    return `${header}.${payload}.${signature}`;
  }

  function issuePair(
    clientId: string,
    user: string,
    scopes: readonly OAuthScope[],
    familyId: string,
  ): Record<string, unknown> {
    const now = options.now();
    const access = mintToken('access', now);
    const refresh = mintToken('refresh', now);
    const base = { clientId, user, scopes, familyId };
    tokens.set(access, {
      ...base,
      kind: 'access',
      expiresAt: now + accessLifetimeSeconds * 1000,
      partner: refresh,
    });
    tokens.set(refresh, {
      ...base,
      kind: 'refresh',
      expiresAt: now + refreshLifetimeMs,
      partner: access,
    });
    return {
      access_token: access,
      token_type: 'bearer',
      expires_in: accessLifetimeSeconds,
      refresh_token: refresh,
      scope: scopes.join(' '),
    };
  }

  function revokeFamily(familyId: string): void {
    for (const [token, issued] of tokens) if (issued.familyId === familyId) tokens.delete(token);
  }

  function lookupCode(code: string): IssuedCode | undefined {
    const issued = codes.get(code);
    if (issued === undefined) return undefined;
    // Expired codes are purged by BDC, after which they are simply unknown.
    if (options.now() > issued.issuedAt + codeLifetimeMs) {
      codes.delete(code);
      return undefined;
    }
    return issued;
  }

  function authenticateClient(
    request: IncomingMessage,
    form: URLSearchParams,
  ): OAuthClientRegistration {
    let clientId = form.get('client_id') ?? undefined;
    let secret = form.get('client_secret') ?? undefined;
    const basic = parseBasic(request.headers.authorization);
    if (basic !== undefined) {
      clientId = basic.id;
      secret = basic.secret;
    }
    if (clientId === undefined || clientId === '') {
      throw new OAuthFailure('invalid_request', 'Missing required parameter: client_id', 400);
    }
    const client = clients.get(clientId);
    // The provider validates the secret even with PKCE (validate.client.secret defaults to true).
    if (client === undefined || secret === undefined || !sameSecret(secret, client.clientSecret)) {
      throw new OAuthFailure('invalid_client', 'Client authentication failed', 401);
    }
    return client;
  }

  function codeGrant(request: IncomingMessage, form: URLSearchParams): Record<string, unknown> {
    requireParams(form, ['code', 'redirect_uri']);
    const client = authenticateClient(request, form);
    const code = form.get('code') ?? '';
    const issued = lookupCode(code);
    if (issued === undefined) {
      throw new OAuthFailure('invalid_request', 'Authorization code invalid', 400);
    }
    if (issued.clientId !== client.clientId) {
      throw new OAuthFailure('invalid_grant', 'Authorization code issued to another client', 400);
    }
    if (issued.redeemed) {
      // A replayed code means it leaked: everything issued from it is revoked (RFC 6749 §4.1.2).
      revokeFamily(issued.familyId);
      throw new OAuthFailure('invalid_grant', 'Authorization code already redeemed', 400);
    }
    if (form.get('redirect_uri') !== issued.redirectUri) {
      throw new OAuthFailure(
        'invalid_grant',
        'redirect_uri does not match the one of the authorization request',
        400,
      );
    }
    if (issued.challenge !== undefined) {
      const verifier = form.get('code_verifier');
      if (verifier === null || !pkceMatches(verifier, issued.challenge, issued.method)) {
        throw new OAuthFailure('invalid_grant', 'PKCE verification failed', 400);
      }
    }
    issued.redeemed = true;
    return issuePair(client.clientId, issued.user, issued.scopes, issued.familyId);
  }

  function refreshGrant(request: IncomingMessage, form: URLSearchParams): Record<string, unknown> {
    requireParams(form, ['refresh_token']);
    const client = authenticateClient(request, form);
    const refresh = form.get('refresh_token') ?? '';
    const issued = tokens.get(refresh);
    if (
      issued === undefined ||
      issued.kind !== 'refresh' ||
      issued.clientId !== client.clientId ||
      options.now() >= issued.expiresAt
    ) {
      throw new OAuthFailure('invalid_grant', 'Refresh token invalid', 400);
    }
    // Rotation: the old refresh token and its access token are deleted, a new pair issued.
    tokens.delete(refresh);
    tokens.delete(issued.partner);
    return issuePair(client.clientId, issued.user, issued.scopes, issued.familyId);
  }

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
      if (grantType === 'authorization_code') body = codeGrant(request, form);
      else if (grantType === 'refresh_token') body = refreshGrant(request, form);
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
      const form = await readForm(request);
      requireParams(form, ['token']);
      const client = authenticateClient(request, form);
      const value = form.get('token') ?? '';
      const issued = tokens.get(value);
      if (issued !== undefined && issued.clientId === client.clientId) {
        tokens.delete(value);
        tokens.delete(issued.partner);
      }
      response.writeHead(200, { 'Cache-Control': 'no-store, no-cache' }).end();
    } catch (error) {
      sendOAuthError(request, response, error);
    }
  }

  function showError(response: ServerResponse, error: string, description: string): void {
    sendHtml(response, 400, errorPage(error, description));
  }

  function authorizeGet(
    request: IncomingMessage,
    response: ServerResponse,
    query: URLSearchParams,
  ) {
    for (const name of ['client_id', 'redirect_uri', 'response_type', 'scope']) {
      if (!query.get(name)) {
        showError(response, 'invalid_request', `Missing required parameter: ${name}`);
        return;
      }
    }
    const clientId = query.get('client_id') ?? '';
    const redirectUri = query.get('redirect_uri') ?? '';
    const client = clients.get(clientId);
    if (client === undefined) {
      showError(response, 'invalid_request', `No application link has the client id ${clientId}`);
      return;
    }
    if (!client.redirectUris.includes(redirectUri) || redirectUriProblem(redirectUri)) {
      showError(
        response,
        'invalid_request',
        `The redirect URI ${redirectUri} is not registered for this application link`,
      );
      return;
    }
    // From here on the redirect URI is trusted, so errors go back to the client.
    const state = query.get('state') ?? undefined;
    const back = (error: string, description: string): void =>
      redirect(response, redirectUri, { error, error_description: description, state });
    if (query.get('response_type') !== 'code') {
      back('unsupported_response_type', 'Only response_type=code is supported');
      return;
    }
    const scopes = parseScopes(query.get('scope') ?? '', client.scopes ?? OAUTH_SCOPES);
    if (!scopes.ok) {
      back('invalid_scope', scopes.description);
      return;
    }
    const challenge = query.get('code_challenge') ?? undefined;
    const method = parsePkceMethod(query.get('code_challenge_method') ?? undefined);
    if (method === undefined) {
      back('invalid_request', 'code_challenge_method must be S256 or plain');
      return;
    }
    if (challenge !== undefined && !isPkceValue(challenge)) {
      back('invalid_request', 'code_challenge is malformed');
      return;
    }
    const requestId = randomId();
    pending.set(requestId, {
      clientId,
      redirectUri,
      scopes: scopes.scopes,
      state,
      challenge,
      method,
      createdAt: options.now(),
    });
    const signedInAs = sessionUser(request);
    sendHtml(
      response,
      200,
      consentPage({
        requestId,
        clientName: client.name ?? client.clientId,
        scopes: scopes.scopes,
        signedInAs,
        loginError: undefined,
      }),
    );
  }

  async function authorizePost(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const form = await readForm(request);
    const requestId = form.get('request_id') ?? '';
    const waiting = pending.get(requestId);
    if (waiting === undefined || options.now() > waiting.createdAt + PENDING_REQUEST_LIFETIME_MS) {
      pending.delete(requestId);
      showError(response, 'invalid_request', 'The authorization request expired; start again');
      return;
    }
    if (form.get('decision') !== 'allow') {
      pending.delete(requestId);
      redirect(response, waiting.redirectUri, {
        error: 'access_denied',
        error_description: 'The user denied the request',
        state: waiting.state,
      });
      return;
    }
    let user = sessionUser(request);
    if (user === undefined) {
      const name = form.get('username') ?? '';
      const known = options.findUser(name);
      // The simulator's users log in with their user name as password (documented in the README).
      if (known === undefined || form.get('password') !== known.name) {
        const client = clients.get(waiting.clientId);
        sendHtml(
          response,
          200,
          consentPage({
            requestId,
            clientName: client?.name ?? waiting.clientId,
            scopes: waiting.scopes,
            signedInAs: undefined,
            loginError: 'Incorrect username or password.',
          }),
        );
        return;
      }
      user = known.name;
      const session = randomId();
      sessions.set(session, user);
      response.setHeader(
        'Set-Cookie',
        `${SESSION_COOKIE}=${session}; Path=/; HttpOnly; SameSite=Lax`,
      );
    }
    pending.delete(requestId);
    const code = randomId();
    codes.set(code, {
      clientId: waiting.clientId,
      redirectUri: waiting.redirectUri,
      user,
      scopes: waiting.scopes,
      challenge: waiting.challenge,
      method: waiting.method,
      issuedAt: options.now(),
      redeemed: false,
      familyId: randomId(12),
    });
    redirect(response, waiting.redirectUri, { code, state: waiting.state });
  }

  function sessionUser(request: IncomingMessage): string | undefined {
    const cookies = request.headers.cookie ?? '';
    for (const part of cookies.split(';')) {
      const [name, value] = part.trim().split('=');
      if (name === SESSION_COOKIE && value !== undefined) {
        const user = sessions.get(value);
        if (user !== undefined) return user;
      }
    }
    return undefined;
  }

  function metadata(request: IncomingMessage, response: ServerResponse, path: string): void {
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

  return {
    async handle(request, response, path) {
      if (!path.startsWith(OAUTH_PATH_PREFIX)) return false;
      const endpoint = path.slice(OAUTH_PATH_PREFIX.length);
      const query = new URL(request.url ?? '/', 'http://placeholder').searchParams;
      try {
        if (endpoint === 'authorize' && request.method === 'GET') {
          authorizeGet(request, response, query);
        } else if (endpoint === 'authorize' && request.method === 'POST') {
          await authorizePost(request, response);
        } else if (endpoint === 'token') {
          await token(request, response);
        } else if (endpoint === 'revoke') {
          await revoke(request, response);
        } else if (endpoint === '.well-known/oauth-authorization-server') {
          metadata(request, response, path);
        } else {
          return false;
        }
      } catch (error) {
        if (error instanceof OAuthFailure) showError(response, error.error, error.description);
        else throw error;
      }
      return true;
    },
    authenticateBearer(value) {
      const issued = tokens.get(value);
      if (issued === undefined || issued.kind !== 'access') return undefined;
      if (options.now() >= issued.expiresAt) return undefined;
      return { user: issued.user, scopes: issued.scopes };
    },
  };
}

function requireParams(form: URLSearchParams, names: readonly string[]): void {
  for (const name of names) {
    if (!form.get(name)) {
      throw new OAuthFailure('invalid_request', `Missing required parameter: ${name}`, 400);
    }
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** RFC 6749 §2.3.1: the id and secret are form-encoded before they are joined with `:`. */
function parseBasic(header: string | undefined): { id: string; secret: string } | undefined {
  if (header === undefined || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const unform = (text: string): string => decodeURIComponent(text.replaceAll('+', ' '));
  try {
    return { id: unform(decoded.slice(0, colon)), secret: unform(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const type = request.headers['content-type'] ?? '';
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    throw new OAuthFailure(
      'invalid_request',
      'The body must be application/x-www-form-urlencoded',
      400,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_FORM_BYTES) throw new OAuthFailure('invalid_request', 'Body too large', 413);
    chunks.push(buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function redirect(
  response: ServerResponse,
  target: string,
  params: Readonly<Record<string, string | undefined>>,
): void {
  const url = new URL(target);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.set(name, value);
  }
  response.writeHead(302, { Location: url.toString(), 'Cache-Control': 'no-store' }).end();
}

function sendHtml(response: ServerResponse, status: number, html: string): void {
  response
    .writeHead(status, {
      'Content-Type': 'text/html;charset=UTF-8',
      'Cache-Control': 'no-store',
      'X-Frame-Options': 'DENY',
    })
    .end(html);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response
    .writeHead(status, {
      'Content-Type': 'application/json;charset=UTF-8',
      'Cache-Control': 'no-store, no-cache',
      Pragma: 'no-cache',
    })
    .end(JSON.stringify(body));
}

function sendOAuthError(request: IncomingMessage, response: ServerResponse, error: unknown): void {
  if (!(error instanceof OAuthFailure)) throw error;
  if (error.status === 401 && /^basic /i.test(request.headers.authorization ?? '')) {
    response.setHeader('WWW-Authenticate', 'Basic realm="OAuth2"');
  }
  sendJson(response, error.status, { error: error.error, error_description: error.description });
}
