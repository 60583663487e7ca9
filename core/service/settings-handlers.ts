import type { AppSettings, AppSettingsUpdate } from '../../common/api/models.js';
import { CompanionError } from '../../common/errors/companion-error.js';
import { resolvePushConfig } from '../git/push-config.js';
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
    // What a push would use now: the same resolution as the engine's (push-config.ts).
    const config = resolvePushConfig({ env, settings: settings.cacheSettings?.() ?? {} });
    return {
      cacheExpiryMinutes: config.cacheTtlMs / MINUTE,
      cacheMaxGiB: Math.round((config.cacheMaxBytes / GIB) * 100) / 100,
      fallbackThresholdMb: config.fallbackThresholdMb,
      cacheDirectory: config.sources.cacheRoot === 'default' ? undefined : config.cacheRoot,
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
