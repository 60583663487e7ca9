import type { IncomingMessage } from 'node:http';
import { OAuthFailure, parseBasic, requireParams, sameSecret } from './oauth-http.js';
import { isOAuthScope, redirectUriProblem } from './oauth-rules.js';

export interface OAuthClientRegistration {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Exact strings; BDC matches by string equality (no loopback any-port rule). */
  readonly redirectUris: readonly string[];
  /**
   * The link's permission (its maximum scope, each including the scopes below it); every scope
   * when omitted.
   */
  readonly scopes?: readonly string[];
  /** Shown on the consent page. */
  readonly name?: string;
}

/** The incoming Application Links the provider knows, by client id. */
export class OAuthClients {
  private readonly clients = new Map<string, OAuthClientRegistration>();

  constructor(registrations: readonly OAuthClientRegistration[]) {
    for (const client of registrations) this.add(client);
  }

  /** Registers a link as an admin would, refusing what BDC's form refuses. */
  add(client: OAuthClientRegistration): void {
    for (const uri of client.redirectUris) {
      const problem = redirectUriProblem(uri);
      // BDC refuses such a URI when the admin registers it, so the simulator does too.
      if (problem !== undefined) throw new Error(`${client.clientId}: ${uri}: ${problem}`);
    }
    // BDC's link form offers only the scopes it knows.
    const unknown = client.scopes?.find((scope) => !isOAuthScope(scope));
    if (unknown !== undefined) throw new Error(`${client.clientId}: unknown scope ${unknown}`);
    this.clients.set(client.clientId, client);
  }

  get(clientId: string): OAuthClientRegistration | undefined {
    return this.clients.get(clientId);
  }

  /**
   * Who a token request says it is (Basic header first, else the form's fields), not yet checked:
   * BDC validates the grant before it authenticates the client (`GrantValidator.validate`).
   */
  identify(request: IncomingMessage, form: URLSearchParams): { clientId: string; secret?: string } {
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
    return { clientId, ...(secret === undefined ? {} : { secret }) };
  }

  /** The client of a token request, authenticated (after its grant was validated). */
  authenticate(request: IncomingMessage, form: URLSearchParams): OAuthClientRegistration {
    const { clientId, secret } = this.identify(request, form);
    return this.verify(clientId, secret);
  }

  /**
   * The client of a revoke request: BDC reads it from the form fields only, checks it before
   * anything else (`RevokeTokenValidator`), blank fields being `invalid_request`.
   */
  authenticateForm(form: URLSearchParams): OAuthClientRegistration {
    requireParams(form, ['client_id', 'client_secret']);
    return this.verify(form.get('client_id') ?? '', form.get('client_secret') ?? undefined);
  }

  private verify(clientId: string, secret: string | undefined): OAuthClientRegistration {
    const client = this.clients.get(clientId);
    // The provider validates the secret even with PKCE (validate.client.secret defaults to true).
    if (client === undefined || secret === undefined || !sameSecret(secret, client.clientSecret)) {
      throw new OAuthFailure('invalid_client', 'Client authentication failed', 401);
    }
    return client;
  }
}
