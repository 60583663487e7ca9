import { useEffect, useState } from 'react';
import type { OAuthRedirectUris, OAuthStart } from '../../../common/api/models.js';
import { readableProjectsText } from '../../../common/auth/readable-projects.js';
import { useAction, useApi, useCan } from '../app-context.js';
import {
  applicationLinkPermissionText,
  tokenPermissionsText,
} from '../../../common/auth/permission-needs.js';
import { ErrorNotice } from '../components/error-notice.js';
import { Checkbox, Field } from '../components/field.js';
import { PermissionTable } from '../components/permission-table.js';
import { SecretNotKept } from '../components/secret-not-kept.js';
import type { WizardState } from './wizard-model.js';

type Mode = 'pat' | 'oauth';

/** Step 3: a Personal Access Token, or OAuth 2.0 through an incoming Application Link. */
export function SignInStep(props: {
  state: WizardState;
  onChange: (next: Partial<WizardState>) => void;
}) {
  const can = useCan();
  const modes: Mode[] = [];
  if (can('signInWithPat')) modes.push('pat');
  if (can('startOAuth')) modes.push('oauth');
  const typed = props.state.signIn;
  const [mode, setMode] = useState<Mode>(
    typed && modes.includes(typed.mode) ? typed.mode : (modes[0] ?? 'pat'),
  );
  const installation = props.state.installation;
  if (!installation) return <p>Add the instance first.</p>;
  // The method and client id are kept in the draft; the secrets never are, so after a resume the
  // secret field is empty on purpose and says so (rather than looking like a lost input).
  const secretsDropped = props.state.restored === true && !props.state.signedInAs;
  const draft = {
    mode,
    oauthClientId: typed?.oauthClientId ?? '',
    withWebhooks: typed?.withWebhooks ?? false,
  };
  const keep = (next: Partial<typeof draft>) => props.onChange({ signIn: { ...draft, ...next } });

  return (
    <section aria-labelledby="sign-in-title" className="step">
      <h2 id="sign-in-title">Sign in to {installation.name}</h2>
      <div role="radiogroup" aria-label="Sign-in method" className="segmented">
        {modes.map((each) => (
          <label key={each} className={mode === each ? 'selected' : ''}>
            <input
              type="radio"
              name="sign-in-mode"
              checked={mode === each}
              onChange={() => {
                setMode(each);
                keep({ mode: each });
              }}
            />
            {each === 'pat' ? 'Use a Personal Access Token' : 'Use OAuth 2.0 (Application Link)'}
          </label>
        ))}
      </div>
      {mode === 'pat' ? (
        <PatSignIn
          installation={installation.name}
          secretsDropped={secretsDropped}
          onSignedIn={(user) => props.onChange({ signedInAs: user })}
        />
      ) : (
        <OAuthSignIn
          installation={installation.name}
          secretsDropped={secretsDropped}
          clientId={draft.oauthClientId}
          withWebhooks={draft.withWebhooks}
          onTyped={keep}
          onSignedIn={(user) => props.onChange({ signedInAs: user })}
        />
      )}
      {props.state.signedInAs ? (
        <div className="actions">
          <button
            type="button"
            className="primary"
            onClick={() => props.onChange({ step: 'relay' })}
          >
            Continue
          </button>
        </div>
      ) : null}
    </section>
  );
}

function PatSignIn(props: {
  installation: string;
  secretsDropped: boolean;
  onSignedIn: (user: string) => void;
}) {
  const api = useApi();
  const [token, setToken] = useState('');
  const [signIn, result] = useAction((value: string) =>
    api.signInWithPat({ installation: props.installation, token: value }),
  );
  return (
    <form
      className="form-grid"
      onSubmit={(event) => {
        event.preventDefault();
        void signIn(token).then((outcome) => {
          setToken('');
          if (outcome) props.onSignedIn(outcome.user.name);
        });
      }}
    >
      <Field
        label="Personal Access Token"
        type="password"
        value={token}
        onChange={setToken}
        help={`Create one in BDC under your profile → Manage account → HTTP access tokens, with ${tokenPermissionsText(false)} to push; with ${tokenPermissionsText(true)} the companion can also register the relay's webhooks (you can replace the token later). It is stored in the OS keychain.`}
      />
      {props.secretsDropped && token === '' && result.kind === 'idle' ? (
        <SecretNotKept what="token" />
      ) : null}
      <PermissionTable for="token" />
      <div className="actions">
        <button
          type="submit"
          className="primary"
          disabled={token === '' || result.kind === 'running'}
        >
          {result.kind === 'running' ? 'Verifying…' : 'Verify and save'}
        </button>
      </div>
      {result.kind === 'failed' ? <ErrorNotice error={result.error} title="Token refused" /> : null}
      {result.kind === 'done' ? (
        <div className="notice notice-ok" role="status">
          Signed in as <strong>{result.value.user.displayName ?? result.value.user.name}</strong> (
          {result.value.user.name}); the token can read{' '}
          {readableProjectsText(result.value.projectKeys)}.
        </div>
      ) : null}
    </form>
  );
}

function OAuthSignIn(props: {
  installation: string;
  secretsDropped: boolean;
  /** From the draft: the client id is not a secret, so leaving the setup keeps it. */
  clientId: string;
  withWebhooks: boolean;
  onTyped: (typed: { oauthClientId?: string; withWebhooks?: boolean }) => void;
  onSignedIn: (user: string) => void;
}) {
  const api = useApi();
  const [uris, setUris] = useState<OAuthRedirectUris | undefined>(undefined);
  const clientId = props.clientId;
  const setClientId = (value: string) => props.onTyped({ oauthClientId: value });
  const [clientSecret, setClientSecret] = useState('');
  // Least scope by default: REPO_ADMIN only when the admin wants webhooks registered.
  const withWebhooks = props.withWebhooks;
  const setWithWebhooks = (value: boolean) => props.onTyped({ withWebhooks: value });
  const [started, setStarted] = useState<OAuthStart | undefined>(undefined);
  const [start, starting] = useAction(() =>
    api.startOAuth({
      installation: props.installation,
      clientId: clientId.trim(),
      clientSecret,
      ...(withWebhooks ? { withWebhooks } : {}),
    }),
  );
  const [wait, waited, forgetWait] = useAction((flowId: string) => api.awaitOAuth({ flowId }));

  useEffect(() => {
    void api
      .getOAuthRedirectUris({ installation: props.installation })
      .then(setUris, () => undefined);
  }, [api, props.installation]);

  // What was entered stays in the form until sign-in succeeds or the admin cancels: after any
  // failure (a refused secret, Deny, a timeout) the admin fixes the cause and only retries.
  async function begin(): Promise<void> {
    // Only the latest attempt's outcome is shown (and words the button): an older browser-side
    // failure would otherwise stay beside a new refusal.
    forgetWait();
    const flow = await start();
    if (!flow) return;
    setStarted(flow);
    const state = await wait(flow.flowId);
    if (state?.kind === 'signed-in') {
      setClientSecret('');
      props.onSignedIn(state.user.name);
    }
  }

  async function cancel(flowId: string): Promise<void> {
    setClientSecret('');
    await api.cancelOAuth({ flowId });
  }

  // Refused before the browser opened (a wrong secret, an unknown redirect URI, a scope above the
  // link's): the retry checks again first, and the browser only opens once that passes.
  const refusedBeforeBrowser = starting.kind === 'failed';
  const failedInBrowser =
    waited.kind === 'failed' || (waited.kind === 'done' && waited.value.kind === 'failed');
  const failed = refusedBeforeBrowser || failedInBrowser;
  const buttonText = refusedBeforeBrowser
    ? 'Check again and sign in'
    : failedInBrowser
      ? 'Try again with the browser'
      : 'Sign in with the browser';

  return (
    <div className="form-grid">
      <div className="notice">
        <p>
          In BDC, go to Administration → Application Links → Create link →{' '}
          <em>External application</em>, <em>Incoming</em>, and register{' '}
          {uris && uris.uris.length > 1 ? 'these redirect URLs' : 'this redirect URL'} exactly:
        </p>
        <ul className="redirect-uris" aria-label="Redirect URIs to register">
          {(uris?.uris ?? []).map((uri) => (
            <li key={uri}>
              <code>{uri}</code>
            </li>
          ))}
        </ul>
        <p>
          Give it the permission <em>{applicationLinkPermissionText(withWebhooks)}</em>, then copy
          its client id and secret here.
        </p>
        <PermissionTable for="application-link" />
      </div>
      <Checkbox
        label={`Also let the companion register the relay's webhooks (needs ${applicationLinkPermissionText(true)}; you can sign in again with it later)`}
        checked={withWebhooks}
        onChange={setWithWebhooks}
      />
      <Field label="Client id" value={clientId} onChange={setClientId} />
      <Field
        label="Client secret"
        type="password"
        value={clientSecret}
        onChange={setClientSecret}
        help="Stored in the OS keychain; never shown again."
      />
      {props.secretsDropped && clientSecret === '' && starting.kind === 'idle' ? (
        <SecretNotKept what="client secret" />
      ) : null}
      <div className="actions">
        <button
          type="button"
          className="primary"
          disabled={
            !clientId.trim() ||
            !clientSecret ||
            starting.kind === 'running' ||
            waited.kind === 'running'
          }
          onClick={() => void begin()}
        >
          {buttonText}
        </button>
        {waited.kind === 'running' && started ? (
          <button type="button" onClick={() => void cancel(started.flowId)}>
            Cancel
          </button>
        ) : null}
      </div>
      {starting.kind === 'failed' ? (
        <ErrorNotice error={starting.error} title="Sign-in not started" />
      ) : null}
      {started && waited.kind === 'running' ? (
        <div className="notice" role="status">
          {started.opened ? (
            <p>Your browser opened BDC's consent page. Waiting for you to allow access…</p>
          ) : (
            <p>
              Open{' '}
              <a href={started.authorizeUrl} target="_blank" rel="noopener noreferrer">
                BDC's consent page
              </a>{' '}
              and allow access. Waiting…
            </p>
          )}
        </div>
      ) : null}
      {waited.kind === 'done' && waited.value.kind === 'signed-in' ? (
        <div className="notice notice-ok" role="status">
          Signed in as <strong>{waited.value.user.displayName ?? waited.value.user.name}</strong> (
          {waited.value.user.name}).
        </div>
      ) : null}
      {waited.kind === 'done' && waited.value.kind === 'failed' ? (
        <ErrorNotice error={waited.value.error} title="Sign-in failed" />
      ) : null}
      {waited.kind === 'failed' ? (
        <ErrorNotice error={waited.error} title="Sign-in failed" />
      ) : null}
      {failed && clientSecret ? (
        <p className="field-help" role="note">
          The client id and secret you entered are kept: fix the cause above, then try again.
        </p>
      ) : null}
    </div>
  );
}
