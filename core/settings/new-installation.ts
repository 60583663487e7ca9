import { randomUUID } from 'node:crypto';
import { CompanionError } from '../../common/errors/companion-error.js';
import {
  DEFAULT_RELAY_SETTINGS,
  type Installation,
  type PlatformLink,
} from '../../common/models/installation.js';
import { validateInstallationName } from './installation-name.js';

export interface NewInstallation {
  readonly name: string;
  readonly baseUrl: string;
  readonly caPems?: readonly string[];
  readonly allowLoopback?: boolean;
  readonly allowPartialChain?: boolean;
  readonly platform?: PlatformLink;
}

/**
 * Base URLs are kept with their context path (`https://host/bitbucket`) and without a trailing
 * slash, so `${baseUrl}/rest/...` is always right. Credentials, queries and fragments in the URL
 * are refused: a user:password in a stored URL would be a secret in the settings file.
 */
/**
 * A base URL as stored: origin and path, no trailing slash, no credentials, query or fragment.
 * Only https unless `allowHttp` (the relay's own URL as BDC calls it may be plain http inside the
 * network; BDC and the platform are always https).
 */
export function normaliseBaseUrl(text: string, what = 'base URL', allowHttp = false): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new CompanionError('INPUT_INVALID', `The ${what} "${text.slice(0, 200)}" is not a URL.`);
  }
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) {
    throw new CompanionError(
      'INPUT_INVALID',
      `The ${what} must use https://${allowHttp ? ' or http://' : ''}, not ${url.protocol}`,
    );
  }
  if (url.username || url.password) {
    throw new CompanionError(
      'INPUT_INVALID',
      `The ${what} must not contain a user name or password; sign in with \`auth pat\` or \`auth oauth\` instead.`,
    );
  }
  if (url.search || url.hash) {
    throw new CompanionError('INPUT_INVALID', `The ${what} must not contain a query or fragment.`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

export function newInstallation(spec: NewInstallation, now: Date = new Date()): Installation {
  return {
    id: randomUUID(),
    name: validateInstallationName(spec.name),
    baseUrl: normaliseBaseUrl(spec.baseUrl),
    caPems: [...(spec.caPems ?? [])],
    allowLoopback: spec.allowLoopback ?? false,
    allowPartialChain: spec.allowPartialChain ?? false,
    platform: spec.platform
      ? { ...spec.platform, baseUrl: normaliseBaseUrl(spec.platform.baseUrl, 'platform URL') }
      : undefined,
    auth: { kind: 'none' },
    relay: DEFAULT_RELAY_SETTINGS,
    createdAt: now.toISOString(),
  };
}
