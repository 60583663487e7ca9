import type { CatalogueSection } from '../catalogue-entry.js';

/** Codes of the webhooks capability. */
export const webhooksCodes = {
  WEBHOOK_PERMISSION_DENIED: {
    cause:
      'BDC refused to manage webhooks: the signed-in user lacks REPO_ADMIN (PROJECT_ADMIN for project webhooks).',
    fix: 'Sign in as a repository admin, or ask one to create the webhook by hand with the steps shown.',
  },
  WEBHOOK_REPO_INVALID: {
    cause: 'A repository was not given as PROJECT/slug.',
    fix: 'Pass --repo PROJECT/slug (repeat it for several repositories) or --project KEY.',
    fixGui: 'Choose repositories from the list (PROJECT/slug).',
  },
  WEBHOOK_REPO_NOT_FOUND: {
    cause: 'BDC has no such project or repository, or the signed-in user cannot see it.',
    fix: 'Check the project key and repository slug in BDC (they appear in the repository URL).',
  },
  WEBHOOK_URL_INVALID: {
    cause:
      'The relay URL is not an absolute http(s) URL ending in /webhooks/bitbucket-dc/{installation id}.',
    fix: 'Pass --url with the address BDC can reach, e.g. https://relay.corp:8787/webhooks/bitbucket-dc/ID.',
    fixGui: 'Enter the relay URL as BDC can reach it, e.g. https://relay.corp:8787.',
  },
  WEBHOOK_SECRET_MISSING: {
    cause:
      'No webhook secret is stored for the installation; deliveries could not be signed or verified.',
    fix: 'Store the webhook secret the Ankra platform issued for this installation: `installation update <name> --webhook-secret-stdin`.',
    fixGui:
      'Store the webhook secret the Ankra platform issued first, in the Relay step of the Setup wizard.',
  },
  WEBHOOK_SECRET_NOT_APPLIED: {
    cause:
      'The new webhook secret is stored and the relay accepts it, but BDC did not take it on some webhooks the companion registered (no sign-in, no webhook rights, or BDC failed); they keep signing with the previous secret, which the relay accepts only for 15 minutes.',
    fix: 'Put the new secret on each webhook named in the message: a repository admin edits the webhook "Ankra" in BDC (Repository settings → Webhooks) and enters it, or sign in as one and run `installation update <name> --webhook-secret-stdin` again.',
    fixGui:
      'Put the new secret on each webhook named in the message: a repository admin edits the webhook "Ankra" in BDC (Repository settings → Webhooks) and enters it, or sign in as one (Installations → Sign in…) and save the secret again.',
  },
  WEBHOOK_REQUEST_FAILED: {
    cause: 'BDC answered a webhook REST call with an unexpected error.',
    fix: 'Read the message BDC returned; check the BDC logs if it is a server error, then try again.',
  },
  WEBHOOK_NOT_REGISTERED: {
    cause: 'The companion has not registered any BDC webhook for this installation.',
    fix: 'Register them first: `webhooks register <name> --repo PROJECT/slug --url URL`.',
    fixGui: 'Register the webhooks first, in the Relay step of the Setup wizard.',
  },
} as const satisfies CatalogueSection;
