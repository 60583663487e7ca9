import { useState } from 'react';
import type { AuthStatus, Installation } from '../../../common/api/models.js';
import { toErrorShape } from '../../../common/errors/companion-error.js';
import type { ErrorShape } from '../../../common/errors/error-shape.js';
import { useApi, useCan } from '../app-context.js';
import { ErrorNotice } from '../components/error-notice.js';
import { useInstallations } from '../components/installation-picker.js';
import { ReplaceCaForm } from '../components/replace-ca-form.js';

/** The configured installations with their auth state; sign out and remove. */
export function InstallationsView(props: {
  onAdd: () => void;
  onSignIn: (installation: Installation) => void;
}) {
  const installations = useInstallations();
  return (
    <section aria-labelledby="installations-title">
      <h2 id="installations-title">Installations</h2>
      <div className="toolbar">
        <button type="button" className="primary" onClick={props.onAdd}>
          Add an installation
        </button>
      </div>
      {installations.length === 0 ? <p className="muted">None yet.</p> : null}
      <ul className="cards">
        {installations.map((installation) => (
          <InstallationCard
            key={installation.id}
            installation={installation}
            onSignIn={props.onSignIn}
          />
        ))}
      </ul>
    </section>
  );
}

function describeAuth(status: AuthStatus | undefined): string {
  if (!status) return '…';
  switch (status.kind) {
    case 'none':
      return 'not signed in';
    case 'pat':
      return `Personal Access Token for ${status.user}`;
    case 'oauth':
      return `OAuth as ${status.user ?? '?'}${status.expiresAt ? `, access token until ${new Date(status.expiresAt).toLocaleString()}` : ''}`;
    default: {
      const never: never = status;
      return never;
    }
  }
}

function InstallationCard(props: {
  installation: Installation;
  onSignIn: (installation: Installation) => void;
}) {
  const api = useApi();
  const can = useCan();
  const { installation } = props;
  const [auth, setAuth] = useState<AuthStatus | undefined>(undefined);
  const [error, setError] = useState<ErrorShape | undefined>(undefined);
  const [loaded, setLoaded] = useState(false);
  if (!loaded && can('getAuthStatus')) {
    setLoaded(true);
    void api
      .getAuthStatus({ installation: installation.name })
      .then(setAuth, (caught: unknown) => setError(toErrorShape(caught)));
  }
  const act = async (action: () => Promise<void>) => {
    try {
      await action();
      setError(undefined);
    } catch (caught) {
      setError(toErrorShape(caught));
    }
  };
  return (
    <li className="card" aria-label={installation.name}>
      <h3>{installation.name}</h3>
      <dl className="facts">
        <dt>Instance</dt>
        <dd className="mono">{installation.baseUrl}</dd>
        <dt>Private CAs</dt>
        <dd>{installation.caPems.length}</dd>
        <dt>Sign-in</dt>
        <dd>{describeAuth(auth)}</dd>
        {auth ? (
          <>
            <dt>Secrets kept in</dt>
            <dd>
              {auth.secretStore
                ? `${auth.secretStore.backend}${auth.secretStore.osProtected ? ' (OS keychain)' : ''}`
                : 'unknown'}
            </dd>
          </>
        ) : null}
        <dt>Platform</dt>
        <dd>
          {installation.platform
            ? `${installation.platform.baseUrl} · ${installation.platform.installationId}`
            : 'not linked'}
        </dd>
        <dt>Relay</dt>
        <dd>
          {installation.relay.enabled ? `on, listening on ${installation.relay.listen}` : 'off'}
        </dd>
        {installation.allowLoopback ? (
          <>
            <dt>Development</dt>
            <dd>loopback allowed</dd>
          </>
        ) : null}
      </dl>
      {can('updateInstallation') ? <ReplaceCaForm installation={installation} /> : null}
      {error ? <ErrorNotice error={error} /> : null}
      <div className="actions">
        {can('signInWithPat') || can('startOAuth') ? (
          <button type="button" onClick={() => props.onSignIn(installation)}>
            Sign in…
          </button>
        ) : null}
        {can('signOut') && auth && auth.kind !== 'none' ? (
          <button
            type="button"
            onClick={() =>
              void act(async () => {
                await api.signOut({ installation: installation.name });
                setAuth(await api.getAuthStatus({ installation: installation.name }));
              })
            }
          >
            Sign out
          </button>
        ) : null}
        {can('removeInstallation') ? (
          <button
            type="button"
            className="danger"
            onClick={() => {
              if (window.confirm(`Remove ${installation.name} and forget its credentials?`)) {
                void act(() => api.removeInstallation({ installation: installation.name }));
              }
            }}
          >
            Remove
          </button>
        ) : null}
      </div>
    </li>
  );
}
