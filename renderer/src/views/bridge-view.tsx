import { useCallback, useEffect, useState } from 'react';
import type { BridgeOverview } from '../../../common/api/models.js';
import { toErrorShape } from '../../../common/errors/companion-error.js';
import type { ErrorShape } from '../../../common/errors/error-shape.js';
import { useAction, useApi } from '../app-context.js';
import { ErrorNotice } from '../components/error-notice.js';
import { Field } from '../components/field.js';
import {
  InstallationPicker,
  useInstallations,
  useSelectedInstallation,
} from '../components/installation-picker.js';

/** The bridge's state in words for people; a failure never reads like success. */
export function describeBridge(overview: BridgeOverview): {
  readonly text: string;
  readonly tone: 'ok' | 'warn' | 'bad';
} {
  if (!overview.tokenConfigured) {
    return { text: 'No bridge token yet: paste the one the platform shows below.', tone: 'warn' };
  }
  if (!overview.running || overview.status === undefined) {
    return {
      text: 'Not running: start the companion service on this machine.',
      tone: 'bad',
    };
  }
  const status = overview.status;
  switch (status.state) {
    case 'connected':
      return { text: `Connected to ${status.platformUrl ?? 'the platform'}`, tone: 'ok' };
    case 'refused':
      return {
        text: 'The platform refused the bridge token: paste a new one from the platform.',
        tone: 'bad',
      };
    case 'connecting':
    case 'reconnecting':
      return {
        text: `Connecting (${status.reconnectAttempts} attempts)${status.lastError ? `: ${status.lastError.message}` : ''}`,
        tone: 'warn',
      };
    case 'stopped':
      return { text: status.lastError?.message ?? 'Stopped', tone: 'bad' };
    default: {
      const unreachable: never = status.state;
      return { text: String(unreachable), tone: 'bad' };
    }
  }
}

/**
 * The platform bridge: whether it is connected, what it last did, and what the platform may do
 * (docs/bridge.md). The bridge runs in the companion service; this view shows and edits.
 */
export function BridgeView() {
  const api = useApi();
  const installations = useInstallations();
  const [name, setName] = useSelectedInstallation(installations);
  const [overview, setOverview] = useState<BridgeOverview | undefined>(undefined);
  const [error, setError] = useState<ErrorShape | undefined>(undefined);
  const [token, setToken] = useState('');
  const [rule, setRule] = useState('');

  const refresh = useCallback(async () => {
    if (!name) return;
    try {
      setOverview(await api.getBridgeStatus({ installation: name }));
      setError(undefined);
    } catch (caught) {
      setError(toErrorShape(caught));
    }
  }, [api, name]);

  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- state is set after the engine answers, not synchronously
    void refresh();
  }, [refresh]);

  const [saveToken, tokenState] = useAction(async () => {
    await api.setBridgeToken({ installation: name, token });
    setToken('');
    await refresh();
  });
  const [editPolicy, policyState] = useAction(
    async (change: { allowPush?: string[]; denyPush?: string[] }) => {
      await api.updateBridgePolicy({ installation: name, ...change });
      setRule('');
      await refresh();
    },
  );

  if (installations.length === 0) return <p>No installations yet: run the setup first.</p>;
  const described = overview ? describeBridge(overview) : undefined;
  const status = overview?.status;

  return (
    <section aria-labelledby="bridge-view-title">
      <h2 id="bridge-view-title">Platform bridge</h2>
      <div className="toolbar">
        <InstallationPicker installations={installations} value={name} onChange={setName} />
        <button type="button" onClick={() => void refresh()}>
          Refresh
        </button>
      </div>
      {error ? <ErrorNotice error={error} /> : null}
      {described ? (
        <p className={`status status-${described.tone}`} role="status">
          {described.text}
        </p>
      ) : null}
      {status ? (
        <dl className="facts" aria-label="Bridge status">
          <dt>Connected since</dt>
          <dd>{status.connectedSince ?? 'not connected'}</dd>
          <dt>Requests</dt>
          <dd>
            {status.counts.ok} ok, {status.counts.denied} refused by the policy,{' '}
            {status.counts.failed} failed, {status.counts.cancelled} cancelled
          </dd>
          <dt>Last request</dt>
          <dd>
            {status.lastRequest
              ? `${status.lastRequest.kind} ${status.lastRequest.path ?? `${status.lastRequest.repo ?? ''}:${status.lastRequest.branch ?? ''}`} — ${status.lastRequest.outcome}${status.lastRequest.code ? ` (${status.lastRequest.code})` : ''}`
              : 'none yet'}
          </dd>
          <dt>Last error</dt>
          <dd>
            {status.lastError ? `${status.lastError.message} (${status.lastError.code})` : 'none'}
          </dd>
        </dl>
      ) : null}

      <form
        className="card"
        onSubmit={(event) => {
          event.preventDefault();
          void saveToken();
        }}
      >
        <h3>Bridge token</h3>
        <Field
          label="Bridge token from the platform"
          type="password"
          value={token}
          onChange={setToken}
          help="Shown once in the platform's setup. It is kept in the secret store and never shown again."
        />
        <button type="submit" disabled={token.trim() === '' || tokenState.kind === 'running'}>
          Save the token
        </button>
        {tokenState.kind === 'failed' ? <ErrorNotice error={tokenState.error} /> : null}
      </form>

      <div className="card">
        <h3>What the platform may do</h3>
        <p>
          Reads: {overview?.policy.read.map((each) => each.name).join(', ')}
          {overview && overview.policy.readProjects.length > 0
            ? ` — only in ${overview.policy.readProjects.join(', ')}`
            : ' — in every project this companion can read'}
          .
        </p>
        {overview && overview.policy.push.length === 0 ? (
          <p>Pushes: none. The platform may not write to any repository yet.</p>
        ) : (
          <ul aria-label="Push rules">
            {overview?.policy.push.map((each) => (
              <li key={each}>
                {each}{' '}
                <button type="button" onClick={() => void editPolicy({ denyPush: [each] })}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
        )}
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void editPolicy({ allowPush: [rule] });
          }}
        >
          <Field
            label="Allow pushes to (PROJECT/repo:branch)"
            value={rule}
            onChange={setRule}
            placeholder="PLAT/gitops:main"
            help="* matches within a path segment (release/*), ** across segments."
          />
          <button type="submit" disabled={rule.trim() === ''}>
            Allow
          </button>
        </form>
        {policyState.kind === 'failed' ? <ErrorNotice error={policyState.error} /> : null}
      </div>
    </section>
  );
}
