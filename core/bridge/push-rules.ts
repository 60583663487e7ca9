import { CompanionError } from '../../common/errors/companion-error.js';

/** A parsed `PROJECT/repo:branch-glob` rule; each part may use `*` and `?`. */
export interface PushRule {
  readonly text: string;
  readonly project: string;
  readonly repo: string;
  readonly branch: string;
}

const PROJECT_GLOB = /^[A-Za-z0-9_~*?-]{1,128}$/;
const REPO_GLOB = /^[A-Za-z0-9._*?-]{1,128}$/;
// eslint-disable-next-line no-control-regex -- control characters are what is refused
const BRANCH_GLOB = /^[^\s~^:\\[\]\u0000-\u001f\u007f]{1,255}$/;
const PROJECT_KEY = /^[A-Za-z0-9_~][A-Za-z0-9_-]{0,127}$/;

/** Parses and checks one push rule; throws BRIDGE_RULE_INVALID. */
export function parsePushRule(text: string): PushRule {
  const rule = text.trim();
  const match = /^([^/:]+)\/([^/:]+):(.+)$/.exec(rule);
  if (
    !match ||
    !PROJECT_GLOB.test(match[1]!) ||
    !REPO_GLOB.test(match[2]!) ||
    !BRANCH_GLOB.test(match[3]!) ||
    match[3]!.includes('..')
  ) {
    throw new CompanionError(
      'BRIDGE_RULE_INVALID',
      `The push rule "${rule.slice(0, 200)}" is not PROJECT/repo:branch-glob.`,
      { data: { rule: rule.slice(0, 200) } },
    );
  }
  return { text: rule, project: match[1]!, repo: match[2]!, branch: match[3]! };
}

/** Checks a project key for the read list; throws BRIDGE_RULE_INVALID. */
export function parseReadProject(key: string): string {
  const trimmed = key.trim();
  if (!PROJECT_KEY.test(trimmed)) {
    throw new CompanionError(
      'BRIDGE_RULE_INVALID',
      `"${trimmed.slice(0, 200)}" is not a project key.`,
    );
  }
  return trimmed.toUpperCase();
}

/**
 * A glob as a regular expression. `*` never crosses a `/` (so `release/*` does not reach
 * `release/a/b`) and `**` does; `?` is one character other than `/`.
 */
function globRegExp(glob: string, caseInsensitive: boolean): RegExp {
  let source = '';
  for (let index = 0; index < glob.length; index += 1) {
    const char = glob[index]!;
    if (char === '*' && glob[index + 1] === '*') {
      source += '.*';
      index += 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, caseInsensitive ? 'i' : '');
}

/** Project keys and repository slugs compare without case (BDC treats them so); branches with. */
export function pushRuleMatches(rule: PushRule, repo: string, branch: string): boolean {
  const slash = repo.indexOf('/');
  if (slash <= 0) return false;
  return (
    globRegExp(rule.project, true).test(repo.slice(0, slash)) &&
    globRegExp(rule.repo, true).test(repo.slice(slash + 1)) &&
    globRegExp(rule.branch, false).test(branch)
  );
}

/** The first rule allowing a push to `repo` (`PROJECT/slug`) and `branch`, if any. */
export function matchingPushRule(
  rules: readonly string[],
  repo: string,
  branch: string,
): string | undefined {
  for (const text of rules) {
    let rule: PushRule;
    try {
      rule = parsePushRule(text);
    } catch {
      // A rule that no longer parses (edited by hand) allows nothing.
      continue;
    }
    if (pushRuleMatches(rule, repo, branch)) return rule.text;
  }
  return undefined;
}

/** Adds and removes rules, keeping order and dropping duplicates; every added rule is checked. */
export function editPushRules(
  current: readonly string[],
  allow: readonly string[],
  deny: readonly string[],
): string[] {
  const denied = new Set(deny.map((text) => parsePushRule(text).text));
  const next: string[] = [];
  for (const text of [...current, ...allow.map((entry) => parsePushRule(entry).text)]) {
    if (!denied.has(text) && !next.includes(text)) next.push(text);
  }
  return next;
}
