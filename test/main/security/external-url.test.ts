import { describe, expect, it } from 'vitest';
import { isOpenableAuthorizeUrl } from '../../../main/security/external-url.js';

const bases = ['https://bdc.corp.example/bitbucket'];

describe('shell.openExternal gate', () => {
  it('opens the authorize URL on a configured installation', () => {
    expect(
      isOpenableAuthorizeUrl(
        'https://bdc.corp.example/bitbucket/rest/oauth2/latest/authorize?client_id=a&state=b',
        bases,
      ),
    ).toBe(true);
  });

  it('refuses other origins, schemes, paths and credentials', () => {
    for (const url of [
      'http://bdc.corp.example/bitbucket/rest/oauth2/latest/authorize',
      'https://evil.example/bitbucket/rest/oauth2/latest/authorize',
      'https://bdc.corp.example:8443/bitbucket/rest/oauth2/latest/authorize',
      'https://bdc.corp.example/other/rest/oauth2/latest/authorize',
      'https://bdc.corp.example/bitbucket/projects',
      'https://user:pw@bdc.corp.example/bitbucket/rest/oauth2/latest/authorize',
      'file:///etc/passwd',
      'smb://share/x',
      'javascript:alert(1)',
    ]) {
      expect(isOpenableAuthorizeUrl(url, bases), url).toBe(false);
    }
  });

  it('opens nothing when no installation is configured', () => {
    expect(
      isOpenableAuthorizeUrl('https://bdc.corp.example/bitbucket/rest/oauth2/latest/authorize', []),
    ).toBe(false);
  });
});
