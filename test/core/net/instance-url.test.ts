import { describe, expect, it } from 'vitest';
import { CompanionError } from '../../../common/errors/companion-error.js';
import { instanceEndpoint, parseInstanceUrl } from '../../../core/net/instance-url.js';
import { resolveVetted } from '../../../core/net/guarded-lookup.js';

function codeOf(input: string, allowLoopback = false): string {
  try {
    parseInstanceUrl(input, { allowLoopback });
    return 'ok';
  } catch (error) {
    if (error instanceof CompanionError) return error.code;
    throw error;
  }
}

describe('parseInstanceUrl', () => {
  it('normalises the base URL and keeps the context path', () => {
    const parsed = parseInstanceUrl('  https://Bitbucket.Example.com:8443/bitbucket//  ');
    expect(parsed.baseUrl).toBe('https://bitbucket.example.com:8443/bitbucket');
    expect(parsed.hostname).toBe('bitbucket.example.com');
    expect(parsed.port).toBe(8443);
    expect(parsed.contextPath).toBe('/bitbucket');
    expect(instanceEndpoint(parsed, '/rest/api/1.0/application-properties')).toBe(
      'https://bitbucket.example.com:8443/bitbucket/rest/api/1.0/application-properties',
    );
    expect(parseInstanceUrl('https://git.example.com/').baseUrl).toBe('https://git.example.com');
    expect(parseInstanceUrl('https://git.example.com').port).toBe(443);
  });

  it.each([
    ['http://bitbucket.example.com', 'HTTPS_REQUIRED'],
    ['ftp://bitbucket.example.com', 'HTTPS_REQUIRED'],
    ['ssh://git@bitbucket.example.com:7999', 'HTTPS_REQUIRED'],
    ['bitbucket.example.com', 'URL_INVALID'],
    ['', 'URL_INVALID'],
    ['https://', 'URL_INVALID'],
    ['https://user:pw@bitbucket.example.com', 'URL_INVALID'],
    ['https://bitbucket.example.com/?a=1', 'URL_INVALID'],
    ['https://bitbucket.example.com/#x', 'URL_INVALID'],
    [`https://x.example.com/${'a'.repeat(3000)}`, 'URL_INVALID'],
  ])('refuses %s with %s', (input, code) => {
    expect(codeOf(input)).toBe(code);
  });

  it('suggests the scheme when it is missing', () => {
    expect(() => parseInstanceUrl('bitbucket.example.com/bb')).toThrow(
      expect.objectContaining({ hint: 'Add the scheme: https://bitbucket.example.com/bb' }),
    );
  });

  it.each([
    'https://2130706433',
    'https://0x7f.1',
    'https://0x7f000001',
    'https://017700000001',
    'https://127.1',
    'https://127.0.0.1:7990',
    'https://[::1]',
    'https://[::ffff:127.0.0.1]',
    'https://[::ffff:7f00:1]',
    'https://169.254.169.254',
    'https://[fd00:ec2::254]',
    'https://[::ffff:169.254.169.254]',
    'https://0xa9fea9fe',
    'https://0.0.0.0',
    'https://0',
    'https://[fe80::1]',
    'https://224.0.0.1',
    'https://[64:ff9b::7f00:1]',
    'https://[2002:7f00:1::1]',
  ])('refuses the encoded IP literal %s before any connection', (input) => {
    expect(codeOf(input)).toBe('INSTANCE_ADDRESS_FORBIDDEN');
  });

  it('allows loopback literals only with the development setting, never IMDS', () => {
    expect(codeOf('https://2130706433', true)).toBe('ok');
    expect(parseInstanceUrl('https://0x7f.1', { allowLoopback: true }).literal).toEqual({
      address: '127.0.0.1',
      addressClass: 'loopback',
    });
    expect(codeOf('https://[::ffff:127.0.0.1]', true)).toBe('ok');
    expect(codeOf('https://169.254.169.254', true)).toBe('INSTANCE_ADDRESS_FORBIDDEN');
    expect(codeOf('https://[fd00:ec2::254]', true)).toBe('INSTANCE_ADDRESS_FORBIDDEN');
  });

  it('classifies private and public literals', () => {
    expect(parseInstanceUrl('https://10.0.0.5/bb').literal?.addressClass).toBe('private');
    expect(parseInstanceUrl('https://[fd12::5]').literal?.addressClass).toBe('private');
    expect(parseInstanceUrl('https://8.8.8.8').literal?.addressClass).toBe('public');
    expect(parseInstanceUrl('https://bitbucket.example.com').literal).toBeUndefined();
  });
});

describe('resolveVetted', () => {
  it('refuses a host name that resolves to loopback (localhost) unless allowed', async () => {
    await expect(resolveVetted('localhost', {})).rejects.toMatchObject({
      code: 'INSTANCE_ADDRESS_FORBIDDEN',
    });
    const vetted = await resolveVetted('localhost', { allowLoopback: true });
    expect(vetted.length).toBeGreaterThan(0);
    expect(vetted.every((entry) => entry.addressClass === 'loopback')).toBe(true);
  });

  it('refuses the whole name when any answer is refused (rebinding)', async () => {
    const resolver = async () => [
      { address: '10.0.0.1', family: 4 },
      { address: '169.254.169.254', family: 4 },
    ];
    await expect(resolveVetted('mixed.example', {}, resolver)).rejects.toMatchObject({
      code: 'INSTANCE_ADDRESS_FORBIDDEN',
      data: { hostname: 'mixed.example', address: '169.254.169.254', range: 'metadata' },
    });
  });
});
