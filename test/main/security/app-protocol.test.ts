import { describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  appRequestPath,
  appResponseHeaders,
  contentSecurityPolicy,
} from '../../../main/security/app-protocol.js';

describe('app:// protocol', () => {
  it('maps bundle URLs to files inside the bundle', () => {
    expect(appRequestPath(APP_ENTRY_URL)).toBe('index.html');
    expect(appRequestPath('app://bundle/')).toBe('index.html');
    expect(appRequestPath('app://bundle/assets/index-abc.js')).toBe('assets/index-abc.js');
    expect(appRequestPath('app://bundle/assets/x.css?v=1')).toBe('assets/x.css');
  });

  it('refuses traversal in every spelling', () => {
    for (const url of [
      'app://bundle/../secret',
      'app://bundle/assets/../../etc/passwd',
      'app://bundle/%2e%2e/etc/passwd',
      'app://bundle/assets/%2E%2E%2Fsecret',
      'app://bundle/..%2fsecret',
      'app://bundle/..%5csecret',
      'app://bundle/assets/%00.js',
      'app://bundle/C:/Windows/win.ini',
      'app://bundle/./index.html',
    ]) {
      expect(appRequestPath(url), url).toBeUndefined();
    }
  });

  it('refuses other hosts, schemes and credentials', () => {
    expect(appRequestPath('app://other/index.html')).toBeUndefined();
    expect(appRequestPath('file:///etc/passwd')).toBeUndefined();
    expect(appRequestPath('app://user@bundle/index.html')).toBeUndefined();
    expect(appRequestPath('not a url')).toBeUndefined();
  });

  it('sends a strict CSP with every response', () => {
    const headers = appResponseHeaders('text/html');
    const csp = headers['content-security-policy'] ?? '';
    expect(csp).toBe(contentSecurityPolicy());
    const directives = new Map(
      csp.split(';').map((part) => {
        const [name, ...values] = part.trim().split(/\s+/);
        return [name, values.join(' ')] as const;
      }),
    );
    expect(directives.get('default-src')).toBe("'none'");
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('connect-src')).toBe("'self'");
    expect(directives.get('object-src')).toBe("'none'");
    expect(directives.get('frame-ancestors')).toBe("'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(headers['x-content-type-options']).toBe('nosniff');
  });
});
