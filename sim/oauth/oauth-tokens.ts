import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { OAuthClients } from './oauth-clients.js';
import { OAuthFailure, requireParams } from './oauth-http.js';
import { pkceMatches, type OAuthScope, type PkceMethod } from './oauth-rules.js';

/**
 * Authorization codes and tokens: issuing, the two grants, rotation, revocation and Bearer
 * lookup. Every lifetime reads the injected clock.
 */
export interface TokenLifetimes {
  readonly codeMs: number;
  readonly accessSeconds: number;
  readonly refreshMs: number;
}

export interface BearerIdentity {
  readonly user: string;
  readonly scopes: readonly OAuthScope[];
}

/** What an approved authorization request turns into a code. */
export interface CodeRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly user: string;
  readonly scopes: readonly OAuthScope[];
  readonly challenge: string | undefined;
  readonly method: PkceMethod;
}

interface IssuedCode extends CodeRequest {
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

export function randomId(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

export class OAuthTokens {
  private readonly signingKey = randomBytes(32);
  private readonly codes = new Map<string, IssuedCode>();
  private readonly tokens = new Map<string, IssuedToken>();

  constructor(
    private readonly clients: OAuthClients,
    private readonly lifetimes: TokenLifetimes,
    private readonly now: () => number,
  ) {}

  issueCode(request: CodeRequest): string {
    const code = randomId();
    this.codes.set(code, {
      ...request,
      issuedAt: this.now(),
      redeemed: false,
      familyId: randomId(12),
    });
    return code;
  }

  codeGrant(request: IncomingMessage, form: URLSearchParams): Record<string, unknown> {
    // BDC's order (docs/oauth-provider-facts.md, fact 2): the grant's checks, then the client's secret.
    requireParams(form, ['code', 'redirect_uri']);
    const claimed = this.clients.identify(request, form);
    const issued = this.lookupCode(form.get('code') ?? '');
    if (issued === undefined) {
      throw new OAuthFailure('invalid_request', 'Authorization code invalid', 400);
    }
    if (issued.clientId !== claimed.clientId) {
      throw new OAuthFailure('invalid_grant', 'Authorization code issued to another client', 400);
    }
    if (issued.redeemed) {
      // A replayed code means it leaked: everything issued from it is revoked (RFC 6749 §4.1.2).
      this.revokeFamily(issued.familyId);
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
    const client = this.clients.authenticate(request, form);
    issued.redeemed = true;
    return this.issuePair(client.clientId, issued.user, issued.scopes, issued.familyId);
  }

  refreshGrant(request: IncomingMessage, form: URLSearchParams): Record<string, unknown> {
    requireParams(form, ['refresh_token']);
    const claimed = this.clients.identify(request, form);
    const refresh = form.get('refresh_token') ?? '';
    const issued = this.tokens.get(refresh);
    if (
      issued === undefined ||
      issued.kind !== 'refresh' ||
      issued.clientId !== claimed.clientId ||
      this.now() >= issued.expiresAt
    ) {
      throw new OAuthFailure('invalid_grant', 'Refresh token invalid', 400);
    }
    // Only a valid grant gets this far: BDC authenticates the client after the grant's checks.
    const client = this.clients.authenticate(request, form);
    // Rotation: the old refresh token and its access token are deleted, a new pair issued.
    this.tokens.delete(refresh);
    this.tokens.delete(issued.partner);
    return this.issuePair(client.clientId, issued.user, issued.scopes, issued.familyId);
  }

  /**
   * Revokes a token of the requesting client together with its partner. Like BDC's
   * RevokeTokenValidator: the client (form fields only) is checked first, then the token; a token
   * it does not know is answered 200 and nothing is revoked.
   */
  revoke(form: URLSearchParams): void {
    const client = this.clients.authenticateForm(form);
    requireParams(form, ['token']);
    const value = form.get('token') ?? '';
    const issued = this.tokens.get(value);
    if (issued !== undefined && issued.clientId === client.clientId) {
      this.tokens.delete(value);
      this.tokens.delete(issued.partner);
    }
  }

  authenticateBearer(value: string): BearerIdentity | undefined {
    const issued = this.tokens.get(value);
    if (issued === undefined || issued.kind !== 'access') return undefined;
    if (this.now() >= issued.expiresAt) return undefined;
    return { user: issued.user, scopes: issued.scopes };
  }

  /** Tokens are JWT-wrapped ids on BDC; clients must treat them as opaque. */
  private mintToken(kind: 'access' | 'refresh', issuedAt: number): string {
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const claims = { id: randomId(18), typ: kind, iat: Math.floor(issuedAt / 1000) };
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const signature = createHmac('sha256', this.signingKey)
      .update(`${header}.${payload}`)
      .digest('base64url');
    return `${header}.${payload}.${signature}`;
  }

  private issuePair(
    clientId: string,
    user: string,
    scopes: readonly OAuthScope[],
    familyId: string,
  ): Record<string, unknown> {
    const now = this.now();
    const access = this.mintToken('access', now);
    const refresh = this.mintToken('refresh', now);
    const base = { clientId, user, scopes, familyId };
    this.tokens.set(access, {
      ...base,
      kind: 'access',
      expiresAt: now + this.lifetimes.accessSeconds * 1000,
      partner: refresh,
    });
    this.tokens.set(refresh, {
      ...base,
      kind: 'refresh',
      expiresAt: now + this.lifetimes.refreshMs,
      partner: access,
    });
    return {
      access_token: access,
      token_type: 'bearer',
      expires_in: this.lifetimes.accessSeconds,
      refresh_token: refresh,
      scope: scopes.join(' '),
    };
  }

  private revokeFamily(familyId: string): void {
    for (const [token, issued] of this.tokens) {
      if (issued.familyId === familyId) this.tokens.delete(token);
    }
  }

  private lookupCode(code: string): IssuedCode | undefined {
    const issued = this.codes.get(code);
    if (issued === undefined) return undefined;
    // Expired codes are purged by BDC, after which they are simply unknown.
    if (this.now() > issued.issuedAt + this.lifetimes.codeMs) {
      this.codes.delete(code);
      return undefined;
    }
    return issued;
  }
}
