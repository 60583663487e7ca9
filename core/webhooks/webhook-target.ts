import { CompanionError } from '../../common/errors/companion-error.js';

/** Where a webhook lives in BDC: one repository, or a project (inherited by its repositories). */
export type WebhookTarget =
  | { readonly kind: 'repository'; readonly project: string; readonly slug: string }
  | { readonly kind: 'project'; readonly project: string };

/** The name of the companion's webhook in BDC; registration finds it again by this name. */
export const WEBHOOK_NAME = 'Ankra';
export const WEBHOOK_EVENTS: readonly string[] = ['repo:refs_changed'];

const PROJECT_KEY = /^~?[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const SLUG = /^[A-Za-z0-9_.][A-Za-z0-9_.-]{0,127}$/;

/** `PROJECT/slug` → a repository target; anything else is WEBHOOK_REPO_INVALID. */
export function parseRepositoryTarget(text: string): WebhookTarget {
  const [project, slug, ...rest] = text.trim().split('/');
  if (
    project === undefined ||
    slug === undefined ||
    rest.length > 0 ||
    !PROJECT_KEY.test(project) ||
    !SLUG.test(slug)
  ) {
    throw new CompanionError('WEBHOOK_REPO_INVALID', `"${text}" is not PROJECT/slug.`, {
      data: { repo: text },
    });
  }
  return { kind: 'repository', project, slug };
}

export function parseProjectTarget(text: string): WebhookTarget {
  const project = text.trim();
  if (!PROJECT_KEY.test(project)) {
    throw new CompanionError('WEBHOOK_REPO_INVALID', `"${text}" is not a project key.`, {
      data: { project: text },
    });
  }
  return { kind: 'project', project };
}

/** The REST collection of the target's webhooks (docs/bdc-rest-reference.md, Registering webhooks). */
export function webhooksPath(target: WebhookTarget): string {
  const project = `/rest/api/1.0/projects/${encodeURIComponent(target.project)}`;
  return target.kind === 'project'
    ? `${project}/webhooks`
    : `${project}/repos/${encodeURIComponent(target.slug)}/webhooks`;
}

export function describeTarget(target: WebhookTarget): string {
  return target.kind === 'project'
    ? `project ${target.project}`
    : `${target.project}/${target.slug}`;
}

/**
 * What a repository admin does by hand when the signed-in user may not manage webhooks. The
 * secret is named, never printed: it is the one the platform was given.
 */
function settingsPage(baseUrl: string, target: WebhookTarget): string {
  return target.kind === 'project'
    ? `${baseUrl}/projects/${encodeURIComponent(target.project)}/settings (Project settings → Webhooks)`
    : `${baseUrl}/projects/${encodeURIComponent(target.project)}/repos/${encodeURIComponent(target.slug)}/settings (Repository settings → Webhooks)`;
}

export function manualSteps(baseUrl: string, target: WebhookTarget, url: string): string {
  const where = settingsPage(baseUrl, target);
  return [
    `Ask a ${target.kind === 'project' ? 'project' : 'repository'} admin to open ${where} and choose "Create webhook":`,
    `  Name: ${WEBHOOK_NAME}`,
    `  URL: ${url}`,
    '  Secret: the webhook secret given to the Ankra platform for this installation',
    '  Events: Repository → Push (repo:refs_changed)',
    'then "Test connection" and Save. Or sign in as such an admin and run `webhooks register` again.',
  ].join('\n');
}

/** What to do by hand when the signed-in user may not delete a webhook. */
export function manualRemovalSteps(baseUrl: string, target: WebhookTarget): string {
  return `Ask a ${target.kind === 'project' ? 'project' : 'repository'} admin to open ${settingsPage(baseUrl, target)} and delete the webhook named "${WEBHOOK_NAME}". Or sign in as such an admin and run \`webhooks unregister\` again.`;
}
