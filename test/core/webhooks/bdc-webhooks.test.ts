import { describe, expect, it } from 'vitest';
import { readTestResult } from '../../../core/webhooks/bdc-webhooks.js';
import {
  manualSteps,
  parseProjectTarget,
  parseRepositoryTarget,
  webhooksPath,
} from '../../../core/webhooks/webhook-target.js';

describe('webhook targets', () => {
  it('parses PROJECT/slug and project keys, personal projects included', () => {
    expect(parseRepositoryTarget('DEMO/gitops')).toEqual({
      kind: 'repository',
      project: 'DEMO',
      slug: 'gitops',
    });
    expect(parseRepositoryTarget('~jsmith/dots')).toEqual({
      kind: 'repository',
      project: '~jsmith',
      slug: 'dots',
    });
    expect(parseProjectTarget('OPS')).toEqual({ kind: 'project', project: 'OPS' });
    for (const bad of ['DEMO', 'DEMO/', '/x', 'A/b/c', 'DE MO/x', '../x']) {
      expect(() => parseRepositoryTarget(bad), bad).toThrow(
        expect.objectContaining({ code: 'WEBHOOK_REPO_INVALID' }),
      );
    }
  });

  it('builds the REST paths of docs/bdc-api-facts.md §4.1', () => {
    expect(webhooksPath({ kind: 'repository', project: 'DEMO', slug: 'gitops' })).toBe(
      '/rest/api/1.0/projects/DEMO/repos/gitops/webhooks',
    );
    expect(webhooksPath({ kind: 'project', project: '~jsmith' })).toBe(
      '/rest/api/1.0/projects/~jsmith/webhooks',
    );
  });

  it('manual steps name the page, the URL and the event, never a secret', () => {
    const steps = manualSteps(
      'https://bdc.corp/bitbucket',
      { kind: 'repository', project: 'DEMO', slug: 'gitops' },
      'https://relay/x',
    );
    expect(steps).toContain('https://bdc.corp/bitbucket/projects/DEMO/repos/gitops/settings');
    expect(steps).toContain('Name: Ankra');
    expect(steps).toContain('URL: https://relay/x');
    expect(steps).toContain('repo:refs_changed');
  });
});

describe("BDC's webhook test answer", () => {
  it('reads the status of the target, or the connection error', () => {
    expect(readTestResult({ request: {}, result: { status: 200, body: '' } })).toEqual({
      reached: true,
      status: 200,
      error: undefined,
    });
    expect(readTestResult({ statusCode: 204 })).toMatchObject({ reached: true, status: 204 });
    expect(readTestResult({ result: { status: 401 } })).toMatchObject({
      reached: false,
      status: 401,
    });
    expect(readTestResult({ result: { error: 'Connection refused' } })).toEqual({
      reached: false,
      status: undefined,
      error: 'Connection refused',
    });
    expect(readTestResult(undefined)).toMatchObject({ reached: false, status: undefined });
  });
});
