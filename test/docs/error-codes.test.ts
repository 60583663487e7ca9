import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogue } from '../../common/errors/catalogue.js';
import { repoRoot } from '../helpers/cli-harness.js';

const BEGIN = '<!-- error-codes:begin';
const END = '<!-- error-codes:end -->';

function guide(): string {
  return readFileSync(join(repoRoot, 'docs/troubleshooting.md'), 'utf8');
}

/** The generated reference block of the guide. */
function referenceBlock(text: string): string {
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  expect(begin, 'the guide has the generated block markers').toBeGreaterThan(-1);
  expect(end).toBeGreaterThan(begin);
  return text.slice(begin, end);
}

/** Upper-case names in backticks that are not error codes (environment variables, permissions). */
const NOT_CODES =
  /^(?:[A-Z_]*_PROXY|NODE_[A-Z_]+|GIT_[A-Z_]+|ELECTRON_[A-Z_]+|CAP_[A-Z_]+|BDC_COMPANION_[A-Z_]+|CREDENTIALS_DIRECTORY|DBUS_[A-Z_]+|BITBUCKET_DC_[A-Z_]+|(?:REPO|PROJECT|PUBLIC)_[A-Z]+|X_[A-Z_]+)$/;

describe('user guide: error codes', () => {
  // Read at run time: codes other capabilities add show up here without touching this test.
  const codes = Object.keys(catalogue);

  it('the reference names every code in the catalogue, with its cause and fix', () => {
    const block = referenceBlock(guide());
    const missing = codes.filter((code) => !block.includes(`**\`${code}\`**`));
    expect(missing, 'run `npx tsx scripts/generate-error-docs.mjs`').toEqual([]);
    for (const code of codes) {
      const entry = catalogue[code as keyof typeof catalogue];
      const at = block.indexOf(`**\`${code}\`**`);
      const item = block.slice(
        at,
        block.indexOf('\n- ', at + 1) === -1 ? undefined : block.indexOf('\n- ', at + 1),
      );
      // Prettier may rewrap, so compare the first words only.
      expect(item.replace(/\s+/g, ' '), code).toContain(
        entry.cause.replace(/\s+/g, ' ').slice(0, 40),
      );
      expect(item.replace(/\s+/g, ' '), code).toContain('_Fix:_');
      // The fix too: a changed fix left the guide's old one (OAUTH_SCOPE_REJECTED said --scope).
      expect(item.replace(/\s+/g, ' '), code).toContain(
        entry.fix.replace(/\s+/g, ' ').slice(0, 60),
      );
    }
  });

  it('every code any page of the guide mentions exists in the catalogue', () => {
    // bdc-api-facts.md quotes Bitbucket's own identifiers (scopes, permissions, its error ids).
    const pages = readdirSync(join(repoRoot, 'docs')).filter(
      (file) => file.endsWith('.md') && file !== 'bdc-api-facts.md',
    );
    expect(pages.length).toBeGreaterThan(3);
    let mentions = 0;
    for (const page of pages) {
      let text = readFileSync(join(repoRoot, 'docs', page), 'utf8');
      if (text.includes(BEGIN)) text = text.slice(0, text.indexOf(BEGIN));
      const mentioned = [...text.matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`/g)]
        .map((match) => match[1] as string)
        .filter((name) => !NOT_CODES.test(name));
      mentions += mentioned.length;
      expect(
        mentioned.filter((name) => !codes.includes(name)),
        page,
      ).toEqual([]);
    }
    expect(mentions).toBeGreaterThan(10);
  });

  it('covers the key failures in prose', () => {
    const prose = guide().slice(0, guide().indexOf(BEGIN));
    for (const heading of [
      '## The probe fails at the first step',
      '## OAuth sign-in fails with `invalid_grant`',
      '## Webhook signatures fail',
      '## Pushes are refused as non-fast-forward',
    ]) {
      expect(prose).toContain(heading);
    }
    expect(prose).toContain('io.ankra.bdc-companion:/oauth/callback');
    expect(prose).toContain('webhooks rotate-secret');
  });
});
