import { createMemorySecretStore } from '../secrets/memory-store.js';
import { openSecretStore } from '../secrets/open-secret-store.js';
import { openSettings } from '../settings/settings-file.js';
import type { SettingsStore } from '../settings/settings-store.js';
import { startServe, type RunningServe } from '../serve/serve-server.js';
import type { CompanionService } from '../service/companion-service.js';
import { openCompanionService } from '../service/open-service.js';
import type { Logger } from '../logging/logger.js';
import type { Environment } from './local-ports.js';

export interface ServeSession {
  readonly service: CompanionService;
  readonly serve: RunningServe;
  close(): Promise<void>;
}

export interface ServeCompanionInput {
  /** The built renderer (the same UI as the desktop). */
  readonly bundleDir: string;
  readonly host?: string;
  readonly port?: number;
  /** The loopback port of the OAuth redirect. */
  readonly oauthPort?: number;
  /**
   * `configured`: the home's store (keychain or the disclosed fallback); `in-memory`: nothing
   * persists, for the demo, which keeps its state apart from the admin's installations.
   */
  readonly secretStore?: 'configured' | 'in-memory';
}

/**
 * Opens the engine (the same service facade as the desktop) and serves the UI on loopback with
 * its token, Host and Origin checks: the one path of `serve` and `demo`.
 */
export async function serveCompanion(
  ports: { readonly home: string; readonly env: Environment; readonly logger: Logger },
  input: ServeCompanionInput,
): Promise<ServeSession> {
  let settings: SettingsStore | undefined;
  const secretStore =
    input.secretStore === 'in-memory'
      ? createMemorySecretStore()
      : await openSecretStore({
          home: ports.home,
          env: ports.env,
          // credentials-dir finds a secret under the installation's name too (`<name>.pat`, as
          // `service install` tells the admin to create it), so it needs the names. Settings are
          // opened on first use: the service opens (and, if corrupt, recovers) them first.
          nameOf: (installationId) =>
            (settings ??= openSettings(ports.home)).findInstallation(installationId)?.name,
        });
  const service = await openCompanionService({
    home: ports.home,
    transport: 'http',
    logger: ports.logger,
    secretStore,
    env: ports.env,
    oauthRedirect: 'localhost',
    ...(input.oauthPort === undefined ? {} : { oauthPort: input.oauthPort }),
  });
  try {
    const serve = await startServe({
      service,
      bundleDir: input.bundleDir,
      logger: ports.logger,
      ...(input.host === undefined ? {} : { host: input.host }),
      ...(input.port === undefined ? {} : { port: input.port }),
    });
    return {
      service,
      serve,
      async close() {
        await serve.close();
        await service.close();
      },
    };
  } catch (error) {
    await service.close();
    throw error;
  }
}
