import { describe, expect, it } from 'vitest';
import {
  findDeepLink,
  OAUTH_REDIRECT_URI,
  parseOAuthCallback,
} from '../../../main/security/deep-link.js';

describe('deep links', () => {
  it('finds the callback anywhere in argv', () => {
    const link = `${OAUTH_REDIRECT_URI}?code=abc&state=xyz`;
    expect(findDeepLink(['/opt/app', '--flag', link, '--other'])).toBe(link);
    expect(findDeepLink(['/opt/app', '--no-link'])).toBeUndefined();
    expect(findDeepLink(['/opt/app', `${OAUTH_REDIRECT_URI}?${'x'.repeat(5000)}`])).toBeUndefined();
  });

  it('parses a code callback', () => {
    expect(parseOAuthCallback(`${OAUTH_REDIRECT_URI}?code=abc&state=xyz`)).toMatchObject({
      kind: 'code',
      code: 'abc',
      state: 'xyz',
    });
  });

  it('parses an error callback', () => {
    expect(parseOAuthCallback(`${OAUTH_REDIRECT_URI}?error=access_denied&state=xyz`)).toMatchObject(
      {
        kind: 'error',
        error: 'access_denied',
        state: 'xyz',
      },
    );
  });

  it('ignores other paths, smuggled hosts, other schemes and incomplete callbacks', () => {
    for (const link of [
      'io.ankra.bdc-companion:/other?code=a&state=b',
      'io.ankra.bdc-companion://evil/oauth/callback?code=a&state=b',
      'io.ankra.bdc-companion://user@/oauth/callback?code=a&state=b',
      'https://evil.example/oauth/callback?code=a&state=b',
      'io.ankra.bdc-companion:/oauth/callback?code=a',
      'io.ankra.bdc-companion:/oauth/callback?state=b',
      'io.ankra.bdc-companion:/oauth/callback/../x?code=a&state=b',
      'garbage',
    ]) {
      expect(parseOAuthCallback(link), link).toBeUndefined();
    }
  });
});
