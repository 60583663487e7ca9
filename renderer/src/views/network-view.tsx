import { useEffect, useState } from 'react';
import type {
  NetworkOverview,
  NetworkRouteRow,
  NetworkUpdate,
  ProxySetting,
} from '../../../common/models/network.js';
import { toErrorShape } from '../../../common/errors/companion-error.js';
import type { ErrorShape } from '../../../common/errors/error-shape.js';
import { useAction, useApi } from '../app-context.js';
import { ErrorNotice } from '../components/error-notice.js';
import { Checkbox, Field } from '../components/field.js';

type Mode = ProxySetting['kind'];

const MODES: readonly { readonly kind: Mode; readonly label: string }[] = [
  { kind: 'auto', label: 'Automatic' },
  { kind: 'manual', label: 'Proxy server' },
  { kind: 'pac', label: 'PAC file' },
  { kind: 'direct', label: 'No proxy' },
];

const ROLE_WORDS: Readonly<Record<NetworkRouteRow['role'], string>> = {
  bdc: 'Bitbucket Data Center',
  platform: 'Platform (bridge)',
  relay: 'Relay target (webhooks)',
};

/**
 * The Network section: how connections leave this machine (a VPN laptop's proxy, a PAC file, the
 * system's settings), the route each installation's connections take with it, and the platform CA
 * a TLS-inspecting proxy needs. The same use cases as `network show` / `network set`.
 */
export function NetworkView() {
  const api = useApi();
  const [overview, setOverview] = useState<NetworkOverview | undefined>(undefined);
  const [loadError, setLoadError] = useState<ErrorShape | undefined>(undefined);
  const failed = (error: unknown) => setLoadError(toErrorShape(error));
  const [mode, setMode] = useState<Mode>('auto');
  const [proxyUrl, setProxyUrl] = useState('');
  const [noProxy, setNoProxy] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [keep, setKeep] = useState(true);
  const [pacUrl, setPacUrl] = useState('');

  const show = (value: NetworkOverview) => {
    setOverview(value);
    const setting = value.setting;
    setMode(setting.kind);
    if (setting.kind === 'manual') {
      setProxyUrl(setting.url);
      setNoProxy(setting.noProxy);
      setKeep(setting.credentials);
    }
    if (setting.kind === 'pac') setPacUrl(setting.url);
    setUsername('');
    setPassword('');
  };
  useEffect(() => {
    void api.getNetwork().then(show, failed);
  }, [api]);

  const [save, saved] = useAction(() => {
    const update: NetworkUpdate =
      mode === 'manual'
        ? {
            proxy: {
              kind: 'manual',
              url: proxyUrl,
              noProxy,
              ...(username !== '' ? { username, password } : {}),
              ...(username === '' && keep ? { keepCredentials: true } : {}),
            },
          }
        : mode === 'pac'
          ? { proxy: { kind: 'pac', url: pacUrl } }
          : { proxy: { kind: mode } };
    return api.updateNetwork(update);
  });

  if (loadError !== undefined) {
    return <ErrorNotice error={loadError} title="The network settings could not be read" />;
  }
  if (!overview) return <p>Loading network settings…</p>;
  const stored = overview.setting.kind === 'manual' && overview.setting.credentials;
  const undecided = overview.installations.some((each) =>
    each.routes.some((row) => row.error !== undefined),
  );
  return (
    <section aria-labelledby="network-title">
      <h2 id="network-title">Network</h2>
      <p className="muted">
        How the companion reaches Bitbucket Data Center and the platform from this machine. Every
        connection follows this setting: sign-in, pushes (both engines), the relay and the bridge.
      </p>
      <form
        className="form-grid"
        onSubmit={(event) => {
          event.preventDefault();
          void save().then((value) => value && show(value));
        }}
      >
        <div role="radiogroup" aria-label="Proxy" className="segmented">
          {MODES.map((each) => (
            <label key={each.kind} className={mode === each.kind ? 'selected' : ''}>
              <input
                type="radio"
                name="proxy-mode"
                checked={mode === each.kind}
                onChange={() => setMode(each.kind)}
              />
              {each.label}
            </label>
          ))}
        </div>
        {mode === 'auto' ? (
          <p className="muted">
            {overview.environment.httpsProxy
              ? `The proxy variables of this process name ${overview.environment.httpsProxy}; they are used.`
              : overview.systemProxy
                ? "No proxy variables are set, so the system's proxy settings (including a PAC file or automatic detection) decide."
                : 'No proxy variables are set, so connections go direct.'}
          </p>
        ) : null}
        {mode === 'direct' ? (
          <p className="muted">
            Every connection goes direct, whatever the system or the proxy variables say.
          </p>
        ) : null}
        {mode === 'manual' ? (
          <>
            <Field
              label="Proxy URL"
              value={proxyUrl}
              onChange={setProxyUrl}
              type="url"
              placeholder="http://proxy.corp.example:3128"
              help="Scheme, host and port. A user name and password go in their own fields."
            />
            <Field
              label="Bypass the proxy for"
              value={noProxy}
              onChange={setNoProxy}
              placeholder=".corp.example, 10.0.0.0/8, bitbucket.corp.example:8443"
              help="Hosts reached directly, separated by commas: a name also covers its subdomains; a range such as 10.0.0.0/8 covers addresses in it; * covers everything."
            />
            <Field
              label="Proxy user name (optional)"
              value={username}
              onChange={setUsername}
              help="Kept in the system keychain with the password, never in the settings file."
            />
            <Field label="Proxy password" value={password} onChange={setPassword} type="password" />
            {stored && username === '' ? (
              <Checkbox
                label="Keep the stored user name and password"
                checked={keep}
                onChange={setKeep}
              />
            ) : null}
          </>
        ) : null}
        {mode === 'pac' ? (
          <Field
            label="PAC file URL"
            value={pacUrl}
            onChange={setPacUrl}
            type="url"
            placeholder="http://wpad.corp.example/proxy.pac"
            help="The proxy auto-config file your network team publishes. It is fetched directly and asked for each address."
          />
        ) : null}
        <div className="actions">
          <button type="submit" className="primary" disabled={saved.kind === 'running'}>
            Save
          </button>
        </div>
      </form>
      {saved.kind === 'failed' ? <ErrorNotice error={saved.error} title="Not saved" /> : null}
      {saved.kind === 'done' && !undecided ? (
        <p role="status" className="notice notice-ok">
          Saved; every new connection takes the routes below.
        </p>
      ) : null}
      {saved.kind === 'done' && undecided ? (
        <p role="status" className="notice notice-warn">
          Saved, but connections cannot be made with it yet: the routes below say why.
        </p>
      ) : null}

      <h3>In effect</h3>
      <dl className="facts" aria-label="Proxy sources">
        <dt>Proxy variables (HTTPS_PROXY)</dt>
        <dd className="mono">{overview.environment.httpsProxy ?? 'not set'}</dd>
        <dt>No proxy for (NO_PROXY)</dt>
        <dd className="mono">{overview.environment.noProxy ?? 'not set'}</dd>
        <dt>System proxy settings</dt>
        <dd>
          {overview.systemProxy
            ? 'consulted when the setting is Automatic and no proxy variable is set'
            : 'not available here (no desktop session)'}
        </dd>
      </dl>
      <p className="muted">
        Order: this setting when it is not Automatic; then the proxy variables; then the system.
      </p>

      {overview.installations.length === 0 ? (
        <p className="muted">Add an installation to see the route of its connections.</p>
      ) : null}
      {overview.installations.map((installation) => (
        <InstallationRoutes
          key={installation.id}
          installation={installation}
          onChanged={() => void api.getNetwork().then(show, failed)}
        />
      ))}
    </section>
  );
}

function InstallationRoutes(props: {
  readonly installation: NetworkOverview['installations'][number];
  readonly onChanged: () => void;
}) {
  const api = useApi();
  const { installation } = props;
  const [pem, setPem] = useState('');
  const [replace, replaced] = useAction(() => {
    const platform = installation.platform!;
    return api.updateInstallation({
      installation: installation.id,
      platform: {
        baseUrl: platform.baseUrl,
        installationId: platform.installationId,
        caPems: pem.trim() === '' ? [] : [pem],
      },
    });
  });
  const titleId = `routes-${installation.id}`;
  return (
    <section aria-labelledby={titleId} className="network-installation">
      <h3 id={titleId}>{installation.name}</h3>
      <table className="data-table" aria-label={`Routes of ${installation.name}`}>
        <thead>
          <tr>
            <th scope="col">Connection</th>
            <th scope="col">Address</th>
            <th scope="col">Route</th>
          </tr>
        </thead>
        <tbody>
          {installation.routes.map((row) => (
            <tr key={row.role}>
              <td>{ROLE_WORDS[row.role]}</td>
              <td className="mono">{row.url}</td>
              <td className={row.error ? 'route-failed' : 'mono'}>
                {row.error ? <ErrorNotice error={row.error} /> : row.description}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {installation.platform ? (
        <details className="advanced">
          <summary>
            Platform CA{' '}
            {installation.platformCa.length === 0
              ? '(none: the public roots only)'
              : `(${installation.platformCa.map((ca) => ca.subject).join('; ')})`}
          </summary>
          <p className="muted">
            Needed only behind a TLS-inspecting proxy: the CA it signs with, so the relay and the
            bridge trust the platform through it. Verification is never turned off.
          </p>
          <Field
            label={`Platform CA for ${installation.name} (PEM)`}
            value={pem}
            onChange={setPem}
            multiline
            help="Paste the proxy's CA certificate; leave empty and save to trust the public roots only."
          />
          <div className="actions">
            <button
              type="button"
              onClick={() => void replace().then((value) => value && props.onChanged())}
              disabled={replaced.kind === 'running'}
            >
              Save platform CA
            </button>
          </div>
          {replaced.kind === 'failed' ? (
            <ErrorNotice error={replaced.error} title="Platform CA not saved" />
          ) : null}
          {replaced.kind === 'done' ? (
            <p role="status" className="notice notice-ok">
              Platform CA saved.
            </p>
          ) : null}
        </details>
      ) : null}
    </section>
  );
}
