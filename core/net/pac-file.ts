import type { FindProxyForURL } from 'pac-resolver';
import { CompanionError } from '../../common/errors/companion-error.js';
import { readBounded } from '../io/bounded-read.js';

/** A PAC file is a small script; a megabyte is far beyond any real one. */
export const PAC_MAX_BYTES = 1024 * 1024;
/** How long a fetched script is reused before it is fetched again. */
export const PAC_CACHE_MS = 5 * 60_000;
const PAC_TIMEOUT_MS = 10_000;

/** Answers `FindProxyForURL(url, host)` of the PAC file at `pacUrl` (`"PROXY p:3128; DIRECT"`). */
export type PacEvaluator = (pacUrl: string, url: string) => Promise<string>;

/**
 * Fetches the script the way browsers do — directly, never through a proxy (the PAC file is what
 * names the proxy) — with TLS verification on, bounded in size and time, and evaluates it in a
 * QuickJS sandbox (pac-resolver: the script cannot reach Node, the file system or the network;
 * `dnsResolve` and `isInNet` resolve names as this machine does). `caPems` are trusted in addition
 * to the runtime roots for an https PAC URL.
 */
export function createPacEvaluator(
  options: {
    readonly caPems?: () => readonly string[];
    readonly now?: () => number;
  } = {},
): PacEvaluator {
  const now = options.now ?? Date.now;
  const cache = new Map<string, { readonly at: number; readonly find: Promise<FindProxyForURL> }>();
  return async (pacUrl, url) => {
    const cached = cache.get(pacUrl);
    let find = cached !== undefined && now() - cached.at < PAC_CACHE_MS ? cached.find : undefined;
    if (find === undefined) {
      find = loadPac(pacUrl, options.caPems?.() ?? []);
      cache.clear();
      cache.set(pacUrl, { at: now(), find });
      // A failed fetch is not kept: the next request tries again.
      find.catch(() => cache.delete(pacUrl));
    }
    const resolve = await find;
    try {
      return String(await resolve(url));
    } catch (error) {
      throw new CompanionError(
        'PROXY_PAC_FAILED',
        `The PAC file ${displayPacUrl(pacUrl)} failed for ${new URL(url).host}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  };
}

/** The PAC URL for messages: no query (it may carry a token) and no user information. */
export function displayPacUrl(pacUrl: string): string {
  const parsed = new URL(pacUrl);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

async function loadPac(pacUrl: string, caPems: readonly string[]): Promise<FindProxyForURL> {
  const shown = displayPacUrl(pacUrl);
  const failed = (reason: string, cause?: unknown): CompanionError =>
    new CompanionError('PROXY_PAC_FAILED', `The PAC file ${shown} could not be loaded: ${reason}`, {
      ...(cause === undefined ? {} : { cause }),
      data: { pacUrl: shown },
    });
  // Loaded here, not at the top: every CLI run installs the routing this module is part of, and
  // only a PAC setting ever fetches (undici and the TLS context cost a read-only command ~80 ms).
  const [{ Agent, request }, { trustContext }] = await Promise.all([
    import('./undici-core.js'),
    import('./trust-context.js'),
  ]);
  const dispatcher = new Agent({
    connect: {
      secureContext: trustContext(caPems),
      rejectUnauthorized: true,
      timeout: PAC_TIMEOUT_MS,
    },
    headersTimeout: PAC_TIMEOUT_MS,
    bodyTimeout: PAC_TIMEOUT_MS,
  });
  let script: string;
  try {
    const response = await request(pacUrl, { dispatcher });
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw failed(`HTTP ${response.statusCode}`);
    }
    const body = await readBounded(response.body, PAC_MAX_BYTES, () =>
      failed(`larger than ${PAC_MAX_BYTES} bytes`),
    );
    script = body.toString('utf8');
  } catch (error) {
    if (error instanceof CompanionError) throw error;
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw failed(reason, error);
  } finally {
    await dispatcher.close().catch(() => undefined);
  }
  // Loaded on first use: most runs never meet a PAC file, and the sandbox is a WebAssembly module.
  const [{ getQuickJS }, { createPacResolver }] = await Promise.all([
    import('@tootallnate/quickjs-emscripten'),
    import('pac-resolver'),
  ]);
  try {
    return createPacResolver(await getQuickJS(), script);
  } catch (error) {
    throw failed(`not a PAC script (${(error as Error).message})`, error);
  }
}
