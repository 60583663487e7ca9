import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CACHE_MAX_BYTES, DEFAULT_CACHE_TTL_MS } from '../../../core/git/clone-cache.js';
import { DEFAULT_FALLBACK_THRESHOLD_MB, resolvePushConfig } from '../../../core/git/push-config.js';

const settings = {
  directory: '/srv/settings-cache',
  idleExpiryMs: 120_000,
  maxBytes: 3 * 1024 ** 3,
  gitFallbackThresholdMb: 20,
};
const env = {
  BDC_COMPANION_CACHE_DIR: '/srv/env-cache',
  BDC_COMPANION_CACHE_TTL_SECONDS: '30',
  BDC_COMPANION_CACHE_MAX_MB: '512',
  BITBUCKET_DC_GIT_FALLBACK_THRESHOLD_MB: '7',
};

describe('resolvePushConfig: flag > environment > settings > default, for every value alike', () => {
  it('uses the defaults when nothing is set', () => {
    const config = resolvePushConfig({ env: { XDG_CACHE_HOME: '/xdg' }, settings: {} });
    expect(config).toMatchObject({
      fallbackThresholdMb: DEFAULT_FALLBACK_THRESHOLD_MB,
      cacheRoot: path.join('/xdg', 'bdc-companion', 'git'),
      cacheTtlMs: DEFAULT_CACHE_TTL_MS,
      cacheMaxBytes: DEFAULT_CACHE_MAX_BYTES,
      coldCloneWithGit: true,
    });
    expect(Object.values(config.sources)).toEqual(['default', 'default', 'default', 'default']);
  });

  it('takes what the settings view saved over the defaults', () => {
    expect(resolvePushConfig({ env: {}, settings })).toMatchObject({
      fallbackThresholdMb: 20,
      cacheRoot: '/srv/settings-cache',
      cacheTtlMs: 120_000,
      cacheMaxBytes: 3 * 1024 ** 3,
      sources: {
        fallbackThresholdMb: 'settings',
        cacheRoot: 'settings',
        cacheTtlMs: 'settings',
        cacheMaxBytes: 'settings',
      },
    });
  });

  it('lets the environment override the settings file, in its own units', () => {
    expect(resolvePushConfig({ env, settings })).toMatchObject({
      fallbackThresholdMb: 7,
      cacheRoot: '/srv/env-cache',
      cacheTtlMs: 30_000,
      cacheMaxBytes: 512 * 1024 * 1024,
      sources: { cacheRoot: 'environment', cacheTtlMs: 'environment' },
    });
  });

  it('lets flags override everything', () => {
    const config = resolvePushConfig({
      env,
      settings,
      flags: { fallbackThresholdMb: 1, cacheRoot: '/flag', cacheTtlMs: 5, cacheMaxBytes: 9 },
    });
    expect(config).toMatchObject({
      fallbackThresholdMb: 1,
      cacheRoot: '/flag',
      cacheTtlMs: 5,
      cacheMaxBytes: 9,
    });
    expect(Object.values(config.sources)).toEqual(['flag', 'flag', 'flag', 'flag']);
  });

  it('ignores environment values that are not positive numbers or are empty, as before', () => {
    const config = resolvePushConfig({
      env: {
        BDC_COMPANION_CACHE_DIR: '',
        BDC_COMPANION_CACHE_TTL_SECONDS: 'soon',
        BDC_COMPANION_CACHE_MAX_MB: '-1',
        BITBUCKET_DC_GIT_FALLBACK_THRESHOLD_MB: '0',
      },
      settings,
    });
    expect(Object.values(config.sources)).toEqual(['settings', 'settings', 'settings', 'settings']);
  });

  it('keeps git out of cold clones only when asked', () => {
    expect(
      resolvePushConfig({ env: { BDC_COMPANION_COLD_CLONE: 'isomorphic-git' }, settings: {} })
        .coldCloneWithGit,
    ).toBe(false);
  });
});
