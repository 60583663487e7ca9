import { useState } from 'react';
import type { Installation } from '../../../common/api/models.js';
import { useAction, useApi } from '../app-context.js';
import { ErrorNotice } from './error-notice.js';
import { Checkbox } from './field.js';
import { PemField } from './pem-field.js';

/**
 * Replaces an installation's private CAs after the organisation renewed its CA, keeping its
 * sign-in and secrets. The engine probes the instance with the new trust before it saves, so a CA
 * that does not complete the chain never replaces one that does.
 */
export function ReplaceCaForm(props: { installation: Installation }) {
  const api = useApi();
  const { installation } = props;
  const [pem, setPem] = useState('');
  const [partialChain, setPartialChain] = useState(installation.allowPartialChain === true);
  const [save, saved] = useAction(async () => {
    const next = await api.updateInstallation({
      installation: installation.name,
      caPems: pem.trim() === '' ? [] : [pem],
      allowPartialChain: partialChain,
    });
    setPem('');
    return next;
  });
  return (
    <details>
      <summary>Replace the private CAs…</summary>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <PemField
          label="New CA certificates (PEM)"
          fileLabel="Choose the new CA file"
          value={pem}
          onChange={setPem}
          help="They replace the CAs this installation trusts. The instance is probed with them first; nothing changes if the probe fails. Empty: trust only the public roots."
        />
        <Checkbox
          label="Trust an intermediate CA alone (partial chain)"
          checked={partialChain}
          onChange={setPartialChain}
        />
        <div className="actions">
          <button type="submit" disabled={saved.kind === 'running'}>
            {saved.kind === 'running' ? 'Probing…' : 'Probe and save'}
          </button>
        </div>
      </form>
      {saved.kind === 'failed' ? (
        <ErrorNotice error={saved.error} title="CAs not replaced" />
      ) : null}
      {saved.kind === 'done' && saved.value ? (
        <p role="status">
          Saved: {installation.baseUrl} answered with the new trust ({saved.value.caPems.length} CA
          {saved.value.caPems.length === 1 ? '' : 's'}).
        </p>
      ) : null}
    </details>
  );
}
