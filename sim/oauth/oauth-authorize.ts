import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimUser } from '../simulator-api.js';
import type { OAuthClients } from './oauth-clients.js';
import { readForm, redirect, sendHtml } from './oauth-http.js';
import { consentPage, errorPage } from './oauth-pages.js';
import {
  OAUTH_SCOPES,
  isPkceValue,
  parsePkceMethod,
  parseScopes,
  scopesWithin,
  redirectUriProblem,
  type OAuthScope,
  type PkceMethod,
} from './oauth-rules.js';
import { randomId, type OAuthTokens } from './oauth-tokens.js';

/**
 * The authorization endpoint: `GET authorize` validates the request and shows the login +
 * consent page (BDC's own error page, no redirect, when the client or redirect URI is wrong);
 * `POST authorize` is that page's form (log in with password = user name, Allow or Deny), which
 * ends in a redirect with a code or an error.
 */
interface PendingRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scopes: readonly OAuthScope[];
  readonly state: string | undefined;
  readonly challenge: string | undefined;
  readonly method: PkceMethod;
  readonly createdAt: number;
}

const PENDING_REQUEST_LIFETIME_MS = 10 * 60 * 1000;
const SESSION_COOKIE = 'BITBUCKETSESSIONID';

export function showError(response: ServerResponse, error: string, description: string): void {
  sendHtml(response, 400, errorPage(error, description));
}

export class OAuthAuthorization {
  private readonly pending = new Map<string, PendingRequest>();
  private readonly sessions = new Map<string, string>();

  constructor(
    private readonly clients: OAuthClients,
    private readonly tokens: OAuthTokens,
    private readonly findUser: (name: string) => SimUser | undefined,
    private readonly now: () => number,
  ) {}

  get(request: IncomingMessage, response: ServerResponse, query: URLSearchParams): void {
    for (const name of ['client_id', 'redirect_uri', 'response_type', 'scope']) {
      if (!query.get(name)) {
        showError(response, 'invalid_request', `Missing required parameter: ${name}`);
        return;
      }
    }
    const clientId = query.get('client_id') ?? '';
    const redirectUri = query.get('redirect_uri') ?? '';
    const client = this.clients.get(clientId);
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
    // The link's permission is a maximum that includes every scope below it (docs/bdc-api-facts.md §3.6).
    const scopes = parseScopes(
      query.get('scope') ?? '',
      scopesWithin(client.scopes ?? OAUTH_SCOPES),
    );
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
    this.pending.set(requestId, {
      clientId,
      redirectUri,
      scopes: scopes.scopes,
      state,
      challenge,
      method,
      createdAt: this.now(),
    });
    sendHtml(
      response,
      200,
      consentPage({
        requestId,
        clientName: client.name ?? client.clientId,
        scopes: scopes.scopes,
        signedInAs: this.sessionUser(request),
        loginError: undefined,
      }),
    );
  }

  async post(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const form = await readForm(request);
    const requestId = form.get('request_id') ?? '';
    const waiting = this.pending.get(requestId);
    if (waiting === undefined || this.now() > waiting.createdAt + PENDING_REQUEST_LIFETIME_MS) {
      this.pending.delete(requestId);
      showError(response, 'invalid_request', 'The authorization request expired; start again');
      return;
    }
    if (form.get('decision') !== 'allow') {
      this.pending.delete(requestId);
      redirect(response, waiting.redirectUri, {
        error: 'access_denied',
        error_description: 'The user denied the request',
        state: waiting.state,
      });
      return;
    }
    let user = this.sessionUser(request);
    if (user === undefined) {
      const name = form.get('username') ?? '';
      const known = this.findUser(name);
      // The simulator's users log in with their user name as password (documented in the README).
      if (known === undefined || form.get('password') !== known.name) {
        const client = this.clients.get(waiting.clientId);
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
      this.sessions.set(session, user);
      response.setHeader(
        'Set-Cookie',
        `${SESSION_COOKIE}=${session}; Path=/; HttpOnly; SameSite=Lax`,
      );
    }
    this.pending.delete(requestId);
    const code = this.tokens.issueCode({
      clientId: waiting.clientId,
      redirectUri: waiting.redirectUri,
      user,
      scopes: waiting.scopes,
      challenge: waiting.challenge,
      method: waiting.method,
    });
    redirect(response, waiting.redirectUri, { code, state: waiting.state });
  }

  private sessionUser(request: IncomingMessage): string | undefined {
    const cookies = request.headers.cookie ?? '';
    for (const part of cookies.split(';')) {
      const [name, value] = part.trim().split('=');
      if (name === SESSION_COOKIE && value !== undefined) {
        const user = this.sessions.get(value);
        if (user !== undefined) return user;
      }
    }
    return undefined;
  }
}
