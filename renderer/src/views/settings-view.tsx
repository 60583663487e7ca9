import { useEffect, useState } from 'react';
import type { AppSettings } from '../../../common/api/models.js';
import { useAction, useApi } from '../app-context.js';
import { ErrorNotice } from '../components/error-notice.js';
import { Field } from '../components/field.js';

/** Clone cache expiry and size and the git CLI fallback threshold (the proxy is under Network). */
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
      <h3>Storage</h3>
      <dl className="facts" aria-label="Storage">
        <dt>Clone cache folder</dt>
        <dd className="mono">{settings.cacheDirectory ?? 'the OS cache folder'}</dd>
      </dl>
      <p className="muted">The proxy, PAC file and platform CA are in the Network section.</p>
    </section>
  );
}
