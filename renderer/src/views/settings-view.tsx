import { useEffect, useState } from 'react';
import type { AppSettings } from '../../../common/api/models.js';
import { useAction, useApi } from '../app-context.js';
import { ErrorNotice } from '../components/error-notice.js';
import { Field } from '../components/field.js';

/** Clone cache, engine fallback threshold and proxy. */
export function SettingsView() {
  const api = useApi();
  const [settings, setSettings] = useState<AppSettings | undefined>(undefined);
  const [expiry, setExpiry] = useState('');
  const [maxGiB, setMaxGiB] = useState('');
  const [threshold, setThreshold] = useState('');
  const [proxyKind, setProxyKind] = useState<AppSettings['proxy']['kind']>('system');
  const [proxyUrl, setProxyUrl] = useState('');
  const [noProxy, setNoProxy] = useState('');
  const [save, saved] = useAction(() =>
    api.updateSettings({
      cacheExpiryMinutes: Number(expiry),
      cacheMaxGiB: Number(maxGiB),
      fallbackThresholdMb: Number(threshold),
      proxy:
        proxyKind === 'manual'
          ? {
              kind: 'manual',
              url: proxyUrl.trim(),
              noProxy: noProxy
                .split(',')
                .map((each) => each.trim())
                .filter(Boolean),
            }
          : { kind: proxyKind },
    }),
  );

  const show = (value: AppSettings) => {
    setSettings(value);
    setExpiry(String(value.cacheExpiryMinutes));
    setMaxGiB(String(value.cacheMaxGiB));
    setThreshold(String(value.fallbackThresholdMb));
    setProxyKind(value.proxy.kind);
    if (value.proxy.kind === 'manual') {
      setProxyUrl(value.proxy.url);
      setNoProxy(value.proxy.noProxy.join(', '));
    }
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
        <label className="inline-field">
          Proxy{' '}
          <select
            value={proxyKind}
            onChange={(event) => setProxyKind(event.target.value as AppSettings['proxy']['kind'])}
          >
            <option value="system">from the environment (HTTPS_PROXY, NO_PROXY)</option>
            <option value="none">none</option>
            <option value="manual">manual</option>
          </select>
        </label>
        {proxyKind === 'manual' ? (
          <>
            <Field
              label="Proxy URL"
              value={proxyUrl}
              onChange={setProxyUrl}
              placeholder="http://proxy.corp:3128"
            />
            <Field label="No proxy for (comma-separated)" value={noProxy} onChange={setNoProxy} />
          </>
        ) : null}
        <div className="actions">
          <button type="submit" className="primary">
            Save
          </button>
        </div>
      </form>
      {saved.kind === 'failed' ? <ErrorNotice error={saved.error} /> : null}
      {saved.kind === 'done' ? (
        <p role="status" className="notice notice-ok">
          Saved.
        </p>
      ) : null}
    </section>
  );
}
