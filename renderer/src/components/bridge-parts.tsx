import { useCallback, useEffect, useState } from 'react';
import type { BridgeOverview, BridgePolicyView } from '../../../common/api/models.js';
import { toErrorShape } from '../../../common/errors/companion-error.js';
import type { ErrorShape } from '../../../common/errors/error-shape.js';
import { useAction, useApi, useCompanionEvents } from '../app-context.js';
import { ErrorNotice } from './error-notice.js';
import { Field } from './field.js';

/** The default read rules (docs/bridge.md, "The policy") as an admin reads them. */
const READ_RULE_WORDS: Readonly<Record<string, string>> = {
  'application-properties': "BDC's version",
  projects: 'the list of projects',
  'project-repos': "a project's repositories",
  repos: 'the list of repositories',
  repo: "a repository's details",
  branches: 'branches and the default branch',
  browse: 'folder listings and files (browse)',
  raw: 'file contents (raw)',
  files: 'file lists',
  commits: 'commits',
  'compare-changes': 'the changes between two commits',
  webhooks: "a repository's webhooks (list only)",
};

/** The bridge's state in words; a failure never reads like success, and says what to do. */
export function describeBridge(overview: BridgeOverview): {
  readonly text: string;
  readonly tone: 'ok' | 'warn' | 'bad';
  /** The reason the platform or the network gave, when something is wrong. */
  readonly reason?: string;
  readonly next?: string;
} {
  if (!overview.tokenConfigured) {
    return { text: 'No bridge token yet: paste the one the platform shows below.', tone: 'warn' };
  }
  if (!overview.running || overview.status === undefined) {
    return {
      text: 'Not running: the bridge runs while this companion (the app or its service) runs.',
      tone: 'bad',
      next: 'Start the companion on this machine, or its service on a server next to BDC.',
    };
  }
  const status = overview.status;
  const reason = status.lastError
    ? `${status.lastError.message} (${status.lastError.code})`
    : undefined;
  switch (status.state) {
    case 'connected':
      return { text: `Connected to ${status.platformUrl ?? 'the platform'}`, tone: 'ok' };
    case 'refused':
      return {
        text: 'The platform refused the bridge token: paste a new one from the platform.',
        tone: 'bad',
        ...(reason === undefined ? {} : { reason }),
        next: "Copy the bridge token from this installation's setup on the platform (a new one if it was rotated) and save it below; the bridge tries again at once.",
      };
    case 'connecting':
    case 'reconnecting':
      return {
        text: `Connecting (${status.reconnectAttempts} attempts)${status.lastError ? `: ${status.lastError.message}` : ''}`,
        tone: 'warn',
      };
    case 'stopped':
      return {
        text: status.lastError?.message ?? 'Stopped',
        tone: 'bad',
        ...(reason === undefined ? {} : { reason }),
      };
    default: {
      const unreachable: never = status.state;
      return { text: String(unreachable), tone: 'bad' };
    }
  }
}

/**
 * The bridge overview of one installation, fresh: read once, then again at every state change the
 * service reports for it (connecting, connected, refused…).
 */
export function useBridgeOverview(
  name: string,
  installationId: string | undefined,
): {
  readonly overview: BridgeOverview | undefined;
  readonly error: ErrorShape | undefined;
  readonly refresh: () => Promise<void>;
} {
  const api = useApi();
  const [overview, setOverview] = useState<BridgeOverview | undefined>(undefined);
  const [error, setError] = useState<ErrorShape | undefined>(undefined);
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
  useCompanionEvents((event) => {
    if (event.kind === 'bridge-status' && event.installationId === installationId) void refresh();
  });
  return { overview, error, refresh };
}

/** The connection's state line, with the reason and the next step when it is not connected. */
export function BridgeStateNotice(props: { overview: BridgeOverview }) {
  const described = describeBridge(props.overview);
  if (described.tone === 'bad') {
    return (
      <div className="notice notice-error" role="alert" aria-label="Bridge state">
        <p className="notice-title">{described.text}</p>
        {described.reason ? <p>Reason: {described.reason}</p> : null}
        {described.next ? <p className="notice-hint">Next: {described.next}</p> : null}
      </div>
    );
  }
  return (
    <p className={`status status-${described.tone}`} role="status" aria-label="Bridge state">
      {described.text}
    </p>
  );
}

/** The bridge token field: sent once to the secret store, then emptied; never shown again. */
export function BridgeTokenForm(props: { installation: string; onSaved: () => Promise<void> }) {
  const api = useApi();
  const [token, setToken] = useState('');
  const [save, saved] = useAction(async () => {
    const value = token;
    setToken('');
    await api.setBridgeToken({ installation: props.installation, token: value });
    await props.onSaved();
  });
  return (
    <form
      className="card"
      onSubmit={(event) => {
        event.preventDefault();
        void save();
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
      <button
        type="submit"
        className="primary"
        disabled={token.trim() === '' || saved.kind === 'running'}
      >
        Save the token
      </button>
      {saved.kind === 'failed' ? <ErrorNotice error={saved.error} title="Token not saved" /> : null}
    </form>
  );
}

/** What the platform may read, in words, and the push rules with a way to add and remove them. */
export function BridgePolicyCard(props: {
  installation: string;
  policy: BridgePolicyView | undefined;
  onChanged: () => Promise<void>;
}) {
  const api = useApi();
  const [rule, setRule] = useState('');
  const [edit, edited] = useAction(
    async (change: { allowPush?: string[]; denyPush?: string[] }) => {
      await api.updateBridgePolicy({ installation: props.installation, ...change });
      if (change.allowPush) setRule('');
      await props.onChanged();
    },
  );
  const policy = props.policy;
  return (
    <div className="card">
      <h3>What the platform may do</h3>
      <p>The platform may read, with this companion's sign-in and nothing else:</p>
      <ul aria-label="Read rules">
        {policy?.read.map((each) => (
          <li key={each.name}>{READ_RULE_WORDS[each.name] ?? each.name}</li>
        ))}
      </ul>
      <p>
        {policy && policy.readProjects.length > 0
          ? `Only in the projects ${policy.readProjects.join(', ')}.`
          : 'In every project this companion can read. Nothing else: no other page, no writes through the API.'}
      </p>
      {policy && policy.push.length === 0 ? (
        <p>
          Pushes: <strong>none</strong>. The platform may not write to any repository until you
          allow a repository and branch below.
        </p>
      ) : (
        <>
          <p>The platform may push commits (never forced) to:</p>
          <ul aria-label="Push rules">
            {policy?.push.map((each) => (
              <li key={each}>
                <span className="mono">{each}</span>{' '}
                <button
                  type="button"
                  aria-label={`Remove ${each}`}
                  onClick={() => void edit({ denyPush: [each] })}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void edit({ allowPush: [rule.trim()] });
        }}
      >
        <Field
          label="Allow pushes to (PROJECT/repo:branch)"
          value={rule}
          onChange={setRule}
          placeholder="PLAT/gitops:main"
          help="* matches within a path segment (release/*), ** across segments."
        />
        <button type="submit" disabled={rule.trim() === '' || edited.kind === 'running'}>
          Allow
        </button>
      </form>
      {edited.kind === 'failed' ? (
        <ErrorNotice error={edited.error} title="Rule not added" />
      ) : null}
    </div>
  );
}
