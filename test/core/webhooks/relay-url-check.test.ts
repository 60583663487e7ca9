import { describe, expect, it } from 'vitest';
import { assessRelayUrl } from '../../../core/webhooks/relay-url-check.js';

const path = '/webhooks/bitbucket-dc/inst-1';

describe('relay URL check', () => {
  it('accepts a public https URL of the installation without warnings', () => {
    expect(assessRelayUrl(`https://relay.corp.example${path}`, 'inst-1')).toEqual({
      url: `https://relay.corp.example${path}`,
      warnings: [],
    });
    expect(assessRelayUrl(`https://10.20.30.40:8787${path}`, 'inst-1').warnings).toEqual([]);
  });

  it('refuses malformed URLs and the wrong path with WEBHOOK_URL_INVALID', () => {
    for (const bad of [
      'relay.corp',
      `ftp://relay.corp${path}`,
      `https://user:pw@relay.corp${path}`,
      `https://relay.corp${path}?x=1`,
      'https://relay.corp/webhooks/bitbucket-dc/other',
      `https://0.0.0.0${path}`,
    ]) {
      expect(() => assessRelayUrl(bad, 'inst-1'), bad).toThrow(
        expect.objectContaining({ code: 'WEBHOOK_URL_INVALID' }),
      );
    }
  });

  it('warns about loopback, link-local, CGNAT/VPN ranges, .local names and plain http', () => {
    const warn = (url: string) => assessRelayUrl(url, 'inst-1').warnings.join(' ');
    expect(warn(`https://127.0.0.1:8787${path}`)).toContain('loopback');
    expect(warn(`https://[::1]:8787${path}`)).toContain('loopback');
    expect(warn(`https://[::ffff:127.0.0.1]${path}`)).toContain('loopback');
    expect(warn(`https://localhost${path}`)).toContain('this machine');
    expect(warn(`https://169.254.10.1${path}`)).toContain('link-local');
    expect(warn(`https://100.101.102.103${path}`)).toContain('VPN');
    expect(warn(`https://laptop.local${path}`)).toContain('multicast-DNS');
    expect(warn(`http://relay.corp${path}`)).toContain('unencrypted');
  });

  it('warns when the address belongs to a VPN interface of this machine', () => {
    const interfaces = [
      { name: 'eth0', address: '192.168.1.20' },
      { name: 'tun0', address: '10.8.0.6' },
      { name: 'wg0', address: 'fd00::6' },
    ];
    expect(
      assessRelayUrl(`https://10.8.0.6:8787${path}`, 'inst-1', interfaces).warnings.join(' '),
    ).toContain('tun0');
    expect(
      assessRelayUrl(`https://[fd00::6]:8787${path}`, 'inst-1', interfaces).warnings.join(' '),
    ).toContain('wg0');
    expect(
      assessRelayUrl(`https://192.168.1.20:8787${path}`, 'inst-1', interfaces).warnings,
    ).toEqual([]);
  });
});
