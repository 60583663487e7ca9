import type { ErrorShape } from '../../../common/errors/error-shape.js';

/** How a sign-in that reached the callback ended, for the page the browser is left on. */
export type CallbackOutcome =
  | { readonly kind: 'signed-in'; readonly user: string }
  | { readonly kind: 'failed'; readonly error: Pick<ErrorShape, 'code' | 'message'> };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, colour: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} — Ankra BDC Companion</title>
<meta name="color-scheme" content="light dark">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}
h1{color:${colour};border-left:.4rem solid ${colour};padding-left:.6rem}</style></head>
<body>${body}</body></html>
`;
}

/**
 * The page the browser shows after it handed the code to the companion: it says in words whether
 * sign-in worked — a failure in red, with the reason and what to do next — because the admin is
 * looking at the browser, not at the companion, at that moment. The reason is the error's message
 * (never a secret: messages never carry one), escaped.
 */
export function callbackPage(outcome: CallbackOutcome): string {
  switch (outcome.kind) {
    case 'signed-in':
      return page(
        'Signed in',
        '#1a7f37',
        `<h1>Signed in</h1>
<p>The companion is signed in to Bitbucket as <strong>${escapeHtml(outcome.user)}</strong>.</p>
<p>You can close this window and go back to the companion.</p>`,
      );
    case 'failed':
      return page(
        'Sign-in failed',
        '#c62828',
        `<h1>Sign-in failed</h1>
<p>${escapeHtml(outcome.error.message)} <code>[${escapeHtml(outcome.error.code)}]</code></p>
<p><strong>What to do next:</strong> go back to the companion (the window or terminal where you
started the sign-in); it shows how to fix this. The client id and secret you entered are kept, so
after fixing it you only start the sign-in again.</p>`,
      );
    default: {
      const unreachable: never = outcome;
      return String(unreachable);
    }
  }
}

/** When the companion stops before it could finish (cancelled, timed out, closed). */
export const STOPPED_OUTCOME: CallbackOutcome = {
  kind: 'failed',
  error: {
    code: 'OPERATION_CANCELLED',
    message: 'The companion stopped this sign-in before it could finish.',
  },
};
