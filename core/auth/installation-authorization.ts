import type { Dispatcher } from 'undici';
import { CompanionError } from '../../common/errors/companion-error.js';
import type { Installation } from '../../common/models/installation.js';
import type { Logger } from '../logging/logger.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { createDispatcher } from '../net/network-factory.js';
import type { Authorization } from './authorization.js';
import { patAuthorization, patKey } from './pat.js';

export interface AuthorizationOptions {
  readonly logger?: Logger;
  /** Shared with the REST client when the caller has one; built on demand otherwise. */
  readonly dispatcher?: Dispatcher;
  /** Proxy variables for a dispatcher built on demand (core never reads `process.env` itself). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly now?: () => number;
}

/**
 * The credential of a signed-in installation, whatever its mode: the one place callers (REST
 * client, push engine, webhook management) get an Authorization from.
 */
export async function createAuthorization(
  installation: Installation,
  secrets: SecretStore,
  options: AuthorizationOptions,
): Promise<Authorization> {
  const auth = installation.auth;
  switch (auth.kind) {
    case 'none':
      throw new CompanionError(
        'AUTH_NOT_SIGNED_IN',
        `The installation "${installation.name}" is not signed in.`,
        {
          hint: `Run \`bdc-companion auth pat ${installation.name} --token-stdin\` or \`auth oauth ${installation.name}\`.`,
        },
      );
    case 'pat': {
      const token = await secrets.get(patKey(installation.id));
      if (token === undefined) {
        throw new CompanionError(
          'AUTH_NOT_SIGNED_IN',
          `The access token of "${installation.name}" is missing from the ${secrets.backend} secret store.`,
          {
            hint: `Store it again with \`bdc-companion auth pat ${installation.name} --token-stdin\`.`,
          },
        );
      }
      return patAuthorization(token, auth.user);
    }
    case 'oauth': {
      // Loaded for OAuth installations only: the OAuth client brings undici's fetch and
      // oauth4webapi, which a PAT push never uses (a one-shot push process pays each load).
      const { createOAuthAuthorization } = await import('./oauth/oauth-authorization.js');
      return createOAuthAuthorization(installation, secrets, {
        ...(options.dispatcher ? { dispatcher: options.dispatcher } : { createDispatcher }),
        env: options.env,
        ...(options.logger ? { logger: options.logger } : {}),
        ...(options.now ? { now: options.now } : {}),
      });
    }
    default: {
      const unreachable: never = auth;
      throw new CompanionError(
        'INTERNAL_ERROR',
        `Unknown auth mode ${JSON.stringify(unreachable)}`,
      );
    }
  }
}
