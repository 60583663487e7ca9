import type { NetworkRouting } from './network-routing.js';

/** When `connectTimeoutMs` / `requestTimeoutMs` are not given. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * What every outbound connection of the product is built from (`core/net/network-factory.ts`
 * turns it into an undici Dispatcher; `core/net/git-tls.ts` into git CLI environment).
 */
export interface NetworkOptions {
  /** PEM CAs trusted in addition to the runtime's roots, never instead of them. */
  readonly caPems?: readonly string[];
  /**
   * `instance`: BDC traffic, vetted by the address policy and pinned to the vetted address.
   * `none`: traffic to the Ankra platform (public by definition) or to the system proxy.
   */
  readonly addressPolicy: 'instance' | 'none';
  /** Development setting: lets an instance resolve to loopback (tests, demo). Never IMDS. */
  readonly allowLoopback?: boolean;
  /**
   * Lets a pasted intermediate CA anchor the chain (`allowPartialTrustChain`). Only set from the
   * user's explicit "trust this intermediate" choice; roots are always preferred.
   */
  readonly allowPartialChain?: boolean;
  readonly connectTimeoutMs?: number;
  /** Time to response headers and between body chunks. */
  readonly requestTimeoutMs?: number;
  /**
   * Replaces DNS for instance traffic (the probe passes the addresses it already vetted, so the
   * HTTP step reaches exactly the server it inspected). Answers are vetted all the same.
   */
  readonly resolveHost?: (
    hostname: string,
  ) => Promise<readonly { readonly address: string; readonly family: number }[]>;
  /**
   * An explicit proxy decision that replaces the proxy variables: the desktop resolves PAC/WPAD
   * per URL with Electron's `session.resolveProxy` (see `proxyFromPacResult`) and passes it here.
   */
  readonly proxy?: ProxyChoice;
  /**
   * The routing that decides each request's route; the process's installed one
   * (`active-routing.ts`) by default. Ignored when `proxy` is given.
   */
  readonly routing?: NetworkRouting;
  /**
   * Where proxy variables (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) are read. Required: core/ never
   * reads `process.env` itself; the composition roots (CLI, desktop, `serve`) pass theirs in.
   */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** How a request leaves the machine when the caller has decided it (PAC, an app setting). */
export type ProxyChoice =
  | { readonly kind: 'direct' }
  | {
      readonly kind: 'proxy';
      /** `http://host:port` or `https://host:port`. */ readonly url: string;
    };
