import { SUPPORTED_MAJOR_VERSIONS } from '../../common/models/probe.js';

/** `GET /rest/api/1.0/application-properties`, as BDC answers it (all fields are strings). */
export interface ApplicationProperties {
  readonly version: string;
  readonly displayName: string | undefined;
  readonly buildNumber: string | undefined;
}

export type VersionVerdict =
  | {
      readonly kind: 'supported';
      readonly major: number;
      readonly properties: ApplicationProperties;
    }
  | {
      readonly kind: 'unsupported';
      readonly major: number;
      readonly properties: ApplicationProperties;
    }
  | { readonly kind: 'not-bitbucket'; readonly reason: string };

const VERSION = /^(\d{1,4})\.(\d{1,4})(?:\.(\d{1,6}))?(?:[-.][0-9A-Za-z.-]{1,40})?$/;

/**
 * Judges the body of application-properties. Pure, and strict about shape: a login page, a proxy
 * error page or another product's JSON must come out as `not-bitbucket`, never as a version.
 */
export function judgeApplicationProperties(body: unknown): VersionVerdict {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { kind: 'not-bitbucket', reason: 'the answer is not a JSON object' };
  }
  const record = body as Record<string, unknown>;
  const version = record['version'];
  if (typeof version !== 'string' || !VERSION.test(version)) {
    return { kind: 'not-bitbucket', reason: 'the answer has no Bitbucket version field' };
  }
  const displayName = typeof record['displayName'] === 'string' ? record['displayName'] : undefined;
  if (displayName !== undefined && !/bitbucket|stash/i.test(displayName)) {
    return {
      kind: 'not-bitbucket',
      reason: `the server calls itself "${displayName.slice(0, 60)}"`,
    };
  }
  const buildNumber = typeof record['buildNumber'] === 'string' ? record['buildNumber'] : undefined;
  const properties: ApplicationProperties = { version, displayName, buildNumber };
  const major = Number(VERSION.exec(version)![1]);
  return SUPPORTED_MAJOR_VERSIONS.includes(major)
    ? { kind: 'supported', major, properties }
    : { kind: 'unsupported', major, properties };
}
