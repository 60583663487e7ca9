import { CompanionError } from '../../common/errors/companion-error.js';
import type { HintSurface } from '../../common/errors/hint-surface.js';
import {
  manualWebhookRemovalSteps,
  manualWebhookSteps,
} from '../../common/relay/manual-webhook-steps.js';

/** Where a webhook lives in BDC: one repository, or a project (inherited by its repositories). */
export type WebhookTarget =
  | { readonly kind: 'repository'; readonly project: string; readonly slug: string }
  | { readonly kind: 'project'; readonly project: string };

export { WEBHOOK_EVENTS, WEBHOOK_NAME } from '../../common/relay/manual-webhook-steps.js';

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
 * What a repository admin does by hand when the signed-in user may not manage webhooks, in the
 * words of the surface that shows it (common/relay/manual-webhook-steps.ts holds the facts).
 */
export function manualSteps(
  baseUrl: string,
  target: WebhookTarget,
  url: string | undefined,
  surface: HintSurface = 'cli',
): string {
  return manualWebhookSteps({ baseUrl, place: target, url }, surface);
}

/** What to do by hand when the signed-in user may not delete a webhook. */
export function manualRemovalSteps(
  baseUrl: string,
  target: WebhookTarget,
  surface: HintSurface = 'cli',
): string {
  return manualWebhookRemovalSteps(baseUrl, target, surface);
}
