import { CompanionError } from '../../common/errors/companion-error.js';

/** Encoded dot, slash and backslash, any case: decoded by a server they rebuild what was refused. */
const ENCODED_TRICK = /%(?:2e|2f|5c)/i;
/** Percent escapes of control characters (%00–%1F, %7F). */
const ENCODED_CONTROL = /%(?:[01][0-9a-f]|7f)/i;
const MALFORMED_ESCAPE = /%(?![0-9a-f]{2})/i;
const MAX_PATH_LENGTH = 4096;

function refuse(reason: string): CompanionError {
  return new CompanionError('BRIDGE_BAD_REQUEST', `The path was refused: ${reason}.`, {
    data: { reason },
  });
}

/**
 * Checks a path the platform asks the companion to read (BRIDGE.md, `http`). It must be a plain
 * path under `/rest/` (`/plugins/` only when `allowPlugins`, which a rule grants): anything a URL
 * parser or BDC would normalise into another path is refused rather than normalised, so the path
 * the policy matched is the path BDC serves. Throws BRIDGE_BAD_REQUEST; returns the path as given.
 */
export function checkBridgePath(path: string, allowPlugins = false): string {
  if (path.length === 0 || path.length > MAX_PATH_LENGTH) refuseThrow('empty or too long');
  for (const char of path) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x21 || code === 0x7f || (code >= 0x80 && code <= 0x9f)) {
      refuseThrow('control character or space');
    }
  }
  if (path.includes('#')) refuseThrow('fragment');
  if (path.includes('?')) refuseThrow('query inside the path (send it as `query`)');
  if (path.includes('\\')) refuseThrow('backslash');
  if (/^[a-z][a-z0-9+.-]*:/i.test(path)) refuseThrow('absolute URL');
  if (!path.startsWith('/')) refuseThrow('not an absolute path');
  if (path.includes('//')) refuseThrow('empty segment (//)');
  if (path.includes('..')) refuseThrow('dot-dot');
  if (path.split('/').includes('.')) refuseThrow('dot segment');
  if (ENCODED_TRICK.test(path)) refuseThrow('encoded dot, slash or backslash');
  if (ENCODED_CONTROL.test(path)) refuseThrow('encoded control character');
  if (MALFORMED_ESCAPE.test(path)) refuseThrow('malformed percent escape');
  const underRest = path.startsWith('/rest/');
  const underPlugins = path.startsWith('/plugins/');
  if (!underRest && !(allowPlugins && underPlugins)) refuseThrow('not under /rest/');
  return path;
}

function refuseThrow(reason: string): never {
  throw refuse(reason);
}

/**
 * Joins a checked path (and its query) under the installation's base URL, keeping the context
 * path (`https://host/bitbucket` + `/rest/…`). Only string concatenation: `new URL(path, base)`
 * would drop the context path.
 */
export function bridgeTargetUrl(
  baseUrl: string,
  path: string,
  query: Readonly<Record<string, string>>,
): URL {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}${path}`);
  for (const [key, value] of Object.entries(query)) url.searchParams.append(key, value);
  return url;
}
