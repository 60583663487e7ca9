import { describe, expect, it } from 'vitest';
import { classifyAddress } from '../../../core/net/address-policy.js';

function verdict(address: string, allowLoopback = false): string {
  const result = classifyAddress(address, { allowLoopback });
  return result.kind === 'allowed' ? `allowed:${result.addressClass}` : result.kind;
}

describe('classifyAddress', () => {
  it.each([
    ['8.8.8.8', 'allowed:public'],
    ['2606:4700::1111', 'allowed:public'],
    ['10.1.2.3', 'allowed:private'],
    ['172.16.0.1', 'allowed:private'],
    ['192.168.1.10', 'allowed:private'],
    ['100.64.0.1', 'allowed:private'],
    ['fd12:3456::1', 'allowed:private'],
    ['fc00::1', 'allowed:private'],
  ])('allows %s as %s', (address, expected) => {
    expect(verdict(address)).toBe(expected);
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['169.254.169.254', 'metadata'],
    ['169.254.170.2', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['fd20:ce::254', 'metadata'],
    ['169.254.1.1', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['100::1', 'discard'],
  ])('refuses %s (%s)', (address, range) => {
    const result = classifyAddress(address);
    expect(result.kind).toBe('forbidden');
    if (result.kind === 'forbidden') {
      expect(result.range).toBe(range);
      expect(result.reason).toContain(result.address);
    }
  });

  it('allows loopback only with the development setting, and never the metadata service', () => {
    expect(verdict('127.0.0.1', true)).toBe('allowed:loopback');
    expect(verdict('::1', true)).toBe('allowed:loopback');
    expect(verdict('169.254.169.254', true)).toBe('forbidden');
    expect(verdict('fd00:ec2::254', true)).toBe('forbidden');
  });

  it.each([
    // IPv4-mapped and IPv4-compatible forms of refused IPv4 targets
    ['::ffff:127.0.0.1', 'forbidden'],
    ['::ffff:7f00:1', 'forbidden'],
    ['::ffff:169.254.169.254', 'forbidden'],
    ['::ffff:a9fe:a9fe', 'forbidden'],
    ['::127.0.0.1', 'forbidden'],
    ['::ffff:10.0.0.1', 'allowed:private'],
    // NAT64: judged as the IPv4 host it reaches
    ['64:ff9b::7f00:1', 'forbidden'],
    ['64:ff9b::a9fe:a9fe', 'forbidden'],
    ['64:ff9b::808:808', 'allowed:public'],
    ['64:ff9b:1::a00:1', 'allowed:private'],
    // Local-use NAT64 with a /48, /56 or /64 prefix embeds the address higher up.
    ['64:ff9b:1:7f00:1::', 'forbidden'],
    ['64:ff9b:1:a00:1::', 'allowed:private'],
    ['64:ff9b:1:a9:fe:a9fe::', 'forbidden'],
    ['64:ff9b:1:0:7f:0:100:0', 'forbidden'],
    ['::ffff:0:7f00:1', 'forbidden'],
    // 6to4 and Teredo: refused, whatever they embed
    ['2002:7f00:1::1', 'forbidden'],
    ['2002:a9fe:a9fe::1', 'forbidden'],
    ['2002:808:808::1', 'forbidden'],
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'forbidden'],
  ])('judges the IPv4 address embedded in %s', (address, expected) => {
    expect(verdict(address)).toBe(expected);
  });

  it('names the embedded target in the reason', () => {
    const result = classifyAddress('2002:a9fe:a9fe::1');
    expect(result.kind === 'forbidden' && result.reason).toContain('169.254.169.254');
    const teredo = classifyAddress('2001:0:4136:e378:8000:63bf:80ff:fffe');
    // Teredo stores the client address inverted: ~80ff:fffe is 127.0.0.1.
    expect(teredo.kind === 'forbidden' && teredo.reason).toContain('127.0.0.1');
  });

  it('accepts brackets and zone indexes, and calls non-addresses invalid', () => {
    expect(verdict('[::1]', true)).toBe('allowed:loopback');
    expect(verdict('fe80::1%eth0')).toBe('forbidden');
    expect(verdict('localhost')).toBe('invalid');
    expect(verdict('')).toBe('invalid');
    expect(verdict('1.2.3.4.5')).toBe('invalid');
  });
});
