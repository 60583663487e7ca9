// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import {
  APPLICATION_LINK_SIGN_IN_NOTE,
  PERMISSION_NEEDS,
} from '../../../common/auth/permission-needs.js';
import { PermissionTable } from '../../../renderer/src/components/permission-table.js';

// The per-feature table says "sign in … Repositories: Read"; for an Application Link that alone
// would mislead, since the companion asks for the push scope at sign-in and a Read link is refused
// (proven in test/core/service/oauth-permission-needs.test.tsx). The sign-in screen says so.
afterEach(cleanup);

describe('the permission table on the sign-in screen', () => {
  it('for an Application Link, says that signing in already needs Repositories: Write', () => {
    render(<PermissionTable for="application-link" />);
    expect(screen.getByText(APPLICATION_LINK_SIGN_IN_NOTE)).toBeTruthy();
    for (const need of PERMISSION_NEEDS)
      expect(screen.getAllByText(need.applicationLink).length).toBeGreaterThan(0);
  });

  it('for a token, shows the table alone: a token with Projects: Read does sign in', () => {
    render(<PermissionTable for="token" />);
    expect(screen.queryByText(APPLICATION_LINK_SIGN_IN_NOTE)).toBeNull();
    expect(screen.getByText('Projects: Read')).toBeTruthy();
  });
});
