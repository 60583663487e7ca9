import { describe, expect, it } from 'vitest';
import {
  DEFAULT_NETWORK_SETTINGS,
  describeRoute,
  type NetworkSettings,
} from '../../../common/models/network.js';
import { createNetworkRouting, type RoutingSources } from '../../../core/net/network-routing.js';

// The precedence, defined once in core/net/network-routing.ts (docs/network.md, "Precedence"):
// explicit setting → proxy variables → system → direct. The system and the PAC evaluator stand
// in for Electron and a PAC file here (both run for real in test/main/system-proxy.test.ts and
// test/core/net/proxy-every-path.test.ts); what is tested is the order.

function routing(
  settings: NetworkSettings,
  extra: Partial<RoutingSources> = {},
): ReturnType<typeof createNetworkRouting> {
  return createNetworkRouting({
    settings: () => settings,
    credentials: async () => ({ username: 'u', password: 'p@ss word' }),
    env: {},
    pac: async () => 'DIRECT',
    ...extra,
  });
}

const system = async () => 'PROXY sys.corp:8080; DIRECT';
const env = { HTTPS_PROXY: 'http://env-user:env-pw@env.corp:3128', NO_PROXY: '.internal' };

describe('the route precedence', () => {
  it('auto: the variables first, then the system, then direct', async () => {
    const auto = DEFAULT_NETWORK_SETTINGS;
    const viaEnv = await routing(auto, { env, system }).route('https://bdc.corp/');
    expect(viaEnv.choice).toEqual({ kind: 'proxy', url: 'http://env-user:env-pw@env.corp:3128' });
    expect(describeRoute(viaEnv.view)).toBe('via proxy http://env.corp:3128 (proxy variables)');
    const bypassed = await routing(auto, { env, system }).route('https://git.internal/');
    expect(describeRoute(bypassed.view)).toBe('direct (proxy variables)');
    const viaSystem = await routing(auto, { system }).route('https://bdc.corp/');
    expect(viaSystem.choice).toEqual({ kind: 'proxy', url: 'http://sys.corp:8080' });
    expect(describeRoute(viaSystem.view)).toBe(
      'the system said "PROXY sys.corp:8080; DIRECT": via proxy http://sys.corp:8080',
    );
    const failing = await routing(auto, {
      system: async () => Promise.reject(new Error('no answer')),
    }).route('https://bdc.corp/');
    expect(describeRoute(failing.view)).toBe('direct');
    expect(describeRoute((await routing(auto).route('https://bdc.corp/')).view)).toBe('direct');
  });

  it('an explicit setting outranks the variables and the system', async () => {
    const manual: NetworkSettings = {
      proxy: {
        kind: 'manual',
        url: 'http://set.corp:3128',
        noProxy: 'bdc.corp',
        credentials: true,
      },
    };
    const viaSetting = await routing(manual, { env, system }).route('https://platform.example/');
    // Credentials from the store ride in the URL given to the connection, encoded.
    expect(viaSetting.choice).toEqual({
      kind: 'proxy',
      url: 'http://u:p%40ss%20word@set.corp:3128',
    });
    expect(viaSetting.view).toEqual({
      kind: 'proxy',
      proxy: 'http://set.corp:3128',
      source: 'setting',
      authenticated: true,
    });
    const bypassed = await routing(manual, { env, system }).route('https://bdc.corp/');
    expect(bypassed.view).toEqual({ kind: 'direct', source: 'setting' });
    const direct = await routing({ proxy: { kind: 'direct' } }, { env, system }).route(
      'https://bdc.corp/',
    );
    expect(direct.choice).toEqual({ kind: 'direct' });
    const pac = await routing(
      { proxy: { kind: 'pac', url: 'http://wpad/proxy.pac' } },
      { env, system, pac: async () => 'HTTPS secure.corp:443' },
    ).route('https://bdc.corp/');
    expect(describeRoute(pac.view)).toBe(
      'PAC said "HTTPS secure.corp:443": via proxy https://secure.corp',
    );
  });

  it('refuses to guess: unusable PAC answers and lost credentials are errors', async () => {
    await expect(
      routing(
        { proxy: { kind: 'pac', url: 'http://wpad/proxy.pac' } },
        { pac: async () => 'SOCKS5 s.corp:1080' },
      ).route('https://bdc.corp/'),
    ).rejects.toMatchObject({ code: 'PROXY_PAC_UNUSABLE' });
    await expect(
      routing(
        { proxy: { kind: 'manual', url: 'http://set.corp:3128', noProxy: '', credentials: true } },
        { credentials: async () => undefined },
      ).route('https://bdc.corp/'),
    ).rejects.toMatchObject({ code: 'PROXY_CREDENTIALS_MISSING' });
  });
});
