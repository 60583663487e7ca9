import type { AppSettings, AppSettingsUpdate } from '../../common/api/models.js';
import { CompanionError } from '../../common/errors/companion-error.js';
import { DEFAULT_CACHE_MAX_BYTES, DEFAULT_CACHE_TTL_MS } from '../git/clone-cache.js';
import { DEFAULT_FALLBACK_THRESHOLD_MB } from '../git/push-operation.js';
import type { CacheSettings } from '../settings/settings-store.js';
import type { OperationHandlers } from './companion-service.js';
import type { ServicePorts } from './service-ports.js';

const GIB = 1024 ** 3;
const MINUTE = 60_000;

/** A proxy URL for display: `user:password@` removed, since it is a credential. */
export function displayProxy(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    return '(not a URL)';
  }
}

function envValue(env: ServicePorts['env'], name: string): string | undefined {
  return env[name] ?? env[name.toLowerCase()];
}

/** The settings view: clone cache, engine threshold, and the proxy in effect. */
export function settingsHandlers(
  ports: ServicePorts,
  onChange: () => Promise<void>,
): OperationHandlers {
  const { settings, env } = ports;
  const read = (): AppSettings => {
    const cache: CacheSettings = settings.cacheSettings?.() ?? {};
    const envThreshold = Number(env['BITBUCKET_DC_GIT_FALLBACK_THRESHOLD_MB']);
    return {
      cacheExpiryMinutes: (cache.idleExpiryMs ?? DEFAULT_CACHE_TTL_MS) / MINUTE,
      cacheMaxGiB: Math.round(((cache.maxBytes ?? DEFAULT_CACHE_MAX_BYTES) / GIB) * 100) / 100,
      fallbackThresholdMb:
        cache.gitFallbackThresholdMb ??
        (Number.isFinite(envThreshold) && envThreshold > 0
          ? envThreshold
          : DEFAULT_FALLBACK_THRESHOLD_MB),
      cacheDirectory: cache.directory ?? env['BDC_COMPANION_CACHE_DIR'],
      proxy: {
        httpsProxy: displayProxy(envValue(env, 'HTTPS_PROXY') ?? envValue(env, 'HTTP_PROXY')),
        noProxy: envValue(env, 'NO_PROXY'),
      },
    };
  };
  return {
    async getSettings() {
      return read();
    },
    async updateSettings(request: AppSettingsUpdate) {
      if (!settings.saveCacheSettings || !settings.cacheSettings) {
        throw new CompanionError(
          'APP_OPERATION_UNAVAILABLE',
          'These settings cannot be saved here.',
        );
      }
      const current = settings.cacheSettings();
      settings.saveCacheSettings({
        ...current,
        ...(request.cacheExpiryMinutes === undefined
          ? {}
          : { idleExpiryMs: Math.round(request.cacheExpiryMinutes * MINUTE) }),
        ...(request.cacheMaxGiB === undefined
          ? {}
          : { maxBytes: Math.round(request.cacheMaxGiB * GIB) }),
        ...(request.fallbackThresholdMb === undefined
          ? {}
          : { gitFallbackThresholdMb: request.fallbackThresholdMb }),
      });
      await onChange();
      return read();
    },
  };
}
