import { describe, expect, it } from 'vitest';
import { parseScopes, scopesWithin } from '../../sim/oauth/oauth-rules.js';

// docs/bdc-api-facts.md §3.6: an Application Link's permission is a maximum that includes every
// scope below it. The simulator used to accept only the exact ids listed, so a link set to
// Repositories: Write refused the `PUBLIC_REPOS REPO_READ REPO_WRITE` real clients send.
describe("an Application Link's permission as a maximum", () => {
  it('includes every scope below it on the repository ladder, and nothing above', () => {
    expect(scopesWithin(['REPO_WRITE'])).toEqual(['PUBLIC_REPOS', 'REPO_READ', 'REPO_WRITE']);
    expect(scopesWithin(['REPO_READ'])).toEqual(['PUBLIC_REPOS', 'REPO_READ']);
    expect(scopesWithin(['PUBLIC_REPOS'])).toEqual(['PUBLIC_REPOS']);
    expect(scopesWithin(['REPO_ADMIN'])).not.toContain('PROJECT_ADMIN');
    // Account: Write is a group of its own: neither implied nor implying.
    expect(scopesWithin(['SYSTEM_ADMIN'])).not.toContain('ACCOUNT_WRITE');
    expect(scopesWithin(['ACCOUNT_WRITE'])).toEqual(['ACCOUNT_WRITE']);
  });

  it('accepts what the companion requests from a Write link and refuses Admin', () => {
    const write = scopesWithin(['REPO_WRITE']);
    expect(parseScopes('PUBLIC_REPOS REPO_READ REPO_WRITE', write)).toMatchObject({ ok: true });
    expect(parseScopes('PUBLIC_REPOS REPO_READ REPO_WRITE REPO_ADMIN', write)).toEqual({
      ok: false,
      description: 'Scope REPO_ADMIN exceeds the scope allowed for this client',
    });
  });
});
