import { useEffect, useState } from 'react';
import type {
  InstallationUpdate,
  ProjectRef,
  RelayEndpoint,
  RepositoryRef,
} from '../../../common/api/models.js';
import { CompanionError } from '../../../common/errors/companion-error.js';
import {
  RELAY_TEST_WAIT_MS,
  relayTestOutcome,
} from '../../../common/relay/webhook-test-outcome.js';
import { useAction, useApi, useCompanionEvents } from '../app-context.js';
import { ErrorNotice } from '../components/error-notice.js';
import { Checkbox, Field } from '../components/field.js';
import { RelayTestResult } from './relay-test-result.js';
import type { WizardState } from './wizard-model.js';

/**
 * The TLS part of the relay settings from the two path fields: both set serves HTTPS, both
 * cleared goes back to HTTP, one alone is a mistake the user must see.
 */
export function relayTlsChange(
  certFile: string,
  keyFile: string,
  hadTls: boolean,
): NonNullable<NonNullable<InstallationUpdate['relay']>['tls']> | undefined {
  const cert = certFile.trim();
  const key = keyFile.trim();
  if (cert !== '' && key !== '') return { kind: 'files', certFile: cert, keyFile: key };
  if (cert === '' && key === '') return hadTls ? { kind: 'none' } : undefined;
  throw new CompanionError(
    'INPUT_INVALID',
    'Give both the certificate file and the key file for HTTPS, or neither for plain HTTP.',
  );
}

/**
 * Step 4: where the relay listens, the URL BDC should call, the webhook secret (stored, never
 * shown), which repositories to register, and proof that BDC's test delivery arrived.
 */
export function RelayStep(props: {
  state: WizardState;
  onChange: (next: Partial<WizardState>) => void;
}) {
  const api = useApi();
  const installation = props.state.installation;
  const [listen, setListen] = useState(installation?.relay.listen ?? '127.0.0.1:8787');
  const [publicUrl, setPublicUrl] = useState(installation?.relay.publicUrl ?? '');
  const [certFile, setCertFile] = useState(installation?.relay.tls?.certFile ?? '');
  const [keyFile, setKeyFile] = useState(installation?.relay.tls?.keyFile ?? '');
  const [endpoint, setEndpoint] = useState<RelayEndpoint | undefined>(undefined);
  const [projects, setProjects] = useState<readonly ProjectRef[]>([]);
  const [project, setProject] = useState('');
  const [repositories, setRepositories] = useState<readonly RepositoryRef[]>([]);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [registeredAt, setRegisteredAt] = useState<number | undefined>(undefined);
  const [pingAt, setPingAt] = useState<string | undefined>(undefined);
  // Set RELAY_TEST_WAIT_MS after "Register": the wait for BDC's test delivery is bounded.
  const [timedOut, setTimedOut] = useState(false);
  const name = installation?.name ?? '';

  const [saveRelay, savedRelay] = useAction(async () => {
    const tls = relayTlsChange(certFile, keyFile, installation?.relay.tls !== undefined);
    await api.updateInstallation({
      installation: name,
      relay: {
        enabled: true,
        listen: listen.trim(),
        ...(publicUrl.trim() ? { publicUrl: publicUrl.trim() } : {}),
        ...(tls ? { tls } : {}),
      },
    });
    // A relay already running keeps its old address and certificate until it restarts.
    await api.stopRelay({ installation: name });
    const started = await api.startRelay({ installation: name });
    const next = await api.getRelayEndpoint({ installation: name });
    setEndpoint(next);
    return started;
  });
  const [secret, setSecret] = useState('');
  const [storeSecret, storedSecret] = useAction(async () => {
    await api.setWebhookSecret({ installation: name, secret });
    setSecret('');
    setEndpoint(await api.getRelayEndpoint({ installation: name }));
  });
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
    void api.getRelayEndpoint({ installation: name }).then(setEndpoint, () => undefined);
    void api.listProjects({ installation: name }).then(setProjects, () => undefined);
  }, [api, name]);

  useEffect(() => {
    if (!name || !project) return;
    void api
      .listRepositories({ installation: name, project })
      .then(setRepositories, () => setRepositories([]));
  }, [api, name, project]);

  useCompanionEvents((event) => {
    if (event.kind !== 'relay-status' || event.status.installationId !== installation?.id) return;
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
      props.onChange({
        relay: {
          callbackUrl: endpoint?.callbackUrl,
          registered: registered.kind === 'done' ? registered.value.webhooks.length : 0,
          testDelivery: true,
        },
      });
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- record when the ping and the registration are in
  }, [pingAt, registered.kind]);

  if (!installation) return <p>Add the instance first.</p>;

  const toggle = (repo: string, on: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      if (on) next.add(repo);
      else next.delete(repo);
      return next;
    });

  return (
    <section aria-labelledby="relay-title" className="step">
      <h2 id="relay-title">Relay BDC's webhooks to the platform</h2>
      <form
        className="form-grid"
        onSubmit={(event) => {
          event.preventDefault();
          void storeSecret();
        }}
      >
        <Field
          label="Webhook secret"
          type="password"
          value={secret}
          onChange={setSecret}
          help="The secret the Ankra platform shows for this installation. BDC signs each delivery with it; it is stored in the OS keychain and never shown again."
        />
        <div className="actions">
          <button type="submit" disabled={secret.length < 16 || storedSecret.kind === 'running'}>
            {endpoint?.secretConfigured ? 'Replace secret' : 'Store secret'}
          </button>
        </div>
      </form>
      {storedSecret.kind === 'failed' ? <ErrorNotice error={storedSecret.error} /> : null}
      <form
        className="form-grid"
        onSubmit={(event) => {
          event.preventDefault();
          void saveRelay();
        }}
      >
        <Field
          label="Listen address"
          value={listen}
          onChange={setListen}
          help="host:port the relay listens on. Use 0.0.0.0:PORT for BDC on another machine."
        />
        <Field
          label="Relay URL as BDC sees it"
          value={publicUrl}
          onChange={setPublicUrl}
          type="url"
          placeholder="http://companion.corp.example:8787"
          help="How BDC reaches this machine: its host name or address and the port above."
        />
        <details>
          <summary>HTTPS between BDC and the relay (optional)</summary>
          <Field
            label="Certificate file"
            value={certFile}
            onChange={setCertFile}
            placeholder="/etc/bdc-companion/relay.crt"
            help="Absolute path of a PEM certificate chain for the relay's host name, issued by a CA BDC trusts."
          />
          <Field
            label="Key file"
            value={keyFile}
            onChange={setKeyFile}
            placeholder="/etc/bdc-companion/relay.key"
            help="Absolute path of its unencrypted PEM private key. Leave both empty for plain HTTP."
          />
        </details>
        <div className="actions">
          <button type="submit" className="primary" disabled={savedRelay.kind === 'running'}>
            Save and start the relay
          </button>
        </div>
      </form>
      {savedRelay.kind === 'failed' ? (
        <ErrorNotice error={savedRelay.error} title="Relay not started" />
      ) : null}
      {endpoint ? (
        <dl className="facts" aria-label="Relay endpoint">
          <dt>BDC should call</dt>
          <dd className="mono">{endpoint.callbackUrl ?? 'set the relay URL above'}</dd>
          <dt>Webhook secret</dt>
          <dd>
            {endpoint.secretConfigured ? 'stored in the keychain (never shown)' : 'not set yet'}
          </dd>
        </dl>
      ) : null}
      {endpoint && endpoint.warnings.length > 0 ? (
        <RelayUrlWarnings warnings={endpoint.warnings} />
      ) : null}

      <h3>Repositories</h3>
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
      {registered.kind === 'done' ? (
        <RelayTestResult
          installation={name}
          registration={registered.value}
          outcome={relayTestOutcome(registered.value.webhooks, pingAt !== undefined, timedOut)}
          pingAt={pingAt}
        />
      ) : null}
      <div className="actions">
        <button
          type="button"
          onClick={() => props.onChange({ step: 'summary' })}
          className={pingAt ? 'primary' : ''}
        >
          {pingAt ? 'Continue' : 'Skip for now'}
        </button>
      </div>
    </section>
  );
}

/** Why BDC may not reach the relay URL: warnings, since only BDC's own test call can tell. */
function RelayUrlWarnings(props: { warnings: readonly string[] }) {
  return (
    <div className="notice notice-warn" role="note" aria-label="Relay URL warnings">
      <p className="notice-title">BDC may not be able to reach this relay URL:</p>
      <ul>
        {props.warnings.map((warning) => (
          <li key={warning}>{warning}</li>
        ))}
      </ul>
    </div>
  );
}
