/**
 * The one list of what each feature needs from BDC, for a personal access token and for an OAuth
 * Application Link. The sign-in screen, the relay step, the error notices and
 * docs/bdc-admin-setup.md all say exactly this (a test compares the docs table with
 * `permissionTableMarkdown()`), and test/core/service/permission-needs.test.ts (tokens) and
 * oauth-permission-needs.test.tsx (Application Links, through the OAuth flow) prove it against the
 * simulator with exactly these permissions, and with one less. BDC's permission model:
 * docs/bdc-admin-setup.md.
 */
export interface PermissionNeed {
  readonly id: 'read' | 'push' | 'webhooks';
  /** What works with it, as the admin would say it. */
  readonly feature: string;
  /** The token's permission as BDC's "Create token" form names it. */
  readonly token: string;
  /** The same as BDC's REST permission name. */
  readonly tokenPermission: 'PROJECT_READ' | 'REPO_WRITE' | 'REPO_ADMIN';
  /** The Application Link's maximum permission (its "Permissions" choice). */
  readonly applicationLink: string;
  /** The OAuth scope the companion requests for it. */
  readonly scope: 'REPO_READ' | 'REPO_WRITE' | 'REPO_ADMIN';
  /** Optional needs can be granted later; the companion works without them. */
  readonly optional: boolean;
}

export const PERMISSION_NEEDS: readonly PermissionNeed[] = [
  {
    id: 'read',
    feature: 'sign in, list projects and repositories',
    token: 'Projects: Read',
    tokenPermission: 'PROJECT_READ',
    applicationLink: 'Repositories: Read',
    scope: 'REPO_READ',
    optional: false,
  },
  {
    id: 'push',
    feature: 'push commits',
    token: 'Repositories: Write',
    tokenPermission: 'REPO_WRITE',
    applicationLink: 'Repositories: Write',
    scope: 'REPO_WRITE',
    optional: false,
  },
  {
    id: 'webhooks',
    feature: 'register the relay’s webhooks on repositories',
    token: 'Repositories: Admin',
    tokenPermission: 'REPO_ADMIN',
    applicationLink: 'Repositories: Admin',
    scope: 'REPO_ADMIN',
    optional: true,
  },
];

/**
 * What the per-feature table cannot say for an Application Link: the companion requests the push
 * scope when it signs in (`oauthScopes`: pushing is not optional), so a link limited to
 * Repositories: Read is refused at sign-in, naming Repositories: Write
 * (test/core/service/oauth-permission-needs.test.tsx). Shown under the table on screen and in
 * docs/bdc-admin-setup.md.
 */
export const APPLICATION_LINK_SIGN_IN_NOTE =
  'The companion asks for the right to push when you sign in, so the Application Link needs at least Repositories: Write even to sign in; with Repositories: Read the sign-in is refused.';

export function permissionNeed(id: PermissionNeed['id']): PermissionNeed {
  const need = PERMISSION_NEEDS.find((each) => each.id === id);
  if (!need) throw new Error(`no permission need ${id}`);
  return need;
}

/**
 * The scopes to request: the least that pushing needs, plus REPO_ADMIN only when the admin wants
 * the companion to register webhooks. `PUBLIC_REPOS` lets the companion see public repositories
 * as BDC's own clients do.
 */
export function oauthScopes(withWebhooks: boolean): readonly string[] {
  return [
    'PUBLIC_REPOS',
    ...PERMISSION_NEEDS.filter((need) => withWebhooks || !need.optional).map((need) => need.scope),
  ];
}

/** "Projects: Read and Repositories: Write" — the token permissions for the chosen features. */
export function tokenPermissionsText(withWebhooks: boolean): string {
  const needed = PERMISSION_NEEDS.filter((need) => withWebhooks || !need.optional);
  // Admin includes Write in BDC's ladder, so "Write" is not said when "Admin" is.
  const shown = withWebhooks ? needed.filter((need) => need.id !== 'push') : needed;
  return shown.map((need) => need.token).join(' and ');
}

/** The Application Link's maximum permission for the chosen features (the highest one). */
export function applicationLinkPermissionText(withWebhooks: boolean): string {
  return permissionNeed(withWebhooks ? 'webhooks' : 'push').applicationLink;
}

/**
 * The need behind the highest scope of an OAuth request: what the Application Link's permission
 * must reach for Bitbucket to grant that request (its permission includes the scopes below it,
 * docs/bdc-api-facts.md §3.6).
 */
export function applicationLinkNeedFor(scopes: readonly string[]): PermissionNeed | undefined {
  // A request with any other scope (PROJECT_ADMIN, a misspelt id) may be refused for that one: the
  // table's permissions would then name the wrong cause, so nothing is named.
  const known = new Set<string>(['PUBLIC_REPOS', ...PERMISSION_NEEDS.map((need) => need.scope)]);
  if (!scopes.every((scope) => known.has(scope))) return undefined;
  return [...PERMISSION_NEEDS].reverse().find((need) => scopes.includes(need.scope));
}

/**
 * The need an error says is missing, so the screen can name it: a refused push lacks write, a
 * refused webhook registration lacks admin, and a refused OAuth request names, in `data.scope`,
 * the highest scope it asked for (the level the Application Link must allow).
 */
export function missingPermissionFor(
  code: string,
  data?: Readonly<Record<string, unknown>>,
): PermissionNeed | undefined {
  switch (code) {
    case 'OAUTH_SCOPE_REJECTED':
      return PERMISSION_NEEDS.find((need) => need.scope === data?.['scope']);
    case 'PUSH_PERMISSION_DENIED':
      return permissionNeed('push');
    case 'WEBHOOK_PERMISSION_DENIED':
      return permissionNeed('webhooks');
    case 'AUTH_PROJECTS_MISSING':
      return permissionNeed('read');
    default:
      return undefined;
  }
}

/** The feature as a table row says it: optional ones say they can wait. */
export function featureText(need: PermissionNeed): string {
  return need.optional ? `${need.feature} (optional: can be added later)` : need.feature;
}

/** The table docs/bdc-admin-setup.md shows (prettier's layout is compared without padding). */
export function permissionTableMarkdown(): string {
  const rows = PERMISSION_NEEDS.map(
    (need) =>
      `| ${featureText(need)} | **${need.token}** (\`${need.tokenPermission}\`) | **${need.applicationLink}** (scope \`${need.scope}\`) |`,
  );
  return [
    '| to | personal access token | Application Link (OAuth) |',
    '| --- | --- | --- |',
    ...rows,
  ].join('\n');
}
