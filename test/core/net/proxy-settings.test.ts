import { describe, expect, it } from 'vitest';
import {
  proxyFor,
  proxyFromPacResult,
  resolveProxySettings,
} from '../../../core/net/proxy-settings.js';

describe('resolveProxySettings', () => {
  it('prefers lower case, and falls back to HTTP_PROXY for https', () => {
    expect(
      resolveProxySettings({ https_proxy: 'http://a:1', HTTPS_PROXY: 'http://b:2', NO_PROXY: 'x' }),
    ).toEqual({ httpsProxy: 'http://a:1', httpProxy: '', noProxy: 'x' });
    expect(resolveProxySettings({ HTTP_PROXY: 'http://c:3' }).httpsProxy).toBe('http://c:3');
    expect(resolveProxySettings({})).toEqual({ httpsProxy: '', httpProxy: '', noProxy: '' });
  });
});

describe('proxyFor', () => {
  const settings = { httpsProxy: 'http://proxy:3128', httpProxy: '', noProxy: '' };
  it.each([
    ['', 'https://bdc.corp', 'http://proxy:3128'],
    ['*', 'https://bdc.corp', undefined],
    ['bdc.corp', 'https://bdc.corp', undefined],
    ['.corp', 'https://bdc.corp', undefined],
    ['*.corp', 'https://git.bdc.corp', undefined],
    ['corp', 'https://git.bdc.corp', undefined],
    ['othercorp', 'https://bdc.corp', 'http://proxy:3128'],
    ['bdc.corp:8443', 'https://bdc.corp', 'http://proxy:3128'],
    ['bdc.corp:8443', 'https://bdc.corp:8443', undefined],
    ['a, b  bdc.corp', 'https://bdc.corp', undefined],
  ])('NO_PROXY=%j for %s gives %s', (noProxy, url, expected) => {
    expect(proxyFor(new URL(url), { ...settings, noProxy })).toBe(expected);
  });
});

describe('proxyFromPacResult', () => {
  it.each([
    ['DIRECT', { kind: 'direct' }],
    ['PROXY proxy.corp:8080; DIRECT', { kind: 'proxy', url: 'http://proxy.corp:8080' }],
    ['HTTPS secure.corp:443', { kind: 'proxy', url: 'https://secure.corp:443' }],
    ['SOCKS5 s:1080; PROXY p:3128', { kind: 'proxy', url: 'http://p:3128' }],
    ['SOCKS5 s:1080; DIRECT', { kind: 'direct' }],
    ['SOCKS5 s:1080', undefined],
    ['', undefined],
    ['PROXY not a host', undefined],
  ])('%j → %j', (input, expected) => {
    expect(proxyFromPacResult(input)).toEqual(expected);
  });
});
