import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  APPLICATION_LINK_SIGN_IN_NOTE,
  permissionTableMarkdown,
} from '../../common/auth/permission-needs.js';
import { repoRoot } from '../helpers/cli-harness.js';

/** A markdown table's rows as cell lists, ignoring the padding prettier adds. */
function rows(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
}

describe('docs/bdc-admin-setup.md', () => {
  it('shows the permission table the sign-in screen shows, from the same list', () => {
    const docs = readFileSync(join(repoRoot, 'docs', 'bdc-admin-setup.md'), 'utf8');
    const section = docs.slice(docs.indexOf('## What each feature needs'));
    const table = section.slice(
      section.indexOf('\n|') + 1,
      section.indexOf('\n\n', section.indexOf('\n|')),
    );
    expect(rows(table)).toEqual(rows(permissionTableMarkdown()));
    // What the table cannot say for OAuth, in the same words as the sign-in screen.
    expect(section.replace(/\s+/g, ' ')).toContain(APPLICATION_LINK_SIGN_IN_NOTE);
  });
});
