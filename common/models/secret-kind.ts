/** The kinds of secret kept per installation in the SecretStore (never in settings). */
export const SECRET_KINDS = [
  'pat',
  'oauth-tokens',
  'oauth-client-secret',
  'webhook-secret',
] as const;

export type SecretKind = (typeof SECRET_KINDS)[number];
