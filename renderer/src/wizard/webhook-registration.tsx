import { useEffect, useState } from 'react';
import type {
  ProjectRef,
  RelayEndpoint,
  RelayStatus,
  RepositoryRef,
} from '../../../common/api/models.js';
import { permissionNeed } from '../../../common/auth/permission-needs.js';
import {
  RELAY_TEST_WAIT_MS,
  relayTestOutcome,
} from '../../../common/relay/webhook-test-outcome.js';
import { useAction, useApi, useCompanionEvents } from '../app-context.js';
import { ErrorNotice } from '../components/error-notice.js';
import { Checkbox } from '../components/field.js';
import { ManualWebhookSetup } from './manual-webhook-setup.js';
import { RelayTestResult } from './relay-test-result.js';
import { RelayUrlWarnings } from './relay-url-warnings.js';
import { WatchOffer } from './watch-offer.js';

/**
 * Which repositories to register the webhook on, the registration, and proof that BDC's test
 * delivery reached the relay (`onTestDelivery` fires once it has).
 */
export function WebhookRegistration(props: {
  installation: { readonly id: string; readonly name: string; readonly baseUrl: string };
  endpoint: RelayEndpoint | undefined;
  onTestDelivery: (delivery: { at: string; registered: number }) => void;
  /** Watch mode was turned on instead (offered when BDC's test could not reach the relay). */
  onWatching?: (status: RelayStatus, count: number) => void;
}) {
  const api = useApi();
  const name = props.installation.name;
  const endpoint = props.endpoint;
  const [projects, setProjects] = useState<readonly ProjectRef[]>([]);
  const [project, setProject] = useState('');
  const [repositories, setRepositories] = useState<readonly RepositoryRef[]>([]);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [registeredAt, setRegisteredAt] = useState<number | undefined>(undefined);
  const [pingAt, setPingAt] = useState<string | undefined>(undefined);
  // Set RELAY_TEST_WAIT_MS after "Register": the wait for BDC's test delivery is bounded.
  const [timedOut, setTimedOut] = useState(false);

  const [register, registered] = useAction(async () => {
    if (!endpoint?.callbackUrl) throw new Error('the relay has no public URL yet');
    setRegisteredAt(Date.now());
    setPingAt(undefined);
    setTimedOut(false);
    const result = await api.registerWebhooks({
      installation: name,
      repos: [...selected],
      url: endpoint.callbackUrl,
    });
    // The relay recorded BDC's diagnostics:ping: the whole path BDC → relay works.
    if (result.relayRecordedPing) setPingAt(new Date().toISOString());
    return result;
  });

  useEffect(() => {
    if (!name) return;
    void api.listProjects({ installation: name }).then(setProjects, () => undefined);
  }, [api, name]);

  useEffect(() => {
    if (!name || !project) return;
    void api
      .listRepositories({ installation: name, project })
      .then(setRepositories, () => setRepositories([]));
  }, [api, name, project]);

  useCompanionEvents((event) => {
    if (event.kind !== 'relay-status' || event.status.installationId !== props.installation.id)
      return;
    const ping = event.status.lastPingAt;
    if (ping && registeredAt !== undefined && Date.parse(ping) >= registeredAt - 1000)
      setPingAt(ping);
  });

  useEffect(() => {
    if (registered.kind !== 'done' || pingAt) return undefined;
    // Events carry the ping; polling covers a stream that reconnected in between.
    const timer = setInterval(() => {
      void api.getRelayStatus({ installation: name }).then((status) => {
        if (
          status.lastPingAt &&
          registeredAt !== undefined &&
          Date.parse(status.lastPingAt) >= registeredAt - 1000
        ) {
          setPingAt(status.lastPingAt);
        }
      });
    }, 1000);
    return () => clearInterval(timer);
  }, [api, name, registered.kind, pingAt, registeredAt]);

  useEffect(() => {
    if (registeredAt === undefined || pingAt) return undefined;
    const timer = setTimeout(() => setTimedOut(true), RELAY_TEST_WAIT_MS);
    return () => clearTimeout(timer);
  }, [registeredAt, pingAt]);

  useEffect(() => {
    if (pingAt) {
      props.onTestDelivery({
        at: pingAt,
        registered: registered.kind === 'done' ? registered.value.webhooks.length : 0,
      });
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- record when the ping and the registration are in
  }, [pingAt, registered.kind]);

  const outcome =
    registered.kind === 'done'
      ? relayTestOutcome(registered.value.webhooks, pingAt !== undefined, timedOut)
      : undefined;
  // The evidence that BDC cannot reach the relay: its test failed, or no delivery came in time.
  const unreachable =
    (registered.kind === 'running' && timedOut) ||
    outcome?.kind === 'unreachable' ||
    outcome?.kind === 'not-this-relay';
  const registeredRepos =
    registered.kind === 'done'
      ? registered.value.webhooks.map((hook) => hook.target)
      : [...selected];

  const toggle = (repo: string, on: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      if (on) next.add(repo);
      else next.delete(repo);
      return next;
    });

  return (
    <>
      <h3>Repositories</h3>
      <p className="muted">
        Registering a webhook needs <strong>{permissionNeed('webhooks').token}</strong> on the
        repository (a token with it, or an Application Link with{' '}
        {permissionNeed('webhooks').applicationLink}). Without it, a repository admin adds the
        webhook by hand: the steps are below.
      </p>
      <div className="field">
        <label htmlFor="project-picker">Project</label>
        <select
          id="project-picker"
          value={project}
          onChange={(event) => setProject(event.target.value)}
        >
          <option value="">Choose a project…</option>
          {projects.map((each) => (
            <option key={each.key} value={each.key}>
              {each.key} — {each.name}
            </option>
          ))}
        </select>
      </div>
      <fieldset className="repo-list">
        <legend>Repositories to register</legend>
        {repositories.map((repo) => {
          const path = `${repo.project}/${repo.slug}`;
          return (
            <Checkbox
              key={path}
              label={`${path} (${repo.name})`}
              checked={selected.has(path)}
              onChange={(on) => toggle(path, on)}
            />
          );
        })}
        {project && repositories.length === 0 ? (
          <p className="muted">No repositories in {project}.</p>
        ) : null}
      </fieldset>
      <div className="actions">
        <button
          type="button"
          className="primary"
          disabled={
            selected.size === 0 ||
            !endpoint?.callbackUrl ||
            !endpoint.secretConfigured ||
            registered.kind === 'running'
          }
          onClick={() => void register()}
        >
          Register webhooks
        </button>
      </div>
      {registered.kind === 'failed' ? (
        <ErrorNotice error={registered.error} title="Registration failed" />
      ) : null}
      <ManualWebhookSetup
        baseUrl={props.installation.baseUrl}
        url={endpoint?.callbackUrl}
        places={
          selected.size > 0
            ? [...selected].map((path) => {
                const [key = '', slug = ''] = path.split('/');
                return { kind: 'repository' as const, project: key, slug };
              })
            : project
              ? [{ kind: 'project' as const, project }]
              : []
        }
      />
      {registered.kind === 'done' &&
      registered.value.warnings.length > 0 &&
      registered.value.warnings.join() !== endpoint?.warnings.join() ? (
        <RelayUrlWarnings warnings={registered.value.warnings} />
      ) : null}
      {registered.kind === 'running' && timedOut ? (
        <div className="notice notice-error" role="alert" aria-label="BDC cannot reach the relay">
          <p className="notice-title">
            BDC's test of the relay URL has not finished after {RELAY_TEST_WAIT_MS / 1000} seconds:
            BDC most likely cannot reach that address.
          </p>
          <p className="notice-hint">
            Next: run the relay as a service on a server next to BDC and enter that server's URL
            above, or use watch mode, where the companion asks BDC for new pushes and needs no
            webhook.
          </p>
        </div>
      ) : null}
      {registered.kind === 'done' && outcome ? (
        <RelayTestResult
          installation={name}
          registration={registered.value}
          outcome={outcome}
          pingAt={pingAt}
        />
      ) : null}
      {unreachable && props.onWatching ? (
        <WatchOffer
          installation={name}
          repositories={registeredRepos}
          onWatching={props.onWatching}
        />
      ) : null}
    </>
  );
}
