import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimUser } from './simulator-api.js';

/**
 * The seam between the simulator's router and the OAuth 2.0 provider (`sim/oauth/`), so each side
 * is built and tested on its own. The router hands the provider every request it may claim
 * (`/rest/oauth2/latest/…`, its login and consent pages) before answering 404, and asks it about
 * Bearer tokens that are not PATs.
 */
export interface OAuthClientRegistration {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: readonly string[];
  /** The link's permission (maximum scope ids, e.g. `['REPO_WRITE']`); every scope when omitted. */
  readonly scopes?: readonly string[];
  /** Shown on the consent page. */
  readonly name?: string;
}

export interface OAuthProviderOptions {
  readonly now: () => number;
  findUser(name: string): SimUser | undefined;
  readonly clients: readonly OAuthClientRegistration[];
}

export interface OAuthProvider {
  /** `path` is the request path after the context path. Returns true when it answered. */
  handle(request: IncomingMessage, response: ServerResponse, path: string): Promise<boolean>;
  authenticateBearer(token: string): { user: string; scopes: readonly string[] } | undefined;
  /** Registers another link without forgetting the tokens issued so far (when supported). */
  addClient?(client: OAuthClientRegistration): void;
}

export type OAuthProviderFactory = (options: OAuthProviderOptions) => OAuthProvider;
