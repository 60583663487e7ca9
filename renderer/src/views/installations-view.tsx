import { useEffect, useState } from 'react';
import type {
  AuthStatus,
  HistoryEntry,
  Installation,
  RelayStatus,
} from '../../../common/api/models.js';
import { toErrorShape } from '../../../common/errors/companion-error.js';
import type { ErrorShape } from '../../../common/errors/error-shape.js';
import { useApi, useCan } from '../app-context.js';
import { EditLinkForm } from '../components/edit-link-form.js';
import { ErrorNotice } from '../components/error-notice.js';
import { useInstallations } from '../components/installation-picker.js';
import { ReplaceCaForm } from '../components/replace-ca-form.js';
import { describeBridge, useBridgeOverview } from '../components/bridge-parts.js';
import { setupGaps } from '../wizard/setup-gaps.js';
import { browserDraftStorage, loadWizardDraft } from '../wizard/wizard-draft-store.js';
import type { WizardStepId } from '../wizard/wizard-model.js';

type ContinueSetup = (installation: Installation, step?: WizardStepId) => void;

/**
 * The overview of the configured installations (sign-in, relay, last push), what each one's setup
 * still lacks with "Continue setup", sign out and remove.
 */
export function InstallationsView(props: { onAdd: () => void; onContinue: ContinueSetup }) {
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
            onContinue={props.onContinue}
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

function describeRelay(installation: Installation, status: RelayStatus | undefined): string {
  if (!installation.relay.enabled) return 'off';
  const where = status?.running ? `listening on ${installation.relay.listen}` : 'not running here';
  const last = status?.lastReceivedAt
    ? `, last webhook ${new Date(status.lastReceivedAt).toLocaleString()}`
    : ', no webhook received yet';
  return `${where}${last}${status?.dead ? `, ${status.dead} dead-lettered` : ''}`;
}

function describePush(entry: HistoryEntry | undefined | null): string {
  if (entry === undefined) return '…';
  if (entry === null) return 'none yet';
  const when = new Date(entry.at).toLocaleString();
  return `${entry.result === 'failed' ? 'failed' : entry.result} to ${entry.repo} (${entry.branch}), ${when}`;
}

function InstallationCard(props: { installation: Installation; onContinue: ContinueSetup }) {
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
  const relayAvailable = can('registerWebhooks') && can('startRelay');
  // The bridge is optional: it is a gap only once the admin started it (setup-gaps.ts). Read only
  // where this build runs the bridge step and the installation has a platform to bridge to.
  const bridgeAvailable =
    can('setBridgeToken') && can('getBridgeStatus') && can('updateBridgePolicy');
  const bridge = useBridgeOverview(
    bridgeAvailable && installation.platform ? installation.name : '',
    installation.id,
  );
  const [stoppedAtBridgeStep] = useState(() => {
    const draft = loadWizardDraft(browserDraftStorage());
    return draft?.installationId === installation.id && draft.state.step === 'bridge';
  });
  const gaps = setupGaps(
    installation,
    relayAvailable,
    bridgeAvailable ? { overview: bridge.overview, stoppedAtBridgeStep } : undefined,
  );
  const [relay, setRelay] = useState<RelayStatus | undefined>(undefined);
  // null: looked, no push yet; undefined: still looking.
  const [lastPush, setLastPush] = useState<HistoryEntry | undefined | null>(undefined);
  const canRelayStatus = can('getRelayStatus');
  const canHistory = can('queryHistory');
  useEffect(() => {
    const name = installation.name;
    if (canRelayStatus && installation.relay.enabled) {
      void api.getRelayStatus({ installation: name }).then(setRelay, () => undefined);
    }
    if (canHistory) {
      void api.queryHistory({ installation: name, limit: 1 }).then(
        (page) => setLastPush(page.entries[0] ?? null),
        () => setLastPush(null),
      );
    }
  }, [api, installation.name, installation.relay.enabled, canRelayStatus, canHistory]);
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
        <dd>{describeRelay(installation, relay)}</dd>
        {bridgeAvailable && installation.platform ? (
          <>
            <dt>Bridge</dt>
            <dd>
              {bridge.overview === undefined
                ? '…'
                : bridge.overview.tokenConfigured
                  ? describeBridge(bridge.overview).text
                  : 'not set up (optional)'}
            </dd>
          </>
        ) : null}
        {canHistory ? (
          <>
            <dt>Last push</dt>
            <dd>{describePush(lastPush)}</dd>
          </>
        ) : null}
        {installation.allowLoopback ? (
          <>
            <dt>Development</dt>
            <dd>loopback allowed</dd>
          </>
        ) : null}
      </dl>
      {gaps.length > 0 ? (
        <div className="notice notice-warn" role="note" aria-label="Setup incomplete">
          <p className="notice-title">Setup is not finished:</p>
          <ul>
            {gaps.map((gap) => (
              <li key={gap.what}>{gap.what}</li>
            ))}
          </ul>
          <button
            type="button"
            className="primary"
            onClick={() => props.onContinue(installation, gaps[0]?.step)}
          >
            Continue setup
          </button>
        </div>
      ) : null}
      {can('updateInstallation') ? <ReplaceCaForm installation={installation} /> : null}
      {can('updateInstallation') ? <EditLinkForm installation={installation} /> : null}
      {error ? <ErrorNotice error={error} /> : null}
      <div className="actions">
        {can('signInWithPat') || can('startOAuth') ? (
          <button type="button" onClick={() => props.onContinue(installation, 'sign-in')}>
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
