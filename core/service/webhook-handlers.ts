import type { Database } from 'better-sqlite3';
import type {
  InstallationRef,
  ProjectRef,
  RepositoryQuery,
  RepositoryRef,
  WebhookRegisterRequest,
  WebhookSecretChange,
  WebhookSecretRequest,
  WebhookUnregisterRequest,
} from '../../common/api/models.js';
import { CompanionError } from '../../common/errors/companion-error.js';
import type { Installation } from '../../common/models/installation.js';
import { createAuthorization } from '../auth/installation-authorization.js';
import { createBdcClient, type BdcClient } from '../bdc/bdc-client.js';
import { installationNetworkOptions } from '../net/installation-network.js';
import { createDispatcher } from '../net/network-factory.js';
import { changeInstallation } from '../use-cases/change-installation.js';
import { BdcWebhooks } from '../webhooks/bdc-webhooks.js';
import { registerWebhooks } from '../webhooks/webhook-operations.js';
import { WebhookRegistry } from '../webhooks/webhook-registry.js';
import { unregisterWebhooks } from '../webhooks/unregister-webhooks.js';
import { assessRelayUrlOf } from '../webhooks/relay-url-warnings.js';
import { parseRepositoryTarget } from '../webhooks/webhook-target.js';
import type { OperationHandlers } from './companion-service.js';
import type { ServicePorts } from './service-ports.js';

interface ProjectJson {
  readonly key: string;
  readonly name?: string;
}

interface RepositoryJson {
  readonly slug: string;
  readonly name?: string;
  readonly project?: { readonly key?: string };
}

/** Repository/project picker, webhook registration with BDC's test delivery, and the secret. */
export function webhookHandlers(ports: ServicePorts, database: Database): OperationHandlers {
  const { settings, secretStore, events, env, logger } = ports;

  /** The installation's signed-in REST client; the caller closes it. */
  async function openClient(installation: Installation): Promise<BdcClient> {
    const dispatcher = createDispatcher({ ...installationNetworkOptions(installation), env });
    try {
      const authorization = await createAuthorization(installation, secretStore, {
        dispatcher,
        logger,
      });
      return createBdcClient({
        baseUrl: installation.baseUrl,
        authorization,
        dispatcher,
        ownsDispatcher: true,
        logger,
      });
    } catch (error) {
      await dispatcher.close().catch(() => undefined);
      throw error;
    }
  }

  async function withClient<T>(
    installation: Installation,
    work: (client: BdcClient) => Promise<T>,
  ): Promise<T> {
    const client = await openClient(installation);
    try {
      return await work(client);
    } finally {
      await client.close();
    }
  }

  /**
   * The platform's secret, through the one use case the CLI uses too: stored, then put on every
   * webhook the companion registered (core/webhooks/change-webhook-secret.ts).
   */
  async function changeSecret(
    request: WebhookSecretRequest,
  ): Promise<{ webhookSecret: WebhookSecretChange }> {
    const result = await changeInstallation(
      {
        settings,
        env,
        now: ports.now,
        logger,
        webhookSecret: {
          secretStore,
          database,
          now: () => ports.now().getTime(),
          openWebhooks: async (installation) => {
            const client = await openClient(installation);
            return { webhooks: new BdcWebhooks(client), close: () => client.close() };
          },
        },
      },
      { installation: request.installation, changes: {}, webhookSecret: request.secret },
    );
    if (result.webhookSecret === undefined) throw new Error('the webhook secret was not changed');
    events.emit({ kind: 'installations-changed' });
    return { webhookSecret: result.webhookSecret };
  }

  return {
    async listProjects(request: InstallationRef): Promise<readonly ProjectRef[]> {
      const installation = settings.requireInstallation(request.installation);
      return withClient(installation, async (client) => {
        const projects: ProjectRef[] = [];
        for await (const project of client.paged<ProjectJson>(
          '/rest/api/1.0/projects',
          { permission: 'PROJECT_READ' },
          { limit: 100, maxPages: 50 },
        )) {
          projects.push({ key: project.key, name: project.name ?? project.key });
        }
        return projects;
      });
    },

    async listRepositories(request: RepositoryQuery): Promise<readonly RepositoryRef[]> {
      const installation = settings.requireInstallation(request.installation);
      if (!request.project) {
        throw new CompanionError('INPUT_INVALID', 'Choose a project first.');
      }
      const project = request.project;
      return withClient(installation, async (client) => {
        const repositories: RepositoryRef[] = [];
        for await (const repo of client.paged<RepositoryJson>(
          `/rest/api/1.0/projects/${encodeURIComponent(project)}/repos`,
          {},
          { limit: 100, maxPages: 50 },
        )) {
          repositories.push({
            project: repo.project?.key ?? project,
            slug: repo.slug,
            name: repo.name ?? repo.slug,
          });
        }
        return repositories;
      });
    },

    async setWebhookSecret(request: WebhookSecretRequest): Promise<WebhookSecretChange> {
      return (await changeSecret(request)).webhookSecret;
    },

    async rotateWebhookSecret(request: WebhookSecretRequest) {
      const installation = settings.requireInstallation(request.installation);
      if (new WebhookRegistry(database).list(installation.id).length === 0) {
        throw new CompanionError(
          'WEBHOOK_NOT_REGISTERED',
          'No BDC webhook is registered for this installation.',
        );
      }
      const { webhookSecret } = await changeSecret(request);
      return { updated: webhookSecret.switched.length };
    },

    async registerWebhooks(request: WebhookRegisterRequest) {
      const installation = settings.requireInstallation(request.installation);
      const secret = await secretStore.get({
        installationId: installation.id,
        kind: 'webhook-secret',
      });
      if (!secret) {
        throw new CompanionError(
          'WEBHOOK_SECRET_MISSING',
          'No webhook secret is stored for this installation.',
          {
            hint: 'Enter the webhook secret the Ankra platform shows for this installation first.',
          },
        );
      }
      const targets = request.repos.map((repo) => parseRepositoryTarget(repo));
      // A malformed URL fails here, before BDC is asked anything; doubtful addresses only warn.
      const warnings = assessRelayUrlOf(installation, request.url);
      const result = await withClient(installation, (client) =>
        registerWebhooks(
          {
            webhooks: new BdcWebhooks(client, request.url),
            database,
            installationId: installation.id,
          },
          targets,
          request.url,
          secret,
        ),
      );
      events.emit({ kind: 'installations-changed' });
      return { ...result, warnings };
    },

    async unregisterWebhooks(request: WebhookUnregisterRequest) {
      const installation = settings.requireInstallation(request.installation);
      const targets = request.repos.map((repo) => parseRepositoryTarget(repo));
      const removed = await withClient(installation, (client) =>
        unregisterWebhooks(
          { webhooks: new BdcWebhooks(client), database, installationId: installation.id },
          targets,
        ),
      );
      events.emit({ kind: 'installations-changed' });
      return { removed };
    },
  };
}
