import { describe, expect, it } from 'vitest';
import { isCompanionError } from '../../../common/errors/companion-error.js';
import { bridgeTargetUrl, checkBridgePath } from '../../../core/bridge/bridge-path.js';

function refusal(path: string, allowPlugins = false): string {
  try {
    checkBridgePath(path, allowPlugins);
  } catch (error) {
    expect(isCompanionError(error, 'BRIDGE_BAD_REQUEST')).toBe(true);
    return String((error as { data: { reason: string } }).data.reason);
  }
  return 'accepted';
}

describe('bridge path checks (BRIDGE.md, http)', () => {
  it('accepts plain REST paths, percent escapes of ordinary characters included', () => {
    expect(refusal('/rest/api/latest/projects')).toBe('accepted');
    expect(refusal('/rest/api/1.0/projects/PLAT/repos/gitops/raw/a%20b/c.yaml')).toBe('accepted');
  });

  it.each([
    ['/rest/../admin', 'dot-dot'],
    ['/rest/api/latest/projects/%2e%2e/admin', 'encoded dot, slash or backslash'],
    ['/rest/api/latest/projects/%2E%2E', 'encoded dot, slash or backslash'],
    ['/rest/api/latest/a%2Fb', 'encoded dot, slash or backslash'],
    ['/rest/api/latest/a%5cb', 'encoded dot, slash or backslash'],
    ['/rest/api//projects', 'empty segment (//)'],
    ['//evil.example/rest/api', 'empty segment (//)'],
    ['/rest/api\\projects', 'backslash'],
    ['https://evil.example/rest/api/latest/projects', 'absolute URL'],
    ['/rest/api/latest/projects#x', 'fragment'],
    ['/rest/api/latest/projects?limit=1', 'query inside the path (send it as `query`)'],
    ['/rest/api/latest/pro\u0000jects', 'control character or space'],
    ['/rest/api/latest/pro\njects', 'control character or space'],
    ['/rest/api/latest/pro jects', 'control character or space'],
    ['/rest/api/latest/a%0d%0aX', 'encoded control character'],
    ['/rest/api/latest/a%zz', 'malformed percent escape'],
    ['/rest/./api', 'dot segment'],
    ['/scm/PLAT/gitops.git/info/refs', 'not under /rest/'],
    ['/plugins/servlet/x', 'not under /rest/'],
    ['rest/api/latest/projects', 'not an absolute path'],
    ['', 'empty or too long'],
  ])('refuses %j (%s)', (path, reason) => {
    expect(refusal(path)).toBe(reason);
  });

  it('accepts /plugins/ only where a rule allows it', () => {
    expect(refusal('/plugins/servlet/x', true)).toBe('accepted');
  });

  it('resolves under the base URL keeping its context path', () => {
    const url = bridgeTargetUrl('https://bdc.corp/bitbucket', '/rest/api/latest/repos', {
      start: '0',
      name: 'a&b',
    });
    expect(url.href).toBe('https://bdc.corp/bitbucket/rest/api/latest/repos?start=0&name=a%26b');
  });
});
