import { isIP } from 'node:net';
import type { Dispatcher, buildConnector as BuildConnector } from 'undici';
import { vetOne, createGuardedLookup, resolveVetted } from './guarded-lookup.js';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type NetworkOptions,
} from './network-options.js';
import { activeNetworkRouting } from './active-routing.js';
import type { NetworkRouting } from './network-routing.js';
import { resolveProxySettings } from './proxy-settings.js';
import { trustContext } from './trust-context.js';
import {
  Agent,
  DispatcherBase,
  EnvHttpProxyAgent,
  ProxyAgent,
  buildConnector,
} from './undici-core.js';

/**
 * Builds the one undici Dispatcher every outbound HTTP(S) request of the product goes through.
 *
 * - TLS verification is always on; trust is runtime roots + `caPems`, also for the origin TLS
 *   inside a proxy tunnel (ProxyAgent ignores `connect` and reads `requestTls`).
 * - The route of each request (direct, or which proxy) comes from the process's routing
 *   (`active-routing.ts`: the Network setting, the proxy variables, the system, in the order of
 *   `network-routing.ts`), asked per request; `options.proxy` overrides it for one caller that has
 *   already decided (the probe). Without a routing, HTTPS_PROXY / HTTP_PROXY / NO_PROXY in
 *   `options.env` decide (lower case wins).
 * - `addressPolicy: 'instance'`: every direct connection resolves the host, vets every address and
 *   connects only to the vetted ones (SNI and certificate checks keep the host name); IP literal
 *   hosts, which skip DNS, are vetted in the connector. Through a proxy the companion cannot pin,
 *   so it vets the name as this machine resolves it before handing the request to the proxy.
 */
export function createDispatcher(options: NetworkOptions): Dispatcher {
  const policy = { allowLoopback: options.allowLoopback === true };
  const connectTimeout = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const tlsOptions = {
    secureContext: trustContext(options.caPems, options.allowPartialChain === true),
    rejectUnauthorized: true,
  };
  const proxy = resolveProxySettings(options.env);

  const connect =
    options.addressPolicy === 'instance'
      ? guardedConnector(
          buildConnector({
            ...tlsOptions,
            timeout: connectTimeout,
            lookup: createGuardedLookup(policy, options.resolveHost),
          }),
          policy,
        )
      : { ...tlsOptions, timeout: connectTimeout };

  const agentOptions = {
    connect,
    headersTimeout: requestTimeout,
    bodyTimeout: requestTimeout,
  };

  const explicit = options.proxy;
  const tunnelTls = {
    requestTls: { ...tlsOptions, timeout: connectTimeout },
    // A TLS-intercepting corporate proxy is trusted through the same pasted CAs.
    proxyTls: { ...tlsOptions, timeout: connectTimeout },
  };
  const routing = explicit === undefined ? (options.routing ?? activeNetworkRouting()) : undefined;
  if (routing !== undefined) {
    return new RoutedDispatcher(
      routing,
      new Agent(agentOptions),
      (uri) => new ProxyAgent({ ...agentOptions, uri, ...tunnelTls }),
      options.addressPolicy === 'instance'
        ? (host) => vetProxiedHost(host, policy, options.resolveHost)
        : undefined,
    );
  }
  if (explicit?.kind === 'direct') return new Agent(agentOptions);
  if (explicit === undefined && proxy.httpsProxy === '' && proxy.httpProxy === '') {
    return new Agent(agentOptions);
  }
  const dispatcher: Dispatcher =
    explicit === undefined
      ? new EnvHttpProxyAgent({
          ...agentOptions,
          httpProxy: proxy.httpProxy,
          httpsProxy: proxy.httpsProxy,
          noProxy: proxy.noProxy,
          ...tunnelTls,
        })
      : new ProxyAgent({ ...agentOptions, uri: explicit.url, ...tunnelTls });
  if (options.addressPolicy !== 'instance') return dispatcher;
  return dispatcher.compose((dispatch) => (dispatchOptions, handler) => {
    const origin = new URL(String(dispatchOptions.origin));
    vetProxiedHost(origin.hostname, policy, options.resolveHost).then(
      () => dispatch(dispatchOptions, handler),
      (error: unknown) => {
        const failure = error instanceof Error ? error : new Error(String(error));
        // compose() hands interceptors the controller-style handler of undici 7.
        handler.onResponseError?.(null as never, failure);
      },
    );
    return true;
  });
}

/** Vets IP-literal hosts, which the lookup never sees, before the connector dials them. */
function guardedConnector(
  base: BuildConnector.connector,
  policy: { readonly allowLoopback: boolean },
): BuildConnector.connector {
  return (connectOptions, callback) => {
    const host = connectOptions.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0) {
      try {
        vetOne(host, host, policy);
      } catch (error) {
        callback(error as Error, null);
        return;
      }
    }
    base(connectOptions, callback);
  };
}

/**
 * Through a proxy the companion cannot pin the address, so it vets the name as this machine
 * resolves it before handing the request to the proxy.
 */
async function vetProxiedHost(
  hostname: string,
  policy: { readonly allowLoopback: boolean },
  resolveHost: NetworkOptions['resolveHost'],
): Promise<void> {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) vetOne(host, host, policy);
  else await resolveVetted(host, policy, resolveHost);
}

type Handler = Dispatcher.DispatchHandler & {
  onError?: (error: Error) => void;
};

/**
 * Asks the routing for each request's route, then hands the request to the direct agent or to
 * the proxy agent of that route (one per proxy, kept while the dispatcher lives). A routing
 * failure (a PAC file that cannot be loaded, missing proxy credentials) fails that request with
 * its own error rather than silently going direct.
 */
class RoutedDispatcher extends DispatcherBase {
  readonly #proxies = new Map<string, Dispatcher>();

  constructor(
    private readonly routing: NetworkRouting,
    private readonly direct: Dispatcher,
    private readonly proxyAgent: (uri: string) => Dispatcher,
    private readonly vet: ((hostname: string) => Promise<void>) | undefined,
  ) {
    super();
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Handler): boolean {
    const origin = new URL(String(options.origin));
    this.routing
      .route(origin.href)
      .then(async (route): Promise<Dispatcher> => {
        if (route.choice.kind === 'direct') return this.direct;
        await this.vet?.(origin.hostname);
        let agent = this.#proxies.get(route.choice.url);
        if (agent === undefined) {
          agent = this.proxyAgent(route.choice.url);
          this.#proxies.set(route.choice.url, agent);
        }
        return agent;
      })
      .then(
        (target) => target.dispatch(options, handler),
        (error: unknown) => {
          const failure = error instanceof Error ? error : new Error(String(error));
          if (typeof handler.onResponseError === 'function') {
            handler.onResponseError(null as never, failure);
          } else {
            handler.onError?.(failure);
          }
        },
      );
    return true;
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    const closing = Promise.all(
      [this.direct, ...this.#proxies.values()].map((agent) => agent.close()),
    ).then(() => undefined);
    if (callback === undefined) return closing;
    void closing.then(callback, callback);
  }

  override destroy(): Promise<void>;
  override destroy(error: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(error: Error | null, callback: () => void): void;
  override destroy(first?: Error | null | (() => void), second?: () => void): Promise<void> | void {
    const error = typeof first === 'function' ? null : (first ?? null);
    const callback = typeof first === 'function' ? first : second;
    const destroying = Promise.all(
      [this.direct, ...this.#proxies.values()].map((agent) => agent.destroy(error)),
    ).then(() => undefined);
    if (callback === undefined) return destroying;
    void destroying.then(callback, callback);
  }
}
