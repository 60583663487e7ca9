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

/**
 * Headless: `POST /api/<operation>` with the arguments as JSON, events over SSE. The session
 * cookie `serve` set is HttpOnly and same-site, so the page never handles the token itself.
 */
export function httpTransport(
  base: string,
  fetchImpl: typeof fetch = fetch.bind(globalThis),
): Transport {
  return {
    name: 'http',
    async call(operation, args) {
      let response: Response;
      try {
        response = await fetchImpl(`${base}/api/${operation}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(args),
          credentials: 'same-origin',
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
      const source = new EventSource(`${base}/api/events`);
      source.onmessage = (message: MessageEvent<string>) => {
        try {
          listener(JSON.parse(message.data));
        } catch {
          // A malformed event is dropped; the stream continues.
        }
      };
      return () => source.close();
    },
  };
}

/** Picks the transport present in this page: the preload bridge if any, else HTTP to our origin. */
export function detectTransport(scope: {
  readonly companion?: CompanionBridge;
  readonly location: Location;
}): Transport {
  if (scope.companion) return bridgeTransport(scope.companion);
  return httpTransport(scope.location.origin);
}
