import { describe, expect, it } from 'vitest';
import { isCompanionError } from '../../../common/errors/companion-error.js';
import { assertTrustedSender, isTrustedSender } from '../../../main/security/sender.js';

describe('IPC sender validation', () => {
  it('trusts the main frame of app://bundle', () => {
    expect(isTrustedSender({ url: 'app://bundle/index.html', isMainFrame: true })).toBe(true);
  });

  it('refuses subframes, detached and missing frames, and other origins', () => {
    expect(isTrustedSender({ url: 'app://bundle/index.html', isMainFrame: false })).toBe(false);
    expect(
      isTrustedSender({ url: 'app://bundle/index.html', isMainFrame: true, detached: true }),
    ).toBe(false);
    expect(isTrustedSender(null)).toBe(false);
    expect(isTrustedSender(undefined)).toBe(false);
    expect(isTrustedSender({ url: 'https://evil.example/', isMainFrame: true })).toBe(false);
    expect(isTrustedSender({ url: 'file:///index.html', isMainFrame: true })).toBe(false);
    expect(isTrustedSender({ url: 'app://bundle.evil/', isMainFrame: true })).toBe(false);
    expect(isTrustedSender({ url: '', isMainFrame: true })).toBe(false);
  });

  it('raises APP_SENDER_REFUSED naming only the origin', () => {
    try {
      assertTrustedSender({ url: 'https://evil.example/path?secret=1', isMainFrame: true });
      expect.unreachable();
    } catch (error) {
      expect(isCompanionError(error, 'APP_SENDER_REFUSED')).toBe(true);
      expect(JSON.stringify(error)).not.toContain('secret=1');
    }
  });
});
