import { describe, expect, it } from 'vitest';
import {
  isInstallationPageUrl,
  isOpenableAuthorizeUrl,
} from '../../../main/security/external-url.js';

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

describe('links to instance pages', () => {
  it('opens commit pages of a configured instance', () => {
    expect(
      isInstallationPageUrl(
        'https://bdc.corp.example/bitbucket/projects/P/repos/r/commits/abc',
        bases,
      ),
    ).toBe(true);
  });

  it('refuses everything else', () => {
    for (const url of [
      'https://bdc.corp.example/other/projects/P',
      'https://bdc.corp.example/bitbucketevil/x',
      'http://bdc.corp.example/bitbucket/projects/P',
      'https://evil.example/bitbucket/projects/P',
      'https://u:p@bdc.corp.example/bitbucket/projects/P',
      'file:///etc/passwd',
    ]) {
      expect(isInstallationPageUrl(url, bases), url).toBe(false);
    }
  });
});
