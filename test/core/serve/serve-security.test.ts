import { describe, expect, it } from 'vitest';
import {
  isAllowedFetchSite,
  isAllowedHost,
  isAllowedOrigin,
  isLoopbackHost,
  parseHostHeader,
  tokensEqual,
} from '../../../core/serve/serve-security.js';

const loopback = { bindHost: '127.0.0.1', port: 4100 };
const wide = { bindHost: '0.0.0.0', port: 4100 };
const named = { bindHost: 'companion.corp.example', port: 4100 };

describe('serve Host check (DNS rebinding)', () => {
  it('answers loopback literals and localhost on its own port', () => {
    expect(isAllowedHost('127.0.0.1:4100', loopback)).toBe(true);
    expect(isAllowedHost('localhost:4100', loopback)).toBe(true);
    expect(isAllowedHost('LOCALHOST:4100', loopback)).toBe(true);
  });

  it('refuses a rebinding name that resolves to loopback', () => {
    expect(isAllowedHost('attacker.example:4100', loopback)).toBe(false);
    expect(isAllowedHost('127.0.0.1.nip.io:4100', loopback)).toBe(false);
  });

  it('refuses another port, no Host, and malformed values', () => {
    expect(isAllowedHost('127.0.0.1:4101', loopback)).toBe(false);
    expect(isAllowedHost('127.0.0.1', loopback)).toBe(false);
    expect(isAllowedHost(undefined, loopback)).toBe(false);
    expect(isAllowedHost('user@127.0.0.1:4100', loopback)).toBe(false);
    expect(isAllowedHost('127.0.0.1:4100/x', loopback)).toBe(false);
  });

  it('bound to loopback, refuses non-loopback literals', () => {
    expect(isAllowedHost('10.0.0.5:4100', loopback)).toBe(false);
  });

  it('bound wide, answers any IP literal (not rebindable) but no foreign name', () => {
    expect(isAllowedHost('10.0.0.5:4100', wide)).toBe(true);
    expect(isAllowedHost('[::1]:4100', wide)).toBe(true);
    expect(isAllowedHost('evil.example:4100', wide)).toBe(false);
  });

  it('answers the name the admin passed with --host', () => {
    expect(isAllowedHost('companion.corp.example:4100', named)).toBe(true);
    expect(isAllowedHost('other.corp.example:4100', named)).toBe(false);
  });

  it('parses IPv6 Host headers', () => {
    expect(parseHostHeader('[::1]:80')).toEqual({ name: '[::1]', port: 80 });
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackHost('10.1.1.1')).toBe(false);
  });
});

describe('serve Origin check (cross-site requests)', () => {
  it('allows its own origin and requests without Origin', () => {
    expect(isAllowedOrigin('http://127.0.0.1:4100', loopback)).toBe(true);
    expect(isAllowedOrigin(undefined, loopback)).toBe(true);
  });

  it('refuses other sites, other ports, https spoofs and opaque origins', () => {
    expect(isAllowedOrigin('http://attacker.example', loopback)).toBe(false);
    expect(isAllowedOrigin('http://127.0.0.1:9999', loopback)).toBe(false);
    expect(isAllowedOrigin('https://127.0.0.1:4100', loopback)).toBe(false);
    expect(isAllowedOrigin('null', loopback)).toBe(false);
    expect(isAllowedOrigin('http://127.0.0.1:4100/path', loopback)).toBe(false);
  });

  it('accepts only same-origin (or no) Sec-Fetch-Site for the API', () => {
    expect(isAllowedFetchSite('same-origin')).toBe(true);
    expect(isAllowedFetchSite(undefined)).toBe(true);
    expect(isAllowedFetchSite('cross-site')).toBe(false);
    expect(isAllowedFetchSite('same-site')).toBe(false);
  });
});

describe('serve token', () => {
  it('compares tokens exactly', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true);
    expect(tokensEqual('abd', 'abc')).toBe(false);
    expect(tokensEqual('ab', 'abc')).toBe(false);
    expect(tokensEqual(undefined, 'abc')).toBe(false);
  });
});
