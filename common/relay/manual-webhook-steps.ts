import type { HintSurface } from '../errors/hint-surface.js';

/** The name of the companion's webhook in BDC; registration finds it again by this name. */
export const WEBHOOK_NAME = 'Ankra';
/** The one event the platform needs (docs/bdc-rest-reference.md, Registering webhooks). */
export const WEBHOOK_EVENTS: readonly string[] = ['repo:refs_changed'];

/** Where the webhook goes in BDC: one repository, or a project (inherited by its repositories). */
export type ManualWebhookPlace =
  | { readonly kind: 'repository'; readonly project: string; readonly slug: string }
  | { readonly kind: 'project'; readonly project: string };

/**
 * The facts an admin without webhook rights needs to set the webhook up in BDC by hand. The
 * secret is named, never carried: it is the one the Ankra platform issued (docs/relay-and-services.md,
 * "Who issues the webhook secret").
 */
export interface ManualWebhookFacts {
  readonly baseUrl: string;
  readonly place: ManualWebhookPlace;
  /** The relay URL as BDC reaches it; undefined while none is known. */
  readonly url: string | undefined;
}

function settingsPage(baseUrl: string, place: ManualWebhookPlace): string {
  const project = `${baseUrl}/projects/${encodeURIComponent(place.project)}`;
  return place.kind === 'project'
    ? `${project}/settings (Project settings → Webhooks)`
    : `${project}/repos/${encodeURIComponent(place.slug)}/settings (Repository settings → Webhooks)`;
}

function adminOf(place: ManualWebhookPlace): string {
  return place.kind === 'project' ? 'project' : 'repository';
}

/**
 * The manual set-up, in the words of where it is shown (a hint speaks where it is shown: the
 * window names its own steps, the command line its commands). The facts — page, name, URL,
 * event, secret — are the same on both surfaces.
 */
export function manualWebhookSteps(facts: ManualWebhookFacts, surface: HintSurface): string {
  const url = facts.url ?? '<the relay URL BDC can reach>';
  const again =
    surface === 'gui'
      ? 'Or sign in as such an admin (Installations → Sign in…) and register the webhooks again in the Relay step.'
      : 'Or sign in as such an admin and run `webhooks register` again.';
  return [
    `Ask a ${adminOf(facts.place)} admin to open ${settingsPage(facts.baseUrl, facts.place)} and choose "Create webhook":`,
    `  Name: ${WEBHOOK_NAME}`,
    `  URL: ${url}`,
    '  Secret: the webhook secret the Ankra platform issued for this installation (the one stored in the companion)',
    `  Events: Repository → Push (${WEBHOOK_EVENTS.join(', ')})`,
    `then "Test connection" and Save. ${again}`,
  ].join('\n');
}

/** What to do by hand when the signed-in user may not delete a webhook. */
export function manualWebhookRemovalSteps(
  baseUrl: string,
  place: ManualWebhookPlace,
  surface: HintSurface,
): string {
  const again =
    surface === 'gui'
      ? 'Or sign in as such an admin (Installations → Sign in…) and remove it again.'
      : 'Or sign in as such an admin and run `webhooks unregister` again.';
  return `Ask a ${adminOf(place)} admin to open ${settingsPage(baseUrl, place)} and delete the webhook named "${WEBHOOK_NAME}". ${again}`;
}

/**
 * What to change by hand when the companion could not put a new secret on a webhook it
 * registered (no sign-in, or no webhook rights any more).
 */
export function manualWebhookSecretSteps(
  baseUrl: string,
  place: ManualWebhookPlace,
  surface: HintSurface,
): string {
  const again =
    surface === 'gui'
      ? 'Or sign in as such an admin (Installations → Sign in…) and save the secret again.'
      : 'Or sign in as such an admin and run `installation update <name> --webhook-secret-stdin` again.';
  return `Ask a ${adminOf(place)} admin to open ${settingsPage(baseUrl, place)}, edit the webhook named "${WEBHOOK_NAME}", enter the new secret the Ankra platform issued in its Secret field, and Save. ${again}`;
}
