import type { Database } from 'better-sqlite3';
import type { Installation } from '../../common/models/installation.js';
import type { WatchSettings } from '../../common/models/watch.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import type { RunningRelay } from '../relay/relay.js';
import { loadWebhookSecrets } from '../relay/webhook-secrets.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { openSignedInClient } from '../use-cases/open-signed-in-client.js';
import { startRefWatcher, type RunningWatcher } from './ref-watcher.js';
import { WatchStore } from './watch-store.js';
import { CompanionError } from '../../common/errors/companion-error.js';

export interface InstallationWatchOptions {
  readonly database: Database;
  readonly secrets: SecretStore;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The installation's watch settings now (re-read at every round); undefined = off. */
  readonly settings?: () => WatchSettings | undefined;
  /** Test and benchmark port: an interval below the 5 s users may choose. */
  readonly intervalMs?: number;
  readonly maxRepositoriesPerRound?: number;
  readonly logger?: Logger;
}

/**
 * Starts watch mode for an installation beside its running relay: one dispatcher to BDC (its CAs,
 * its address policy; keep-alive, so the polls reuse one connection), the installation's
 * credential, and the relay's queue for the events.
 */
export async function startInstallationWatch(
  installation: Installation,
  relay: Pick<RunningRelay, 'enqueue'>,
  options: InstallationWatchOptions,
): Promise<RunningWatcher> {
  const logger = options.logger ?? silentLogger;
  const signedIn = await openSignedInClient(
    { secretStore: options.secrets, env: options.env, logger },
    installation,
    // A 429 pauses the whole watch (docs/watch-mode.md), not one request three times.
    { rateLimitRetries: 0 },
  );
  const { client: bdc, dispatcher, authorization } = signedIn;
  try {
    const watcher = startRefWatcher({
      installationId: installation.id,
      store: new WatchStore(options.database),
      settings: options.settings ?? (() => installation.relay.watch),
      ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
      ...(options.maxRepositoriesPerRound === undefined
        ? {}
        : { maxRepositoriesPerRound: options.maxRepositoriesPerRound }),
      bdc,
      refs: { dispatcher, authorization },
      user: authorization.user,
      secret: async () => {
        const [current] = await loadWebhookSecrets(options.secrets, installation.id);
        if (current === undefined) {
          throw new CompanionError(
            'WEBHOOK_SECRET_MISSING',
            'No webhook secret is stored for this installation, so no event could be signed.',
          );
        }
        return current;
      },
      enqueue: (work) => relay.enqueue(work),
      logger: logger.child({ component: 'watch' }),
    });
    return {
      nextRound: () => watcher.nextRound(),
      async stop() {
        await watcher.stop();
        await signedIn.close();
      },
    };
  } catch (error) {
    await signedIn.close();
    throw error;
  }
}
