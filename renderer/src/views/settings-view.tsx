import { useEffect, useState } from 'react';
import type { AppSettings } from '../../../common/api/models.js';
import { useAction, useApi } from '../app-context.js';
import { ErrorNotice } from '../components/error-notice.js';
import { Field } from '../components/field.js';

/** Clone cache expiry and size, the git CLI fallback threshold, and the proxy in effect. */
export function SettingsView() {
  const api = useApi();
  const [settings, setSettings] = useState<AppSettings | undefined>(undefined);
  const [expiry, setExpiry] = useState('');
  const [maxGiB, setMaxGiB] = useState('');
  const [threshold, setThreshold] = useState('');
  const [save, saved] = useAction(() =>
    api.updateSettings({
      cacheExpiryMinutes: Number(expiry),
      cacheMaxGiB: Number(maxGiB),
      fallbackThresholdMb: Number(threshold),
    }),
  );

  const show = (value: AppSettings) => {
    setSettings(value);
    setExpiry(String(value.cacheExpiryMinutes));
    setMaxGiB(String(value.cacheMaxGiB));
    setThreshold(String(value.fallbackThresholdMb));
  };
  useEffect(() => {
    void api.getSettings().then(show, () => undefined);
  }, [api]);

  if (!settings) return <p>Loading settings…</p>;
  return (
    <section aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <form
        className="form-grid"
        onSubmit={(event) => {
          event.preventDefault();
          void save().then((value) => value && show(value));
        }}
      >
        <Field
          label="Clone cache expiry (minutes after last use)"
          type="number"
          value={expiry}
          onChange={setExpiry}
        />
        <Field
          label="Clone cache size limit (GiB)"
          type="number"
          value={maxGiB}
          onChange={setMaxGiB}
        />
        <Field
          label="git CLI fallback threshold (MB)"
          type="number"
          value={threshold}
          onChange={setThreshold}
          help="Repositories larger than this are pushed with the git CLI instead of isomorphic-git."
        />
        <div className="actions">
          <button type="submit" className="primary">
            Save
          </button>
        </div>
      </form>
      {saved.kind === 'failed' ? <ErrorNotice error={saved.error} /> : null}
      {saved.kind === 'done' ? (
        <p role="status" className="notice notice-ok">
          Saved; the next push uses these settings.
        </p>
      ) : null}
      <h3>Network</h3>
      <dl className="facts" aria-label="Network">
        <dt>Clone cache folder</dt>
        <dd className="mono">{settings.cacheDirectory ?? 'the OS cache folder'}</dd>
        <dt>HTTPS proxy</dt>
        <dd className="mono">{settings.proxy.httpsProxy ?? 'none (direct connections)'}</dd>
        <dt>No proxy for</dt>
        <dd className="mono">{settings.proxy.noProxy ?? '—'}</dd>
      </dl>
      <p className="muted">
        The proxy comes from HTTPS_PROXY and NO_PROXY in the companion's environment, so the app,
        the daemon and git use the same route.
      </p>
    </section>
  );
}
