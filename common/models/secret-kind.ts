/** The kinds of secret kept per installation in the SecretStore (never in settings). */
export const SECRET_KINDS = [
  'pat',
  'oauth-tokens',
  'oauth-client-secret',
  'webhook-secret',
  /**
   * During a rotation, the secret being replaced, kept for a grace period so deliveries BDC
   * signed before it switched are still accepted: JSON `{"secret": "…", "expiresAt": "ISO"}`.
   */
  'webhook-secret-previous',
  /**
   * What the admin entered for an OAuth sign-in that has not succeeded yet, kept so a failure only
   * needs a retry: JSON `{"clientId": "…", "clientSecret": "…"}`. Removed on success or cancel.
   */
  'oauth-client-pending',
  /** The platform-issued token the bridge connects with (`docs/bridge.md`). */
  'bridge-token',
  /**
   * The explicit proxy's `{"username": "…", "password": "…"}`, filed under the pseudo-installation
   * `NETWORK_SECRET_OWNER` (one proxy serves every installation).
   */
  'proxy-credentials',
] as const;

/** The SecretStore owner of settings that belong to no installation (the proxy credentials). */
export const NETWORK_SECRET_OWNER = 'network';

export type SecretKind = (typeof SECRET_KINDS)[number];
