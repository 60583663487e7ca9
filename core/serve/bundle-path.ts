/**
 * Maps a request path to a file inside the UI bundle, or undefined when it could escape it.
 *
 * Shared by `serve` (HTTP) and the desktop's `app://` protocol handler. Works on the decoded
 * path segments, refusing `..`, backslashes, NUL, encoded slashes and drive letters outright
 * rather than normalising them, because a normaliser that disagrees with the file system is how
 * traversal bugs happen.
 */
export function bundleRelativePath(pathname: string): string | undefined {
  if (!pathname.startsWith('/')) return undefined;
  // Encoded separators would become separators after decoding; no bundle file needs them.
  if (/%2f|%5c|%00/i.test(pathname)) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\\') || decoded.includes('\0')) return undefined;
  const segments = decoded.split('/').filter((segment) => segment !== '');
  for (const segment of segments) {
    if (segment === '.' || segment === '..') return undefined;
    if (/^[a-zA-Z]:$/.test(segment)) return undefined;
  }
  return segments.length === 0 ? 'index.html' : segments.join('/');
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  ico: 'image/x-icon',
  json: 'application/json',
  map: 'application/json',
  woff2: 'font/woff2',
};

export function contentTypeFor(relativePath: string): string {
  const extension = relativePath.slice(relativePath.lastIndexOf('.') + 1).toLowerCase();
  return CONTENT_TYPES[extension] ?? 'application/octet-stream';
}

/**
 * The UI's Content-Security-Policy. The renderer talks only to its own origin (IPC on desktop,
 * `/api` on serve), so everything else is refused. Styles are files; React sets inline styles
 * through the CSSOM, which CSP does not govern.
 */
export function contentSecurityPolicy(): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
