import type { Database } from 'better-sqlite3';
import type {
  InstallationRef,
  ProjectRef,
  RepositoryQuery,
  RepositoryRef,
  WebhookRegisterRequest,
  WebhookSecretRequest,
  WebhookUnregisterRequest,
} from '../../common/api/models.js';
import { CompanionError } from '../../common/errors/companion-error.js';
import type { Installation } from '../../common/models/installation.js';
import type { BdcClient } from '../bdc/bdc-client.js';
import { storeRotatedSecret } from '../relay/webhook-secrets.js';
import { BdcWebhooks } from '../webhooks/bdc-webhooks.js';
import { registerWebhooks, rotateWebhookSecret } from '../webhooks/webhook-operations.js';
import { unregisterWebhooks } from '../webhooks/unregister-webhooks.js';
import { assessRelayUrlOf } from '../webhooks/relay-url-warnings.js';
import { parseRepositoryTarget } from '../webhooks/webhook-target.js';
import { withSignedInClient } from '../use-cases/open-signed-in-client.js';
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

  function withClient<T>(
    installation: Installation,
    work: (client: BdcClient) => Promise<T>,
  ): Promise<T> {
    return withSignedInClient({ secretStore, env, logger }, installation, ({ client }) =>
      work(client),
    );
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

    async setWebhookSecret(request: WebhookSecretRequest): Promise<void> {
      const installation = settings.requireInstallation(request.installation);
      const secret = request.secret.trim();
      if (secret.length < 16) {
        throw new CompanionError(
          'INPUT_INVALID',
          'The webhook secret is shorter than 16 characters.',
        );
      }
      // Through the rotation path: a secret BDC may still sign with stays accepted for a while.
      await storeRotatedSecret(secretStore, installation.id, secret, ports.now().getTime());
    },

    async rotateWebhookSecret(request: WebhookSecretRequest) {
      const installation = settings.requireInstallation(request.installation);
      const secret = request.secret.trim();
      const result = await withClient(installation, (client) =>
        rotateWebhookSecret(
          { webhooks: new BdcWebhooks(client), database, installationId: installation.id },
          secretStore,
          { generate: () => secret },
        ),
      );
      return { updated: result.webhooks.length };
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
