import type {
  CompanionApi,
  CompanionOperations,
  EventListener,
  OperationName,
  Unsubscribe,
} from '../../../common/api/companion-api.js';
import { isEnvelope, type CompanionBridge, type Envelope } from '../../../common/api/envelope.js';
import type { CompanionEvent } from '../../../common/api/models.js';
import { OPERATION_NAMES } from '../../../common/api/operations.js';
import { CompanionError } from '../../../common/errors/companion-error.js';
import { takeServeToken, type TokenScope } from './serve-token.js';

/**
 * The renderer's only way to the engine. Components never see a transport: they get a
 * `CompanionApi` whose calls reject with `CompanionError` (code, message, hint) whichever way the
 * call travelled — through the Electron preload bridge or over HTTP to `serve`.
 */
export interface Transport {
  readonly name: 'electron' | 'http';
  call(operation: OperationName, args: readonly unknown[]): Promise<unknown>;
  subscribe(listener: (event: unknown) => void): Unsubscribe;
}

function unwrap(result: unknown): unknown {
  if (!isEnvelope(result)) {
    throw new CompanionError('INTERNAL_ERROR', 'the engine answered with an unexpected shape');
  }
  const envelope = result as Envelope<unknown>;
  if (envelope.ok) return envelope.value === null ? undefined : envelope.value;
  throw CompanionError.fromShape(envelope.error);
}

function isCompanionEvent(value: unknown): value is CompanionEvent {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { kind?: unknown }).kind === 'string'
  );
}

export function createCompanionClient(transport: Transport): CompanionApi {
  const listeners = new Set<EventListener>();
  let detach: Unsubscribe | undefined;

  const operations = Object.fromEntries(
    OPERATION_NAMES.map((name) => [
      name,
      async (...args: unknown[]) => unwrap(await transport.call(name, args)),
    ]),
  ) as unknown as CompanionOperations;

  return {
    ...operations,
    onEvent(listener) {
      listeners.add(listener);
      // One transport subscription however many components listen.
      detach ??= transport.subscribe((event) => {
        if (!isCompanionEvent(event)) return;
        for (const each of [...listeners]) each(event);
      });
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && detach) {
          detach();
          detach = undefined;
        }
      };
    },
  };
}

/** Desktop: the preload's `window.companion`, one method per operation. */
export function bridgeTransport(bridge: CompanionBridge): Transport {
  return {
    name: 'electron',
    call(operation, args) {
      const method = bridge[operation] as (...a: readonly unknown[]) => Promise<unknown>;
      return method(...args);
    },
    subscribe(listener) {
      return bridge.onEvent(listener);
    },
  };
}

/** The header `serve` reads the access token from (core/serve/serve-security.ts). */
export const TOKEN_HEADER = 'X-Companion-Token';
const RECONNECT_MS = 2_000;

/**
 * Headless: `POST /api/<operation>` with the arguments as JSON, events as a `text/event-stream`,
 * each request carrying the access token in a header (never a cookie: see docs/security.md).
 * EventSource cannot send headers, so the event stream is read with fetch, reconnecting like
 * EventSource would when it ends.
 */
export function httpTransport(
  base: string,
  token: string | undefined,
  fetchImpl: typeof fetch = fetch.bind(globalThis),
): Transport {
  const headers: Record<string, string> = token === undefined ? {} : { [TOKEN_HEADER]: token };
  return {
    name: 'http',
    async call(operation, args) {
      let response: Response;
      try {
        response = await fetchImpl(`${base}/api/${operation}`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify(args),
          credentials: 'omit',
        });
      } catch (error) {
        throw new CompanionError(
          'INTERNAL_ERROR',
          `the companion is not reachable: ${String(error)}`,
          {
            hint: 'Check that the companion (`serve`) is still running on that machine, then reload the page.',
          },
        );
      }
      return response.json();
    },
    subscribe(listener) {
      const controller = new AbortController();
      const run = async (): Promise<void> => {
        while (!controller.signal.aborted) {
          try {
            const response = await fetchImpl(`${base}/api/events`, {
              headers,
              credentials: 'omit',
              signal: controller.signal,
            });
            if (response.ok && response.body !== null) {
              await readEventStream(response.body, listener);
            }
          } catch {
            // Dropped or refused: try again shortly, as EventSource does.
          }
          if (controller.signal.aborted) return;
          await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
        }
      };
      void run();
      return () => controller.abort();
    },
  };
}

/** Reads `data:` events from a text/event-stream body until it ends. */
async function readEventStream(
  body: ReadableStream<Uint8Array>,
  listener: (event: unknown) => void,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''))
        .join('\n');
      if (data !== '') {
        try {
          listener(JSON.parse(data));
        } catch {
          // A malformed event is dropped; the stream continues.
        }
      }
      end = buffer.indexOf('\n\n');
    }
  }
}

/** Picks the transport present in this page: the preload bridge if any, else HTTP to our origin. */
export function detectTransport(
  scope: TokenScope & {
    readonly companion?: CompanionBridge;
    readonly location: Pick<Location, 'origin'>;
  },
): Transport {
  if (scope.companion) return bridgeTransport(scope.companion);
  return httpTransport(scope.location.origin, takeServeToken(scope));
}
