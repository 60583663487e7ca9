import {
  manualWebhookSteps,
  type ManualWebhookPlace,
} from '../../../common/relay/manual-webhook-steps.js';

/**
 * For an admin whose sign-in may not manage webhooks: what to set up in BDC by hand — page, name,
 * URL, event, secret — in the window's words (common/relay/manual-webhook-steps.ts; the command
 * line prints the same facts in its own).
 */
export function ManualWebhookSetup(props: {
  baseUrl: string;
  places: readonly ManualWebhookPlace[];
  url: string | undefined;
}) {
  return (
    <details className="card manual-webhook-setup">
      <summary>No webhook admin rights? Set the webhook up in BDC by hand</summary>
      {props.places.length === 0 ? (
        <p className="muted">Choose a project or repositories above to see the exact steps.</p>
      ) : (
        props.places.map((place) => (
          <pre
            key={place.kind === 'project' ? place.project : `${place.project}/${place.slug}`}
            className="manual-steps"
          >
            {manualWebhookSteps({ baseUrl: props.baseUrl, place, url: props.url }, 'gui')}
          </pre>
        ))
      )}
    </details>
  );
}
