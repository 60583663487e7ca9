import type { OperationName } from './companion-api.js';

/**
 * The closed, runtime list of operations: the preload builds one method per entry, main registers
 * one IPC handler per entry, and `serve` one route per entry. The type checks below fail to
 * compile when an operation is added to the contract but not here, or the other way round.
 */
export const OPERATION_NAMES = [
  'getAppInfo',
  'probe',
  'checkCa',
  'listInstallations',
  'addInstallation',
  'updateInstallation',
  'removeInstallation',
  'getAuthStatus',
  'signInWithPat',
  'getOAuthRedirectUris',
  'startOAuth',
  'awaitOAuth',
  'cancelOAuth',
  'signOut',
  'testPush',
  'queryHistory',
  'getRelayStatus',
  'getRelayEndpoint',
  'startRelay',
  'stopRelay',
  'listDeliveries',
  'replayDeliveries',
  'configureWatch',
  'listProjects',
  'listRepositories',
  'registerWebhooks',
  'unregisterWebhooks',
  'setWebhookSecret',
  'rotateWebhookSecret',
  'getBridgeStatus',
  'updateBridgePolicy',
  'setBridgeToken',
  'getSettings',
  'updateSettings',
  'getNetwork',
  'updateNetwork',
  'runDiagnostics',
] as const satisfies readonly OperationName[];

type Listed = (typeof OPERATION_NAMES)[number];
type Unlisted = Exclude<OperationName, Listed>;
/** Compile-time proof that the list is complete. */
export const OPERATION_LIST_IS_COMPLETE: [Unlisted] extends [never] ? true : never = true;

const OPERATION_SET: ReadonlySet<string> = new Set(OPERATION_NAMES);

export function isOperationName(name: string): name is OperationName {
  return OPERATION_SET.has(name);
}

/** IPC channel of an operation; main and the preload both derive it from here. */
export function operationChannel(name: OperationName): `api:${OperationName}` {
  return `api:${name}`;
}

/** The one main → renderer channel that carries `CompanionEvent`s. */
export const EVENT_CHANNEL = 'api-event';
