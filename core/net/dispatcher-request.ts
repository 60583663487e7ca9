import type * as Undici from 'undici';

type RequestOptions = NonNullable<Parameters<typeof Undici.request>[1]> & {
  readonly dispatcher: Undici.Dispatcher;
};

/**
 * undici's `request(url, options)` for an explicit dispatcher (the companion never uses the global
 * one: every request goes through the network factory's trust, proxy and address policy).
 * `dispatcher.request` is undici's API, which undici-core.ts puts on every dispatcher's prototype;
 * a dispatcher exists only through the network factory, which loads it.
 */
export function request(
  url: string | URL,
  options: RequestOptions,
): Promise<Undici.Dispatcher.ResponseData> {
  const target = typeof url === 'string' ? new URL(url) : url;
  const { dispatcher, ...rest } = options;
  return dispatcher.request({
    ...rest,
    origin: target.origin,
    path: target.search ? `${target.pathname}${target.search}` : target.pathname,
    method: rest.method ?? (rest.body ? 'PUT' : 'GET'),
  } as Undici.Dispatcher.RequestOptions) as Promise<Undici.Dispatcher.ResponseData>;
}
