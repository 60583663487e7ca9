import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The OAuth provider's wire: its error type, form parsing, client credentials from a Basic
 * header, and the answers (redirects, HTML pages, JSON with BDC's no-cache headers).
 */
export class OAuthFailure extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status: number,
  ) {
    super(description);
  }
}

/** Bodies of form posts are small; anything larger is refused rather than buffered. */
const MAX_FORM_BYTES = 64 * 1024;

export function requireParams(form: URLSearchParams, names: readonly string[]): void {
  for (const name of names) {
    if (!form.get(name)) {
      throw new OAuthFailure('invalid_request', `Missing required parameter: ${name}`, 400);
    }
  }
}

export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** RFC 6749 §2.3.1: the id and secret are form-encoded before they are joined with `:`. */
export function parseBasic(header: string | undefined): { id: string; secret: string } | undefined {
  if (header === undefined || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const unform = (text: string): string => decodeURIComponent(text.replaceAll('+', ' '));
  try {
    return { id: unform(decoded.slice(0, colon)), secret: unform(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

export async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const type = request.headers['content-type'] ?? '';
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    throw new OAuthFailure(
      'invalid_request',
      'The body must be application/x-www-form-urlencoded',
      400,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_FORM_BYTES) throw new OAuthFailure('invalid_request', 'Body too large', 413);
    chunks.push(buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export function redirect(
  response: ServerResponse,
  target: string,
  params: Readonly<Record<string, string | undefined>>,
): void {
  const url = new URL(target);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.set(name, value);
  }
  response.writeHead(302, { Location: url.toString(), 'Cache-Control': 'no-store' }).end();
}

export function sendHtml(response: ServerResponse, status: number, html: string): void {
  response
    .writeHead(status, {
      'Content-Type': 'text/html;charset=UTF-8',
      'Cache-Control': 'no-store',
      'X-Frame-Options': 'DENY',
    })
    .end(html);
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response
    .writeHead(status, {
      'Content-Type': 'application/json;charset=UTF-8',
      'Cache-Control': 'no-store, no-cache',
      Pragma: 'no-cache',
    })
    .end(JSON.stringify(body));
}

export function sendOAuthError(
  request: IncomingMessage,
  response: ServerResponse,
  error: unknown,
): void {
  if (!(error instanceof OAuthFailure)) throw error;
  if (error.status === 401 && /^basic /i.test(request.headers.authorization ?? '')) {
    response.setHeader('WWW-Authenticate', 'Basic realm="OAuth2"');
  }
  sendJson(response, error.status, { error: error.error, error_description: error.description });
}
