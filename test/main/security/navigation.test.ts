import { describe, expect, it } from 'vitest';
import { isAllowedNavigation } from '../../../main/security/navigation.js';

describe('navigation allowlist', () => {
  it('allows the bundle only', () => {
    expect(isAllowedNavigation('app://bundle/index.html')).toBe(true);
    expect(isAllowedNavigation('app://bundle/index.html#history')).toBe(true);
  });

  it('denies everything else, including look-alikes', () => {
    for (const url of [
      'https://evil.example/',
      'http://127.0.0.1:8080/',
      'file:///etc/passwd',
      'app://bundle.evil/index.html',
      'app://bundle@evil/index.html',
      'app://evil/bundle',
      'javascript:alert(1)',
      'data:text/html,<script>1</script>',
      'about:blank',
      '',
    ]) {
      expect(isAllowedNavigation(url), url).toBe(false);
    }
  });
});
