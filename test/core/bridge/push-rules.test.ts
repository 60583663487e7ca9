import { describe, expect, it } from 'vitest';
import { isCompanionError } from '../../../common/errors/companion-error.js';
import {
  editPushRules,
  matchingPushRule,
  parsePushRule,
  parseReadProject,
} from '../../../core/bridge/push-rules.js';

describe('bridge push rules', () => {
  it('allows nothing without rules', () => {
    expect(matchingPushRule([], 'PLAT/gitops', 'main')).toBeUndefined();
  });

  it('matches PROJECT/repo:branch-glob; * stays inside a path segment, ** crosses', () => {
    const rules = ['PLAT/gitops:main', 'PLAT/*:release/*', 'OPS/infra:env/**'];
    expect(matchingPushRule(rules, 'plat/gitops', 'main')).toBe('PLAT/gitops:main');
    expect(matchingPushRule(rules, 'PLAT/gitops', 'Main')).toBeUndefined();
    expect(matchingPushRule(rules, 'PLAT/web', 'release/1.4')).toBe('PLAT/*:release/*');
    expect(matchingPushRule(rules, 'PLAT/web', 'release/1.4/hotfix')).toBeUndefined();
    expect(matchingPushRule(rules, 'OPS/infra', 'env/prod/eu')).toBe('OPS/infra:env/**');
    expect(matchingPushRule(rules, 'PLAT/gitops', 'develop')).toBeUndefined();
    expect(matchingPushRule(['PLAT/git.ops:m'], 'PLAT/gitXops', 'm')).toBeUndefined();
  });

  it.each(['PLAT:main', 'PLAT/gitops', 'PLAT/gitops:', 'PLAT/git ops:main', 'P/r:a..b', 'P/r:a b'])(
    'refuses the malformed rule %j',
    (rule) => {
      expect(() => parsePushRule(rule)).toThrow(
        expect.objectContaining({ code: 'BRIDGE_RULE_INVALID' }),
      );
    },
  );

  it('adds and removes rules, checking what it adds', () => {
    expect(editPushRules(['A/b:main'], ['C/d:*', 'A/b:main'], ['A/b:main'])).toEqual(['C/d:*']);
    try {
      editPushRules([], ['nonsense'], []);
      expect.unreachable();
    } catch (error) {
      expect(isCompanionError(error, 'BRIDGE_RULE_INVALID')).toBe(true);
    }
    expect(parseReadProject(' plat ')).toBe('PLAT');
    expect(() => parseReadProject('PLAT/x')).toThrow();
  });
});
