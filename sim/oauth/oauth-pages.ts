import { scopeLabel, type OAuthScope } from './oauth-rules.js';

/**
 * The HTML pages of the simulated OAuth provider: BDC's own error page (shown instead of a
 * redirect when the client or redirect URI is wrong) and the login + consent page. They are plain
 * forms so a real browser (and Playwright) can fill and submit them.
 */

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)} - Bitbucket</title></head>
<body>
<main id="content">
${body}
</main>
</body>
</html>
`;
}

export function errorPage(error: string, description: string): string {
  return page(
    'Error',
    `<section class="oauth2-error" data-error="${escapeHtml(error)}">
<h1>Something went wrong</h1>
<p class="error-code">${escapeHtml(error)}</p>
<p class="error-description">${escapeHtml(description)}</p>
<p>The application you came from sent an authorization request Bitbucket could not accept.
Contact the application's administrator.</p>
</section>`,
  );
}

export interface ConsentPageInput {
  /** Opaque id of the pending authorization request, posted back with the form. */
  readonly requestId: string;
  readonly clientName: string;
  readonly scopes: readonly OAuthScope[];
  /** Set when the browser already has a session: the login fields are not shown. */
  readonly signedInAs: string | undefined;
  readonly loginError: string | undefined;
}

export function consentPage(input: ConsentPageInput): string {
  const login =
    input.signedInAs === undefined
      ? `<fieldset id="login">
<legend>Log in to Bitbucket</legend>
${input.loginError === undefined ? '' : `<p class="login-error" role="alert">${escapeHtml(input.loginError)}</p>`}
<label>Username <input type="text" name="username" id="j_username" autocomplete="username" required></label>
<label>Password <input type="password" name="password" id="j_password" autocomplete="current-password" required></label>
</fieldset>`
      : `<p class="signed-in-as">Logged in as <strong>${escapeHtml(input.signedInAs)}</strong></p>`;
  const scopes = input.scopes
    .map((scope) => `<li data-scope="${scope}">${escapeHtml(scopeLabel(scope))}</li>`)
    .join('\n');
  return page(
    'Authorize',
    `<h1>${escapeHtml(input.clientName)} would like to access your Bitbucket account</h1>
<form method="post" action="authorize" id="oauth2-consent">
<input type="hidden" name="request_id" value="${escapeHtml(input.requestId)}">
${login}
<p>It will be able to:</p>
<ul class="scopes">
${scopes}
</ul>
<button type="submit" name="decision" value="allow" id="approve">Allow</button>
<button type="submit" name="decision" value="deny" id="deny" formnovalidate>Deny</button>
</form>`,
  );
}
