import { useEffect, useState } from 'react';
import type {
  AuthStatus,
  BridgeOverview,
  Installation,
  RelayEndpoint,
} from '../../../common/api/models.js';
import { describeBridge } from '../components/bridge-parts.js';
import { useApi, useCan } from '../app-context.js';
import type { WizardState } from './wizard-model.js';

/** What the engine has saved for the installation, read when the summary opens. */
interface SavedSetup {
  readonly installation: Installation | undefined;
  readonly auth: AuthStatus | undefined;
  readonly endpoint: RelayEndpoint | undefined;
  readonly bridge: BridgeOverview | undefined;
  readonly version: string | undefined;
}

function describeSignIn(auth: AuthStatus | undefined, fallback: string | undefined): string {
  if (!auth) return fallback ?? 'not signed in';
  switch (auth.kind) {
    case 'none':
      return 'not signed in';
    case 'pat':
      return `${auth.user} (Personal Access Token)`;
    case 'oauth':
      return `${auth.user ?? '?'} (OAuth 2.0)`;
    default: {
      const never: never = auth;
      return never;
    }
  }
}

/**
 * Step 5: what was set up, in one place, with where to go next. It reads the saved installation
 * (its CAs, sign-in and relay) rather than what this session of the wizard did, so a setup resumed
 * after a reload or from Installations is described as it is.
 */
export function SummaryStep(props: {
  state: WizardState;
  onDone: () => void;
  onRestart: () => void;
}) {
  const api = useApi();
  const can = useCan();
  const { report, relay } = props.state;
  const name = props.state.installation?.name;
  const [saved, setSaved] = useState<SavedSetup | undefined>(undefined);
  const canAuth = can('getAuthStatus');
  const canEndpoint = can('getRelayEndpoint');
  const canBridge = can('getBridgeStatus');

  useEffect(() => {
    if (!name) return;
    let live = true;
    void (async () => {
      const installation = (await api.listInstallations().catch(() => [])).find(
        (each) => each.name === name,
      );
      const [auth, endpoint, bridge] = await Promise.all([
        canAuth ? api.getAuthStatus({ installation: name }).catch(() => undefined) : undefined,
        canEndpoint
          ? api.getRelayEndpoint({ installation: name }).catch(() => undefined)
          : undefined,
        canBridge && installation?.platform
          ? api.getBridgeStatus({ installation: name }).catch(() => undefined)
          : undefined,
      ]);
      // Resumed without this session's probe: ask BDC again (fractions of a second).
      const version =
        report?.version ??
        (installation
          ? (
              await api
                .probe({
                  url: installation.baseUrl,
                  caPems: installation.caPems,
                  allowLoopback: installation.allowLoopback,
                  ...(installation.allowPartialChain ? { allowPartialChain: true } : {}),
                })
                .catch(() => undefined)
            )?.version
          : undefined);
      if (live) setSaved({ installation, auth, endpoint, bridge, version });
    })();
    return () => {
      live = false;
    };
  }, [api, canAuth, canEndpoint, canBridge, name, report?.version]);

  const installation = saved?.installation ?? props.state.installation;
  const cas = installation?.caPems.length ?? 0;
  const callbackUrl = saved?.endpoint?.callbackUrl ?? relay?.callbackUrl;
  return (
    <section aria-labelledby="summary-title" className="step">
      <h2 id="summary-title">All set</h2>
      <dl className="facts" aria-label="Summary" aria-busy={saved === undefined}>
        <dt>Installation</dt>
        <dd>{installation ? `${installation.name} — ${installation.baseUrl}` : 'not saved'}</dd>
        <dt>BDC version</dt>
        <dd>{saved?.version ?? report?.version ?? (saved ? 'unknown' : '…')}</dd>
        <dt>Trust</dt>
        <dd>
          {cas > 0
            ? `your private CA${cas > 1 ? `s (${cas})` : ''}${installation?.allowPartialChain ? ', intermediate alone' : ''}`
            : 'this machine’s trusted roots'}
        </dd>
        <dt>Signed in as</dt>
        <dd>{describeSignIn(saved?.auth, props.state.signedInAs)}</dd>
        <dt>Platform</dt>
        <dd>
          {installation?.platform
            ? `${installation.platform.baseUrl} (installation ${installation.platform.installationId})`
            : 'not linked'}
        </dd>
        <dt>Relay</dt>
        <dd>
          {relay
            ? `${relay.registered} webhook(s) → ${callbackUrl ?? ''}${relay.testDelivery ? ', test delivery received' : ''}`
            : callbackUrl
              ? `BDC calls ${callbackUrl}${saved?.endpoint?.secretConfigured ? '' : '; no webhook secret stored yet'}`
              : 'not set up'}
          {relay?.watching ? `; watch mode on for ${relay.watching}` : ''}
        </dd>
        {canBridge ? (
          <>
            <dt>Bridge</dt>
            <dd>
              {saved === undefined
                ? '…'
                : saved.bridge
                  ? `${saved.bridge.tokenConfigured ? describeBridge(saved.bridge).text : 'not linked'}; pushes allowed to ${saved.bridge.policy.push.length === 0 ? 'nothing' : saved.bridge.policy.push.join(', ')}`
                  : 'not linked'}
            </dd>
          </>
        ) : null}
      </dl>
      <div className="actions">
        <button type="button" className="primary" onClick={props.onDone}>
          Go to push history
        </button>
        <button type="button" onClick={props.onRestart}>
          Set up another instance
        </button>
      </div>
    </section>
  );
}
