/**
 * Which headers cross the bridge (BRIDGE.md). Both directions are accept lists: the platform's
 * Authorization, cookies and anything else never reach BDC (the companion adds its own
 * credential), and BDC's identity (`x-ausername`, `set-cookie`) never reaches the platform.
 */
export const REQUEST_HEADERS_PASSED = [
  'accept',
  'accept-language',
  'if-none-match',
  'if-modified-since',
  'range',
] as const;

export const RESPONSE_HEADERS_PASSED = [
  'content-type',
  'content-length',
  'etag',
  'last-modified',
  'content-range',
] as const;

const MAX_HEADER_VALUE = 1024;

function safeValue(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_HEADER_VALUE) return undefined;
  // CR, LF and other control characters could split or smuggle a header.
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  return /[\u0000-\u0008\u000a-\u001f\u007f]/.test(value) ? undefined : value;
}

function pick(
  headers: Readonly<Record<string, unknown>>,
  names: readonly string[],
): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!names.includes(lower)) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    const safe = safeValue(text);
    if (safe !== undefined) kept[lower] = safe;
  }
  return kept;
}

/** The platform's request headers that may be passed on to BDC. */
export function requestHeadersForBdc(
  headers: Readonly<Record<string, unknown>>,
): Record<string, string> {
  return pick(headers, REQUEST_HEADERS_PASSED);
}

/** BDC's response headers that may be passed back to the platform. */
export function responseHeadersForPlatform(
  headers: Readonly<Record<string, unknown>>,
): Record<string, string> {
  return pick(headers, RESPONSE_HEADERS_PASSED);
}
