import type { HttpClient, GitHttpRequest, GitHttpResponse } from 'isomorphic-git';
import type { Dispatcher } from 'undici';
import { request } from '../net/dispatcher-request.js';

async function collect(
  body: AsyncIterableIterator<Uint8Array> | undefined,
): Promise<Buffer | undefined> {
  if (body === undefined) return undefined;
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * isomorphic-git's HTTP plugin over the network factory's dispatcher, so Git traffic gets the
 * same trust (runtime roots + pasted CAs, verification always on), proxy and address policy as
 * every other request. Bodies are sent whole with a Content-Length (some proxies stall on
 * chunked uploads); responses stream.
 */
export function isoHttpClient(dispatcher: Dispatcher): HttpClient {
  return {
    async request({
      url,
      method = 'GET',
      headers = {},
      body,
    }: GitHttpRequest): Promise<GitHttpResponse> {
      const payload = await collect(body);
      const response = await request(url, {
        method: method as Dispatcher.HttpMethod,
        headers,
        ...(payload === undefined ? {} : { body: payload }),
        dispatcher,
      });
      const flat: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      return {
        url,
        method,
        statusCode: response.statusCode,
        statusMessage: String(response.statusCode),
        headers: flat,
        body: response.body[Symbol.asyncIterator]() as AsyncIterableIterator<Uint8Array>,
      };
    },
  };
}
