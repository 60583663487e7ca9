import type { CacheSettings } from '../settings/settings-store.js';
import { DEFAULT_CACHE_MAX_BYTES, DEFAULT_CACHE_TTL_MS, defaultCacheRoot } from './clone-cache.js';

/** Packed size of a clone above which the git CLI pushes instead of isomorphic-git. */
export const DEFAULT_FALLBACK_THRESHOLD_MB = 50;

/**
 * How the push engine runs, resolved once per caller and passed down as a value: the engine never
 * reads the environment for these, so every caller (CLI, desktop, serve, bridge) gets the same
 * answer for the same settings file and environment.
 */
export interface PushConfig {
  /** Repositories whose clone is larger than this are pushed with the git CLI. */
  readonly fallbackThresholdMb: number;
  /** Folder of the clone cache. */
  readonly cacheRoot: string;
  /** A cache entry expires this long after its last use. */
  readonly cacheTtlMs: number;
  /** The cache's total size cap. */
  readonly cacheMaxBytes: number;
  /** False keeps git out of cold clones too (`BDC_COMPANION_COLD_CLONE=isomorphic-git`). */
  readonly coldCloneWithGit: boolean;
}

/** Where each value came from, for the settings view and diagnostics. */
export type PushConfigSource = 'flag' | 'environment' | 'settings' | 'default';

export interface ResolvedPushConfig extends PushConfig {
  readonly sources: Readonly<
    Record<Exclude<keyof PushConfig, 'coldCloneWithGit'>, PushConfigSource>
  >;
}

export interface PushConfigInputs {
  /** Command-line flags; they win over everything. */
  readonly flags?: Partial<Omit<PushConfig, 'coldCloneWithGit'>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** What the settings view saved (`SettingsStore.cacheSettings`). */
  readonly settings: CacheSettings;
}

const MIB = 1024 * 1024;

/** A positive number from the environment; anything else counts as unset (as before). */
function positive(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) && number > 0 ? number : undefined;
}

function pick<T>(
  candidates: readonly [PushConfigSource, T | undefined][],
  fallback: T,
): [T, PushConfigSource] {
  for (const [source, value] of candidates) if (value !== undefined) return [value, source];
  return [fallback, 'default'];
}

/**
 * The push configuration: flag > environment > settings file > default, for each value alike.
 * Environment: `BITBUCKET_DC_GIT_FALLBACK_THRESHOLD_MB`, `BDC_COMPANION_CACHE_DIR`,
 * `BDC_COMPANION_CACHE_TTL_SECONDS`, `BDC_COMPANION_CACHE_MAX_MB`, `BDC_COMPANION_COLD_CLONE`
 * (README, "Pushing commits").
 */
export function resolvePushConfig(inputs: PushConfigInputs): ResolvedPushConfig {
  const { env, settings } = inputs;
  const flags = inputs.flags ?? {};
  const envTtlSeconds = positive(env['BDC_COMPANION_CACHE_TTL_SECONDS']);
  const envMaxMb = positive(env['BDC_COMPANION_CACHE_MAX_MB']);
  const envDirectory = env['BDC_COMPANION_CACHE_DIR'];
  const [fallbackThresholdMb, thresholdSource] = pick(
    [
      ['flag', flags.fallbackThresholdMb],
      ['environment', positive(env['BITBUCKET_DC_GIT_FALLBACK_THRESHOLD_MB'])],
      ['settings', settings.gitFallbackThresholdMb],
    ],
    DEFAULT_FALLBACK_THRESHOLD_MB,
  );
  const [cacheRoot, rootSource] = pick(
    [
      ['flag', flags.cacheRoot],
      ['environment', envDirectory === '' ? undefined : envDirectory],
      ['settings', settings.directory],
    ],
    defaultCacheRoot(env),
  );
  const [cacheTtlMs, ttlSource] = pick(
    [
      ['flag', flags.cacheTtlMs],
      ['environment', envTtlSeconds === undefined ? undefined : envTtlSeconds * 1000],
      ['settings', settings.idleExpiryMs],
    ],
    DEFAULT_CACHE_TTL_MS,
  );
  const [cacheMaxBytes, maxSource] = pick(
    [
      ['flag', flags.cacheMaxBytes],
      ['environment', envMaxMb === undefined ? undefined : envMaxMb * MIB],
      ['settings', settings.maxBytes],
    ],
    DEFAULT_CACHE_MAX_BYTES,
  );
  return {
    fallbackThresholdMb,
    cacheRoot,
    cacheTtlMs,
    cacheMaxBytes,
    coldCloneWithGit: env['BDC_COMPANION_COLD_CLONE'] !== 'isomorphic-git',
    sources: {
      fallbackThresholdMb: thresholdSource,
      cacheRoot: rootSource,
      cacheTtlMs: ttlSource,
      cacheMaxBytes: maxSource,
    },
  };
}
