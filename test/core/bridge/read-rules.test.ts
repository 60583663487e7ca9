import { describe, expect, it } from 'vitest';
import { decideRead } from '../../../core/bridge/read-rules.js';

const open = { readProjects: [] };
const repo = '/rest/api/latest/projects/PLAT/repos/gitops';

describe('bridge read rules', () => {
  it.each([
    ['/rest/api/latest/application-properties', 'application-properties'],
    ['/rest/api/1.0/projects', 'projects'],
    ['/rest/api/latest/projects/PLAT/repos', 'project-repos'],
    ['/rest/api/latest/repos', 'repos'],
    [repo, 'repo'],
    [`${repo}/branches`, 'branches'],
    [`${repo}/default-branch`, 'branches'],
    [`${repo}/browse`, 'browse'],
    [`${repo}/browse/apps/web/values.yaml`, 'browse'],
    [`${repo}/raw/apps/web/values.yaml`, 'raw'],
    [`${repo}/files/apps`, 'files'],
    [`${repo}/commits`, 'commits'],
    [`${repo}/commits/0123abc`, 'commits'],
    [`${repo}/compare/changes`, 'compare-changes'],
    [`${repo}/webhooks`, 'webhooks'],
  ])('allows GET %s by the %s rule (latest and 1.0 alike)', (path, rule) => {
    expect(decideRead('GET', path, open)).toMatchObject({ kind: 'allowed', rule });
    expect(decideRead('HEAD', path.replace('/latest/', '/1.0/'), open)).toMatchObject({
      kind: 'allowed',
      rule,
    });
  });

  it.each([
    ['GET', '/rest/api/latest/admin/users'],
    ['GET', '/rest/api/latest/users'],
    ['GET', `${repo}/raw`],
    ['GET', `${repo}/webhooks/1`],
    ['GET', '/rest/api/2.0/projects'],
    ['GET', `${repo}/permissions/users`],
    ['POST', `${repo}/browse`],
    ['DELETE', repo],
  ])('denies %s %s', (method, path) => {
    expect(decideRead(method, path, open).kind).toBe('denied');
  });

  it('checks the project against the read list, ignoring case', () => {
    const listed = { readProjects: ['plat'] };
    expect(decideRead('GET', `${repo}/raw/a.yaml`, listed)).toMatchObject({
      kind: 'allowed',
      project: 'PLAT',
      repo: 'gitops',
    });
    expect(decideRead('GET', '/rest/api/latest/projects/OTHER/repos', listed).kind).toBe('denied');
  });
});
