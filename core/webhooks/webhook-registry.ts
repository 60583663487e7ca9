import type { Database } from 'better-sqlite3';
import type { WebhookRegistration } from '../../common/models/relay.js';
import type { WebhookTarget } from './webhook-target.js';

interface Row {
  installation_id: string;
  scope: 'repository' | 'project';
  project: string;
  slug: string;
  webhook_id: number;
  url: string;
  events: string;
  active: number;
  registered_at: number;
  secret_rotated_at: number | null;
}

function toRegistration(row: Row): WebhookRegistration {
  return {
    installationId: row.installation_id,
    scope: row.scope,
    project: row.project,
    slug: row.scope === 'project' ? undefined : row.slug,
    webhookId: row.webhook_id,
    url: row.url,
    events: JSON.parse(row.events) as string[],
    active: row.active === 1,
    registeredAt: new Date(row.registered_at).toISOString(),
    secretRotatedAt:
      row.secret_rotated_at === null ? undefined : new Date(row.secret_rotated_at).toISOString(),
  };
}

export function registrationTarget(registration: WebhookRegistration): WebhookTarget {
  return registration.scope === 'project'
    ? { kind: 'project', project: registration.project }
    : { kind: 'repository', project: registration.project, slug: registration.slug ?? '' };
}

/**
 * Which BDC webhooks the companion registered, per installation: what `rotate-secret` must
 * update and `webhooks list` checks against BDC. Kept in the shared database, never the secret.
 */
export class WebhookRegistry {
  constructor(private readonly database: Database) {}

  list(installationId: string): WebhookRegistration[] {
    return (
      this.database
        .prepare(
          'SELECT * FROM webhook_registrations WHERE installation_id = ? ORDER BY project, slug',
        )
        .all(installationId) as Row[]
    ).map(toRegistration);
  }

  save(
    installationId: string,
    target: WebhookTarget,
    webhook: {
      readonly id: number;
      readonly url: string;
      readonly events: readonly string[];
      readonly active: boolean;
    },
    at: number,
    rotated = false,
  ): void {
    this.database
      .prepare(
        `INSERT INTO webhook_registrations (installation_id, scope, project, slug, webhook_id, url,
           events, active, registered_at, secret_rotated_at)
         VALUES (@installationId, @scope, @project, @slug, @webhookId, @url, @events, @active, @at, @rotatedAt)
         ON CONFLICT (installation_id, scope, project, slug) DO UPDATE SET
           webhook_id = excluded.webhook_id, url = excluded.url, events = excluded.events,
           active = excluded.active,
           registered_at = CASE WHEN @rotated THEN registered_at ELSE excluded.registered_at END,
           secret_rotated_at = CASE WHEN @rotated THEN excluded.secret_rotated_at ELSE secret_rotated_at END`,
      )
      .run({
        installationId,
        scope: target.kind,
        project: target.project,
        slug: target.kind === 'repository' ? target.slug : '',
        webhookId: webhook.id,
        url: webhook.url,
        events: JSON.stringify(webhook.events),
        active: webhook.active ? 1 : 0,
        at,
        rotatedAt: rotated ? at : null,
        rotated: rotated ? 1 : 0,
      });
  }

  /** Forgets the registration of one target (after BDC deleted the webhook). */
  remove(installationId: string, target: WebhookTarget): void {
    this.database
      .prepare(
        'DELETE FROM webhook_registrations WHERE installation_id = ? AND scope = ? AND project = ? AND slug = ?',
      )
      .run(
        installationId,
        target.kind,
        target.project,
        target.kind === 'repository' ? target.slug : '',
      );
  }
}
