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
import type { BdcClient } from '../bdc/bdc-client.js';
import { parseRepositoryTarget } from '../webhooks/webhook-target.js';
import { withSignedInClient } from '../use-cases/open-signed-in-client.js';
import { registerInstallationWebhooks } from '../use-cases/register-webhooks.js';
import {
  rotateInstallationWebhookSecret,
  setInstallationWebhookSecret,
} from '../use-cases/rotate-webhook-secret.js';
import { unregisterInstallationWebhooks } from '../use-cases/unregister-webhooks.js';
import type { WebhookPorts } from '../use-cases/webhook-ports.js';
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
  const webhookPorts: WebhookPorts = { settings, secretStore, database, env, logger };

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

    async setWebhookSecret(request: WebhookSecretRequest): Promise<WebhookSecretChange> {
      const change = await setInstallationWebhookSecret(
        { ...webhookPorts, now: ports.now },
        { installation: request.installation, secret: request.secret },
      );
      events.emit({ kind: 'installations-changed' });
      return change;
    },

    async rotateWebhookSecret(request: WebhookSecretRequest) {
      const change = await rotateInstallationWebhookSecret(
        { ...webhookPorts, now: ports.now },
        { installation: request.installation, secret: request.secret },
      );
      return { updated: change.switched.length };
    },

    async registerWebhooks(request: WebhookRegisterRequest) {
      const result = await registerInstallationWebhooks(webhookPorts, {
        installation: request.installation,
        targets: request.repos.map((repo) => parseRepositoryTarget(repo)),
        url: request.url,
        surface: 'gui',
      });
      events.emit({ kind: 'installations-changed' });
      return result;
    },

    async unregisterWebhooks(request: WebhookUnregisterRequest) {
      const removed = await unregisterInstallationWebhooks(webhookPorts, {
        installation: request.installation,
        targets: request.repos.map((repo) => parseRepositoryTarget(repo)),
      });
      events.emit({ kind: 'installations-changed' });
      return { removed };
    },
  };
}
