import * as oauth from 'oauth4webapi';
import { fetch as undiciFetch, type Dispatcher } from 'undici';
import type { Installation } from '../../../common/models/installation.js';
import { installationNetworkOptions } from '../../net/installation-network.js';
import type { NetworkOptions } from '../../net/network-options.js';

/** Turns NetworkOptions into the product's one Dispatcher (`core/net/network-factory.ts`). */
export type DispatcherFactory = (options: NetworkOptions) => Dispatcher;

/** Every OAuth request goes to the instance, so it obeys the instance's address policy and CAs. */
export function instanceNetworkOptions(
  installation: Pick<Installation, 'caPems' | 'allowLoopback' | 'allowPartialChain'>,
): Omit<NetworkOptions, 'env'> {
  return installationNetworkOptions(installation);
}

/** oauth4webapi's requests, sent through the product's dispatcher (trust, proxy, address policy). */
export function oauthHttpOptions(dispatcher: Dispatcher): { [oauth.customFetch]: typeof fetch } {
  const viaDispatcher = (async (url: string, init: RequestInit) => {
    const response = await undiciFetch(url, {
      ...(init as unknown as Parameters<typeof undiciFetch>[1]),
      dispatcher,
    });
    // undici's Response is the same class Node's fetch returns; the types differ only by package.
    return response as unknown as Response;
  }) as unknown as typeof fetch;
  return { [oauth.customFetch]: viaDispatcher };
}

export interface PlainResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** A GET without following redirects, for the pre-flight and the who-am-I check. */
export async function getWithoutRedirect(
  url: string,
  headers: Record<string, string>,
  dispatcher: Dispatcher,
): Promise<PlainResponse> {
  const response = await undiciFetch(url, { headers, redirect: 'manual', dispatcher });
  const text = await response.text();
  return { status: response.status, headers: response.headers as unknown as Headers, text };
}
