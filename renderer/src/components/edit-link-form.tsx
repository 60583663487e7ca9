import { useState } from 'react';
import type { Installation, InstallationUpdate } from '../../../common/api/models.js';
import { CompanionError } from '../../../common/errors/companion-error.js';
import { useAction, useApi, useCan } from '../app-context.js';
import { WebhookSecretForm } from '../wizard/webhook-secret-form.js';
import { ErrorNotice } from './error-notice.js';
import { Checkbox, Field } from './field.js';
import { PemField } from './pem-field.js';

/**
 * Changes an existing installation's platform link, relay settings and webhook secret in place,
 * keeping its id, sign-in and secrets: the same change `installation update` makes, through the
 * same use case (core/use-cases/change-installation.ts). Fields start from what is saved; only
 * what differs is sent.
 */
export function EditLinkForm(props: { installation: Installation }) {
  const api = useApi();
  const can = useCan();
  const { installation } = props;
  const [platformUrl, setPlatformUrl] = useState(installation.platform?.baseUrl ?? '');
  const [platformId, setPlatformId] = useState(installation.platform?.installationId ?? '');
  const [platformCa, setPlatformCa] = useState('');
  const [listen, setListen] = useState(installation.relay.listen);
  const [publicUrl, setPublicUrl] = useState(installation.relay.publicUrl ?? '');
  const [enabled, setEnabled] = useState(installation.relay.enabled);
  const [save, saved] = useAction(async () => {
    const request = linkChanges(installation, {
      platformUrl,
      platformId,
      platformCa,
      listen,
      publicUrl,
      enabled,
    });
    const next = await api.updateInstallation(request);
    setPlatformCa('');
    return next;
  });
  return (
    <details>
      <summary>Edit the platform link and relay…</summary>
      <form
        className="form-grid"
        aria-label={`Platform link and relay of ${installation.name}`}
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <Field
          label="Platform URL"
          type="url"
          value={platformUrl}
          onChange={setPlatformUrl}
          placeholder="https://platform.ankra.io"
          help="The Ankra platform the relay forwards to and the bridge connects to."
        />
        <Field
          label="Platform installation id"
          value={platformId}
          onChange={setPlatformId}
          help="This installation's id on the platform, as its setup shows it."
        />
        <PemField
          label="Platform CA (PEM, optional)"
          fileLabel="Choose the platform CA file"
          value={platformCa}
          onChange={setPlatformCa}
          help={`Replaces the ${installation.platform?.caPems.length ?? 0} extra CA(s) for the platform side (a TLS-inspecting proxy). Empty: keep them.`}
        />
        <Field
          label="Relay listen address"
          value={listen}
          onChange={setListen}
          help="host:port the relay listens on. Use 0.0.0.0:PORT for BDC on another machine."
        />
        <Field
          label="Relay URL as BDC sees it"
          type="url"
          value={publicUrl}
          onChange={setPublicUrl}
          placeholder="https://companion.corp.example:8787"
          help="How BDC reaches the relay. Empty: forget it."
        />
        <Checkbox label="Start this relay with the app" checked={enabled} onChange={setEnabled} />
        <div className="actions">
          <button type="submit" disabled={saved.kind === 'running'}>
            {saved.kind === 'running' ? 'Saving…' : 'Save the link and relay'}
          </button>
        </div>
      </form>
      {saved.kind === 'failed' ? <ErrorNotice error={saved.error} title="Not saved" /> : null}
      {saved.kind === 'done' && saved.value ? (
        <p role="status" className="notice notice-ok">
          Saved. A relay already running keeps its old address until it restarts.
        </p>
      ) : null}
      {can('setWebhookSecret') ? (
        <WebhookSecretForm
          installation={installation.name}
          endpoint={undefined}
          onEndpoint={() => undefined}
        />
      ) : null}
    </details>
  );
}

interface LinkFields {
  readonly platformUrl: string;
  readonly platformId: string;
  readonly platformCa: string;
  readonly listen: string;
  readonly publicUrl: string;
  readonly enabled: boolean;
}

/**
 * The update request for what the admin changed: the platform link when its URL, id or CA
 * changed (both URL and id are then required, as on the command line), the relay fields that
 * differ from what is saved.
 */
export function linkChanges(installation: Installation, fields: LinkFields): InstallationUpdate {
  const platformUrl = fields.platformUrl.trim();
  const platformId = fields.platformId.trim();
  const platformCa = fields.platformCa.trim();
  const platformChanged =
    platformUrl !== (installation.platform?.baseUrl ?? '') ||
    platformId !== (installation.platform?.installationId ?? '') ||
    platformCa !== '';
  if (platformChanged && (platformUrl === '' || platformId === '')) {
    throw new CompanionError(
      'INPUT_INVALID',
      'Give the platform URL and the platform installation id together.',
    );
  }
  const relay = {
    ...(fields.enabled === installation.relay.enabled ? {} : { enabled: fields.enabled }),
    ...(fields.listen.trim() === installation.relay.listen ? {} : { listen: fields.listen.trim() }),
    ...(fields.publicUrl.trim() === (installation.relay.publicUrl ?? '')
      ? {}
      : { publicUrl: fields.publicUrl.trim() }),
  };
  return {
    installation: installation.name,
    ...(platformChanged
      ? {
          platform: {
            baseUrl: platformUrl,
            installationId: platformId,
            ...(platformCa === '' ? {} : { caPems: [platformCa] }),
          },
        }
      : {}),
    ...(Object.keys(relay).length === 0 ? {} : { relay }),
  };
}
