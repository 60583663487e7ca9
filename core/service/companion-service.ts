import type {
  CompanionApi,
  CompanionOperations,
  EventListener,
  OperationName,
  OperationRequest,
  OperationResult,
  Unsubscribe,
} from '../../common/api/companion-api.js';
import type { AppInfo } from '../../common/api/models.js';
import { OPERATION_NAMES } from '../../common/api/operations.js';
import { validateArguments } from '../../common/api/request-schemas.js';
import { CompanionError } from '../../common/errors/companion-error.js';
import type { ErrorShape } from '../../common/errors/error-shape.js';
import { COMPANION_VERSION } from '../../common/version.js';
import type { ServicePorts } from './service-ports.js';

/** The handlers one capability contributes; `getAppInfo` and `onEvent` belong to the facade. */
export type OperationHandlers = Partial<Omit<CompanionOperations, 'getAppInfo'>>;

/** Hooks the facade offers its host beyond the UI contract. */
export interface CompanionService extends CompanionApi {
  readonly ports: ServicePorts;
  /**
   * Runs one operation by name with untrusted arguments: validated against the request schema
   * first. IPC handlers and the HTTP transport call this, never the methods directly.
   */
  invoke<K extends OperationName>(
    operation: K,
    args: readonly unknown[],
  ): Promise<OperationResult<K>>;
  /** The operations this build can perform. */
  readonly capabilities: readonly OperationName[];
  /**
   * Hands an OAuth callback that arrived outside the UI (the desktop's custom-scheme deep link)
   * to the pending flow. Absent until the OAuth capability is wired.
   */
  readonly deliverOAuthCallback?: (url: string) => Promise<boolean>;
  /** Stops background work (relays, OAuth listeners). */
  close(): Promise<void>;
}

export interface ServiceParts {
  readonly handlers: OperationHandlers;
  /** Cleanups from capabilities that hold resources (open databases, running relays). */
  readonly closers?: readonly (() => Promise<void> | void)[];
  readonly deliverOAuthCallback?: (url: string) => Promise<boolean>;
  /** SETTINGS_CORRUPT when the settings file was moved aside on this start (shown as a banner). */
  readonly settingsRecovered?: ErrorShape | undefined;
}

/**
 * The facade implementing `CompanionApi`: one object, assembled from per-capability handler
 * sets, so a capability that is not in this build is reported as unavailable rather than faked.
 */
export function createCompanionService(ports: ServicePorts, parts: ServiceParts): CompanionService {
  const { handlers } = parts;
  const capabilities = OPERATION_NAMES.filter(
    (name) =>
      name === 'getAppInfo' || typeof handlers[name as keyof OperationHandlers] === 'function',
  );

  async function getAppInfo(): Promise<AppInfo> {
    return {
      version: COMPANION_VERSION,
      transport: ports.transport,
      capabilities,
      secretStore: {
        backend: ports.secretStore.backend,
        persistent: ports.secretStore.persistent,
        osProtected: ports.secretStore.osProtected,
      },
      oauthRedirect: ports.oauthRedirect,
      ...(parts.settingsRecovered ? { settingsRecovered: parts.settingsRecovered } : {}),
    };
  }

  function call<K extends OperationName>(
    operation: K,
    args: OperationRequest<K>,
  ): Promise<OperationResult<K>> {
    if (operation === 'getAppInfo') return getAppInfo() as Promise<OperationResult<K>>;
    const handler = handlers[operation as keyof OperationHandlers] as
      ((...request: OperationRequest<K>) => Promise<OperationResult<K>>) | undefined;
    if (!handler) {
      return Promise.reject(
        new CompanionError(
          'APP_OPERATION_UNAVAILABLE',
          `${operation} is not available in this build`,
        ),
      );
    }
    return handler(...args);
  }

  const operations = Object.fromEntries(
    OPERATION_NAMES.map((name) => [
      name,
      (...args: OperationRequest<typeof name>) => call(name, args),
    ]),
  ) as unknown as CompanionOperations;

  return {
    ...operations,
    ports,
    capabilities,
    ...(parts.deliverOAuthCallback ? { deliverOAuthCallback: parts.deliverOAuthCallback } : {}),
    onEvent(listener: EventListener): Unsubscribe {
      return ports.events.subscribe(listener);
    },
    invoke<K extends OperationName>(operation: K, args: readonly unknown[]) {
      try {
        return call(operation, validateArguments(operation, args));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    async close() {
      for (const closer of parts.closers ?? []) {
        try {
          await closer();
        } catch (error) {
          ports.logger.warn('cleanup failed', { error: String(error) });
        }
      }
    },
  };
}
