import tls from 'node:tls';

// The TLS trust every connection uses, apart from the HTTP client (network-factory.ts): the bridge's
// WebSocket, the proxy tunnel and the probe's handshakes take it without loading undici.

/**
 * The runtime's own trust store. `tls.getCACertificates` (Node ≥ 22.15, so Electron ≥ 35) also
 * sees the OS store; on Node 20 only the bundled Mozilla roots exist.
 */
export function runtimeRootCertificates(): readonly string[] {
  const withStore = tls as typeof tls & {
    getCACertificates?: (type: 'default' | 'system' | 'bundled' | 'extra') => string[];
  };
  if (typeof withStore.getCACertificates === 'function') {
    const roots = new Set<string>(withStore.getCACertificates('default'));
    try {
      for (const pem of withStore.getCACertificates('system')) roots.add(pem);
    } catch {
      // Some builds have no system store access; the default set is still complete.
    }
    return [...roots];
  }
  return tls.rootCertificates;
}

/**
 * The trust list for a connection: the runtime roots plus the pasted CAs. Node's `ca` option
 * replaces the default store, so the roots are always put back in — a private CA is trusted in
 * addition to the public ones, never instead of them.
 */
export function trustedCertificates(caPems: readonly string[] | undefined): string[] {
  return [...runtimeRootCertificates(), ...(caPems ?? [])];
}

/**
 * Whether Node's own default store is exactly `tls.rootCertificates`: on Node 20 without
 * `NODE_EXTRA_CA_CERTS` (which the companion ignores, docs/troubleshooting.md) and without
 * `--use-openssl-ca`/`--use-system-ca`. Read once: Node reads both at start.
 */
const defaultStoreIsBundled = ((): boolean => {
  if (typeof (tls as { getCACertificates?: unknown }).getCACertificates === 'function')
    return false;
  // How this Node process itself was started (Node read these at its start), not configuration a
  // caller could pass in: the one read of process.env in core/.
  /* eslint-disable no-restricted-properties */
  if ((process.env['NODE_EXTRA_CA_CERTS'] ?? '') !== '') return false;
  const flags = [...process.execArgv, process.env['NODE_OPTIONS'] ?? ''].join(' ');
  /* eslint-enable no-restricted-properties */
  return !/--use-(openssl|system)-ca/.test(flags);
})();

const contexts = new Map<string, tls.SecureContext>();
const MAX_CACHED_CONTEXTS = 16;

/**
 * The TLS trust (runtime roots + CAs) as one reusable SecureContext. Building one parses every
 * root certificate (about 90 ms here); passing `ca` per connection would pay that on every
 * handshake, so contexts are built once per CA set and shared.
 */
export function trustContext(
  caPems: readonly string[] | undefined,
  allowPartialChain = false,
): tls.SecureContext {
  const key = `${allowPartialChain ? 'partial' : 'full'}\n${(caPems ?? []).join('\n')}`;
  const cached = contexts.get(key);
  if (cached !== undefined) {
    contexts.delete(key);
    contexts.set(key, cached);
    return cached;
  }
  // Node ≥ 20.18: lets a pasted intermediate anchor the chain. Only with the explicit flag.
  const partial = allowPartialChain ? { allowPartialTrustChain: true } : {};
  let context: tls.SecureContext;
  if (!defaultStoreIsBundled) {
    context = tls.createSecureContext({
      ca: trustedCertificates(caPems),
      ...partial,
    } as tls.SecureContextOptions);
  } else {
    // Node 20 (the CLI and daemon): without `ca` the context starts from the bundled roots Node
    // parsed once in C++, and each pasted CA is added to a copy of that store. The same trust as
    // passing `[...tls.rootCertificates, ...caPems]`, without re-parsing ~140 root PEMs in
    // JavaScript — 30–180 ms of every process that opens a connection (bench/RESULTS.md).
    context = tls.createSecureContext(partial as tls.SecureContextOptions);
    const native = (context as tls.SecureContext & { context: { addCACert(pem: string): void } })
      .context;
    for (const pem of caPems ?? []) native.addCACert(pem);
  }
  contexts.set(key, context);
  if (contexts.size > MAX_CACHED_CONTEXTS) contexts.delete(contexts.keys().next().value as string);
  return context;
}
