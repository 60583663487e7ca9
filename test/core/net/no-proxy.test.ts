import { describe, expect, it } from 'vitest';
import { bypassesProxy } from '../../../core/net/no-proxy.js';
import { proxyFor } from '../../../core/net/proxy-settings.js';

// The one bypass rule every path follows (docs/network.md, "Bypass list"). The CIDR and bracketed
// IPv6 rows failed before: the old matcher compared `10.0.0.0/8` as a host name, and split
// `[fd00::1]:8443` at its first colon.
describe('bypassesProxy', () => {
  it.each([
    ['', 'https://bdc.corp', false],
    ['*', 'https://bdc.corp', true],
    [' * ', 'https://10.1.2.3', true],
    ['*,other', 'https://bdc.corp', false],
    ['bdc.corp', 'https://bdc.corp', true],
    ['BDC.Corp', 'https://bdc.CORP/x', true],
    ['corp', 'https://git.bdc.corp', true],
    ['.corp', 'https://corp', true],
    ['.corp', 'https://bdc.corp', true],
    ['*.corp', 'https://git.bdc.corp', true],
    ['corp', 'https://evilcorp', false],
    ['.corp', 'https://bdc.corp.evil.example', false],
    ['bdc.corp:8443', 'https://bdc.corp', false],
    ['bdc.corp:8443', 'https://bdc.corp:8443', true],
    ['bdc.corp:443', 'https://bdc.corp', true],
    ['bdc.corp:80', 'wss://bdc.corp', false],
    ['a, b  bdc.corp', 'https://bdc.corp', true],
    ['10.0.0.0/8', 'https://10.1.2.3', true],
    ['10.0.0.0/8', 'https://11.1.2.3', false],
    ['10.0.0.0/8', 'https://ten.corp', false],
    ['192.168.1.7', 'https://192.168.1.7:7990', true],
    ['192.168.1.0/24:7990', 'https://192.168.1.7:7990', true],
    ['192.168.1.0/24:7990', 'https://192.168.1.7:8443', false],
    ['fd00::/8', 'https://[fd12::1]', true],
    ['[fd00::1]:8443', 'https://[fd00::1]:8443', true],
    ['[fd00::1]:8443', 'https://[fd00::1]', false],
    ['fd00::1', 'https://[fd00::1]:8443', true],
    ['1.2.3.4', 'https://example.1.2.3.4.nip.io', false],
  ])('NO_PROXY=%j for %s → %s', (list, url, expected) => {
    expect(bypassesProxy(new URL(url), list)).toBe(expected);
  });

  it('is the rule of the proxy variables too', () => {
    const settings = { httpsProxy: 'http://p:3128', httpProxy: '', noProxy: '10.0.0.0/8' };
    expect(proxyFor(new URL('https://10.9.9.9'), settings)).toBeUndefined();
    expect(proxyFor(new URL('https://11.9.9.9'), settings)).toBe('http://p:3128');
    expect(proxyFor(new URL('wss://11.9.9.9'), settings)).toBe('http://p:3128');
  });
});
