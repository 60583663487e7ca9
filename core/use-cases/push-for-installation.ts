import type {
  PushOrigin,
  PushProgress,
  PushRequest,
  PushResult,
} from '../../common/models/push.js';
import type { PushService } from '../git/push-service.js';
import type { Logger } from '../logging/logger.js';
import type { SettingsStore } from '../settings/settings-store.js';
import { commitUrl } from './commit-url.js';
import type { Environment } from './local-ports.js';
import { withSignedInClient } from './open-signed-in-client.js';
import type { SecretStorePort } from './secret-store-port.js';

export interface PushPorts {
  readonly settings: SettingsStore;
  readonly secretStore: SecretStorePort;
  /** From `openPushEngine`. */
  readonly engine: PushService;
  /** Proxy variables for the REST look-up of the signed-in user. */
  readonly env: Environment;
  readonly logger: Logger;
}

export interface PushForInstallationInput {
  /** Name or id. */
  readonly installation: string;
  readonly request: PushRequest;
  readonly onProgress?: (progress: PushProgress) => void;
  readonly signal?: AbortSignal;
  /** Who asked (recorded in the history row); a person at the companion by default. */
  readonly origin?: PushOrigin;
}

export interface PushForInstallationResult {
  readonly result: PushResult;
  /** Where BDC shows the new commit; undefined for a no-op. */
  readonly commitUrl: string | undefined;
}

/**
 * Push one atomic commit for an installation: the one path of the CLI's `push`, the test-push
 * view (desktop and `serve`) and the platform bridge. Throws a CompanionError
 * (INSTALLATION_NOT_FOUND, AUTH_NOT_SIGNED_IN, PUSH_*); every attempt lands in the history.
 */
export async function pushForInstallation(
  ports: PushPorts,
  input: PushForInstallationInput,
): Promise<PushForInstallationResult> {
  const installation = ports.settings.requireInstallation(input.installation);
  const result = await withSignedInClient(ports, installation, (signedIn) =>
    ports.engine.push(installation, signedIn, input.request, {
      ...(input.onProgress === undefined ? {} : { onProgress: input.onProgress }),
      ...(input.signal === undefined ? {} : { signal: input.signal }),
      ...(input.origin === undefined ? {} : { origin: input.origin }),
    }),
  );
  return {
    result,
    commitUrl:
      result.kind === 'committed'
        ? commitUrl(installation.baseUrl, input.request.repo, result.commit)
        : undefined,
  };
}

/** `"Name <email>"` → author, for adapters that take the author as text (the CLI's `--author`). */
export { parseAuthor } from '../git/push-operation.js';
