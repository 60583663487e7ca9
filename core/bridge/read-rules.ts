import type { BridgePolicySettings } from '../../common/models/bridge.js';

/**
 * One read rule: a method (GET also allows HEAD) and path patterns. Pattern segments are literals,
 * `:name` (exactly one segment; `:project` and `:repo` are checked against the allow lists) and a
 * final `*` (one or more further segments: a file path).
 */
export interface ReadRule {
  readonly name: string;
  readonly method: 'GET';
  readonly patterns: readonly string[];
  /** Paths under `/plugins/` (none of the default rules). */
  readonly plugins?: boolean;
}

const API = '/rest/api/latest';
const REPO = `${API}/projects/:project/repos/:repo`;

/** The default read rules of BRIDGE.md: what the platform needs to show and change GitOps repos. */
export const DEFAULT_READ_RULES: readonly ReadRule[] = [
  { name: 'application-properties', method: 'GET', patterns: [`${API}/application-properties`] },
  { name: 'projects', method: 'GET', patterns: [`${API}/projects`] },
  { name: 'project-repos', method: 'GET', patterns: [`${API}/projects/:project/repos`] },
  { name: 'repos', method: 'GET', patterns: [`${API}/repos`] },
  { name: 'repo', method: 'GET', patterns: [REPO] },
  {
    name: 'branches',
    method: 'GET',
    patterns: [`${REPO}/branches`, `${REPO}/branches/default`, `${REPO}/default-branch`],
  },
  { name: 'browse', method: 'GET', patterns: [`${REPO}/browse`, `${REPO}/browse/*`] },
  { name: 'raw', method: 'GET', patterns: [`${REPO}/raw/*`] },
  { name: 'files', method: 'GET', patterns: [`${REPO}/files`, `${REPO}/files/*`] },
  { name: 'commits', method: 'GET', patterns: [`${REPO}/commits`, `${REPO}/commits/:commit`] },
  { name: 'compare-changes', method: 'GET', patterns: [`${REPO}/compare/changes`] },
  { name: 'webhooks', method: 'GET', patterns: [`${REPO}/webhooks`] },
];

export type ReadDecision =
  | {
      readonly kind: 'allowed';
      readonly rule: string;
      readonly project?: string;
      readonly repo?: string;
    }
  | { readonly kind: 'denied'; readonly reason: string };

/** `/rest/api/1.0/…` and `/rest/api/latest/…` are the same API; rules are written with `latest`. */
function canonicalPath(path: string): string {
  return path.replace(/^\/rest\/api\/1\.0(?=\/|$)/, API);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function matchPattern(
  pattern: string,
  segments: readonly string[],
): Readonly<Record<string, string>> | undefined {
  const parts = pattern.split('/');
  const params: Record<string, string> = {};
  for (let index = 0; index < parts.length; index += 1) {
    const part = parts[index]!;
    if (part === '*' && index === parts.length - 1) {
      return segments.length > index ? params : undefined;
    }
    const segment = segments[index];
    if (segment === undefined) return undefined;
    if (part.startsWith(':')) {
      if (segment === '') return undefined;
      params[part.slice(1)] = decodeSegment(segment);
    } else if (part !== segment) {
      return undefined;
    }
  }
  return segments.length === parts.length ? params : undefined;
}

function listAllows(list: readonly string[], value: string | undefined): boolean {
  if (list.length === 0 || value === undefined) return true;
  const wanted = value.toUpperCase();
  return list.some((entry) => entry.toUpperCase() === wanted);
}

/**
 * Decides a read: the first rule whose method and pattern match wins, and then the project named
 * in the path must be on the policy's read list (when it has one). The path must already have
 * passed `checkBridgePath`.
 */
export function decideRead(
  method: string,
  path: string,
  policy: Pick<BridgePolicySettings, 'readProjects'>,
  rules: readonly ReadRule[] = DEFAULT_READ_RULES,
): ReadDecision {
  if (method !== 'GET' && method !== 'HEAD') {
    return { kind: 'denied', reason: `the method ${method} is not a read (only GET and HEAD)` };
  }
  const segments = canonicalPath(path).split('/');
  for (const rule of rules) {
    if (path.startsWith('/plugins/') && rule.plugins !== true) continue;
    for (const pattern of rule.patterns) {
      const params = matchPattern(pattern, segments);
      if (params === undefined) continue;
      const project = params['project'];
      if (!listAllows(policy.readProjects, project)) {
        return {
          kind: 'denied',
          reason: `the project ${project ?? ''} is not on the bridge's read list`,
        };
      }
      return {
        kind: 'allowed',
        rule: rule.name,
        ...(project === undefined ? {} : { project }),
        ...(params['repo'] === undefined ? {} : { repo: params['repo'] }),
      };
    }
  }
  return { kind: 'denied', reason: 'no read rule allows this path' };
}
