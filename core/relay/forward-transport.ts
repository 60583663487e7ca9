import type { Dispatcher } from 'undici';
import { request } from '../net/dispatcher-request.js';
import { readPrefix } from '../io/bounded-read.js';

export interface ForwardRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly signal: AbortSignal;
}

export interface ForwardResponse {
  readonly status: number;
  readonly retryAfter: string | undefined;
  /** The start of the response body (the platform's explanation for a refusal). */
  readonly excerpt: string;
}

/** The one thing the forwarder needs from the network: POST these bytes, tell me the answer. */
export interface ForwardTransport {
  send(forward: ForwardRequest): Promise<ForwardResponse>;
}

export const RESPONSE_EXCERPT_CHARS = 512;

/**
 * POSTs through an undici dispatcher from the network factory (proxy, trust = public roots plus
 * the optional platform CA). The body is a Buffer so undici sends it as is, with its exact
 * Content-Length; the headers are sent as stored, nothing added that the platform would verify.
 * Only the start of the response body is read: the platform's answer is kept for the attempt
 * log, never trusted to be small. The dispatcher may be made on the first delivery (a function).
 */
export function createHttpTransport(
  dispatcher: Dispatcher | (() => Promise<Dispatcher>),
): ForwardTransport {
  return {
    async send(forward) {
      const response = await request(forward.url, {
        method: 'POST',
        headers: { ...forward.headers, 'user-agent': 'bdc-companion-relay' },
        body: forward.body,
        dispatcher: typeof dispatcher === 'function' ? await dispatcher() : dispatcher,
        signal: forward.signal,
      });
      const excerpt = await readExcerpt(response.body);
      const retryAfter = response.headers['retry-after'];
      return {
        status: response.statusCode,
        retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
        excerpt,
      };
    },
  };
}

async function readExcerpt(body: Dispatcher.ResponseData['body']): Promise<string> {
  // Stopping early destroys the rest of the body instead of reading it.
  const prefix = await readPrefix(body, RESPONSE_EXCERPT_CHARS * 4);
  return prefix.toString('utf8').slice(0, RESPONSE_EXCERPT_CHARS);
}
