import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../core/git/backoff.js';
import { ZERO_OID } from '../../../core/git/git-objects.js';
import { assertFastForward } from '../../../core/git/fast-forward.js';
import {
  chooseEngine,
  cloneUrl,
  parseAuthor,
  validateRequest,
} from '../../../core/git/push-operation.js';
import { classifyRefRejection, refusedAtTip } from '../../../core/git/push-failure.js';
import { hookText, movedTip } from '../../../core/git/smart-http.js';

const gitSources = fileURLToPath(new URL('../../../core/git/', import.meta.url));

describe('backoff', () => {
  it('is exponential with full jitter under the cap', () => {
    const options = { baseMs: 100, capMs: 1000 };
    expect(
      [1, 2, 3, 4, 5].map((attempt) =>
        backoffDelay(attempt, { ...options, random: () => 0.999999 }),
      ),
    ).toEqual([99, 199, 399, 799, 999]);
    expect(backoffDelay(3, { ...options, random: () => 0 })).toBe(0);
    expect(backoffDelay(2, { ...options, random: () => 0.5 })).toBe(100);
  });
});

describe('classification of refusals', () => {
  it('retries the texts of a moved branch and stops at hooks', () => {
    for (const reason of [
      'fetch first',
      'non-fast-forward',
      'failed to update ref',
      "cannot lock ref 'refs/heads/main'",
    ]) {
      expect(classifyRefRejection(reason, '', 'refs/heads/main').retry).toBe('conflict');
    }
    const hook = classifyRefRejection(
      'pre-receive hook declined',
      'Branch refs/heads/main can only be modified through pull requests.',
      'refs/heads/main',
    );
    expect(hook.retry).toBe('fatal');
    expect(hook.error.code).toBe('HOOK_REJECTED');
    expect(hook.error.message).toBe(
      'Branch refs/heads/main can only be modified through pull requests.',
    );
    expect(classifyRefRejection('unpacker error', '', 'refs/heads/main').error.code).toBe(
      'PUSH_REJECTED',
    );
  });

  it("reads where the branch stands from receive-pack's refused compare-and-swap, for that ref and old id only", () => {
    const expected = 'a'.repeat(40);
    const now = 'b'.repeat(40);
    const text = `error: cannot lock ref 'refs/heads/main': is at ${now} but expected ${expected}\n`;
    expect(movedTip(text, 'refs/heads/main', expected)).toBe(now);
    expect(movedTip(text, 'refs/heads/other', expected)).toBeUndefined();
    expect(movedTip(text, 'refs/heads/main', 'c'.repeat(40))).toBeUndefined();
    expect(movedTip('error: failed to update ref', 'refs/heads/main', expected)).toBeUndefined();
    const conflict = classifyRefRejection('failed to update ref', '', 'refs/heads/main', now);
    expect(refusedAtTip(conflict)).toBe(now);
    expect(
      refusedAtTip(classifyRefRejection('failed to update ref', '', 'refs/heads/main')),
    ).toBeUndefined();
    // Only a conflict carries a tip to build on; a hook's refusal never does.
    expect(
      refusedAtTip(classifyRefRejection('pre-receive hook declined', '', 'x', now)),
    ).toBeUndefined();
  });

  it("keeps BDC's banner verbatim and drops progress noise", () => {
    const banner = [
      'remote: ----------------------------------------------------',
      'remote: Branch refs/heads/develop can only be modified through pull requests.',
      'remote: Check your branch permissions configuration with the project administrator.',
      'remote: ----------------------------------------------------',
      'remote: Resolving deltas: 100% (1/1)',
    ].join('\n');
    expect(hookText(banner)).toBe(
      [
        '----------------------------------------------------',
        'Branch refs/heads/develop can only be modified through pull requests.',
        'Check your branch permissions configuration with the project administrator.',
        '----------------------------------------------------',
      ].join('\n'),
    );
  });
});

describe('never a non-fast-forward', () => {
  it('refuses to send an update whose commit does not sit exactly on the expected tip', () => {
    const base = 'a'.repeat(40);
    expect(() => assertFastForward(base, base, [base])).not.toThrow();
    expect(() => assertFastForward(ZERO_OID, base, [base])).not.toThrow();
    expect(() => assertFastForward('b'.repeat(40), base, [base])).toThrow();
    expect(() => assertFastForward(base, base, ['b'.repeat(40)])).toThrow();
    expect(() => assertFastForward(base, base, [base, 'b'.repeat(40)])).toThrow();
    expect(() => assertFastForward(base, base, [])).toThrow();
  });

  it('has no force flag, force option or + refspec anywhere in the push engine', () => {
    const files: string[] = [];
    const walk = (directory: string): void => {
      for (const name of readdirSync(directory)) {
        const full = path.join(directory, name);
        if (statSync(full).isDirectory()) walk(full);
        else if (name.endsWith('.ts')) files.push(full);
      }
    };
    walk(gitSources);
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const lines = readFileSync(file, 'utf8')
        .split('\n')
        // `rm(path, { force: true })` is the file system's option, not a push's.
        .filter((line) => !/\brm\(|^\s*(recursive|force): true,?$/.test(line));
      for (const line of lines) {
        expect(line, file).not.toMatch(
          /force:\s*true|--force|['"`]\+refs\/|sslVerify['"`]?\s*[,:=]\s*['"`]?false/,
        );
      }
    }
  });
});

describe('request checks', () => {
  it('builds BDC clone URLs and validates repos, branches, authors', () => {
    expect(cloneUrl('https://bdc.example/bitbucket/', 'PROJ/my-repo')).toBe(
      'https://bdc.example/bitbucket/scm/proj/my-repo.git',
    );
    expect(parseAuthor('Ada Lovelace <ada@example.com>')).toEqual({
      name: 'Ada Lovelace',
      email: 'ada@example.com',
    });
    expect(() => parseAuthor('ada@example.com')).toThrow();
    const ok = { repo: 'P/r', branch: 'feature/x', message: 'm', changes: [] };
    expect(() => validateRequest(ok)).not.toThrow();
    for (const branch of [
      '',
      'a..b',
      'a b',
      'x.lock',
      '-',
      '/a',
      'a/',
      'refs/heads/x',
      'a~1',
      'a^',
      'a:b',
      'a\u0000b',
    ]) {
      if (branch === '-') continue;
      expect(() => validateRequest({ ...ok, branch }), branch).toThrow();
    }
    expect(() => validateRequest({ ...ok, repo: 'no-slash' })).toThrow();
    expect(() => validateRequest({ ...ok, message: '  ' })).toThrow();
    expect(() => validateRequest({ ...ok, author: { name: 'x<y', email: 'e' } })).toThrow();
  });

  it('chooses git above the threshold, isomorphic-git below or when unknown, and obeys a forced engine', () => {
    const mb = 1024 * 1024;
    expect(chooseEngine('auto', 49 * mb, 50)).toBe('isomorphic-git');
    expect(chooseEngine('auto', 51 * mb, 50)).toBe('git');
    expect(chooseEngine('auto', undefined, 50)).toBe('isomorphic-git');
    expect(chooseEngine('auto', 11 * mb, 10)).toBe('git');
    expect(chooseEngine('isomorphic-git', 500 * mb, 50)).toBe('isomorphic-git');
    expect(chooseEngine('git', 1, 50)).toBe('git');
  });
});
