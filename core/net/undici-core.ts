import { createRequire } from 'node:module';
import type * as Undici from 'undici';

/**
 * The parts of undici the companion's HTTP uses (agents, the connector, `request`), loaded from
 * their own files. undici's `index.js` also loads fetch, WebSocket, EventSource, the mock agents
 * and the cache stores: about 60 % of its load time, which a one-shot `push` or `history` process
 * paid on every start (CPU profile in bench/RESULTS.md). The same files are what `index.js`
 * exports, so classes and `instanceof` agree with any code that imports `undici` itself (the
 * OAuth client's `fetch`). undici 7 has no `exports` map, so these paths resolve; a test checks
 * they still do after an upgrade (test/core/net/undici-core.test.ts).
 */
// (`import.meta.url` is empty in the CommonJS bundle of the desktop's main process.)
const load = createRequire((import.meta.url as string | undefined) ?? __filename);

const Dispatcher = load('undici/lib/dispatcher/dispatcher.js') as { prototype: object };
// What `index.js` does: every dispatcher gets `request`, `stream`, `pipeline`, `upgrade`, `connect`.
Object.assign(Dispatcher.prototype, load('undici/lib/api/index.js') as object);

/** The base class of every dispatcher (the routed one of the network factory extends it). */
export const DispatcherBase = Dispatcher as unknown as typeof Undici.Dispatcher;
export const Agent = load('undici/lib/dispatcher/agent.js') as typeof Undici.Agent;
export const ProxyAgent = load('undici/lib/dispatcher/proxy-agent.js') as typeof Undici.ProxyAgent;
export const EnvHttpProxyAgent = load(
  'undici/lib/dispatcher/env-http-proxy-agent.js',
) as typeof Undici.EnvHttpProxyAgent;
export const buildConnector = load('undici/lib/core/connect.js') as typeof Undici.buildConnector;

// `request` is in dispatcher-request.ts: it needs none of these files, so a module that only sends
// through a dispatcher made elsewhere does not load undici (an idle `relay run`, bench/RESULTS.md).
export { request } from './dispatcher-request.js';
