import type { Dispatcher } from 'undici';
import type { Installation } from '../../common/models/installation.js';
import type { Authorization } from '../auth/authorization.js';
import { createAuthorization } from '../auth/installation-authorization.js';
import { createBdcClient, type BdcClient } from '../bdc/bdc-client.js';
import type { Logger } from '../logging/logger.js';
import { installationNetworkOptions } from '../net/installation-network.js';
import { createDispatcher } from '../net/network-factory.js';
import type { Environment } from './local-ports.js';
import { secretStoreOf, type SecretStorePort } from './secret-store-port.js';

export interface SignedInClientPorts {
  readonly secretStore: SecretStorePort;
  readonly env: Environment;
  readonly logger?: Logger;
  readonly now?: () => number;
}

export interface SignedInClientOptions {
  /** How many 429 answers the REST client waits out (watch mode pauses itself instead: 0). */
  readonly rateLimitRetries?: number;
}

/**
 * One connection pool to an installation's BDC (its CAs, its address policy, the proxy of `env`)
 * and the installation's credential, shared by the REST client and whoever speaks git or raw
 * HTTP over the same pool (watch mode's ref reads, the bridge).
 */
export interface SignedInClient {
  readonly client: BdcClient;
  readonly dispatcher: Dispatcher;
  readonly authorization: Authorization;
  /** Closes the pool; the credential stays stored. */
  close(): Promise<void>;
}

/**
 * Opens a signed-in Bitbucket client for an installation: the one way every caller (webhook
 * commands and views, the push engine's author lookup, watch mode, the bridge) gets one. Throws
 * AUTH_NOT_SIGNED_IN when the installation has no stored credential.
 */
export async function openSignedInClient(
  ports: SignedInClientPorts,
  installation: Installation,
  options: SignedInClientOptions = {},
): Promise<SignedInClient> {
  const dispatcher = createDispatcher({
    ...installationNetworkOptions(installation),
    env: ports.env,
  });
  try {
    const authorization = await createAuthorization(
      installation,
      await secretStoreOf(ports.secretStore),
      {
        dispatcher,
        env: ports.env,
        ...(ports.logger === undefined ? {} : { logger: ports.logger }),
        ...(ports.now === undefined ? {} : { now: ports.now }),
      },
    );
    return clientOver(installation, dispatcher, authorization, ports.logger, options);
  } catch (error) {
    await dispatcher.close().catch(() => undefined);
    throw error;
  }
}

/**
 * A client for a credential that is not stored yet (sign-in checks a token before keeping it),
 * over the same network options as a signed-in one.
 */
export function openClientWithCredential(
  ports: Pick<SignedInClientPorts, 'env' | 'logger'>,
  installation: Installation,
  authorization: Authorization,
): SignedInClient {
  const dispatcher = createDispatcher({
    ...installationNetworkOptions(installation),
    env: ports.env,
  });
  return clientOver(installation, dispatcher, authorization, ports.logger, {});
}

/** Runs `work` with a signed-in client and closes its connections whatever happens. */
export async function withSignedInClient<T>(
  ports: SignedInClientPorts,
  installation: Installation,
  work: (signedIn: SignedInClient) => Promise<T>,
  options: SignedInClientOptions = {},
): Promise<T> {
  const signedIn = await openSignedInClient(ports, installation, options);
  try {
    return await work(signedIn);
  } finally {
    await signedIn.close();
  }
}

function clientOver(
  installation: Installation,
  dispatcher: Dispatcher,
  authorization: Authorization,
  logger: Logger | undefined,
  options: SignedInClientOptions,
): SignedInClient {
  const client = createBdcClient({
    baseUrl: installation.baseUrl,
    authorization,
    dispatcher,
    ownsDispatcher: true,
    ...(logger === undefined ? {} : { logger }),
    ...(options.rateLimitRetries === undefined
      ? {}
      : { rateLimitRetries: options.rateLimitRetries }),
  });
  return {
    client,
    dispatcher,
    authorization,
    close: () => client.close().catch(() => undefined),
  };
}
