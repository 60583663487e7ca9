import type { InstallationUpdate } from '../../common/api/models.js';
import type { Installation, RelaySettings } from '../../common/models/installation.js';
import { formatListenAddress, parseListenAddress } from '../relay/listen-address.js';
import { loadRelayTls } from '../relay/relay-tls.js';
import { validateCaSet } from '../trust/validate-ca-set.js';
import { normaliseBaseUrl } from './new-installation.js';

type RelayUpdate = NonNullable<InstallationUpdate['relay']>;

/**
 * The relay TLS change: content (`pem`, what the API takes), files the local user named on the
 * command line (`files`, the CLI only: read at every relay start, so a renewed certificate
 * applies), or plain HTTP (`none`).
 */
export type RelayTlsChange =
  | NonNullable<RelayUpdate['tls']>
  | { readonly kind: 'files'; readonly certFile: string; readonly keyFile: string };

export type InstallationChanges = Omit<InstallationUpdate, 'installation' | 'relay'> & {
  readonly relay?:
    (Omit<RelayUpdate, 'tls'> & { readonly tls?: RelayTlsChange | undefined }) | undefined;
};

/** Changes whose relay TLS content was already stored as files (update-installation.ts). */
export type StoredInstallationChanges = Omit<InstallationChanges, 'relay'> & {
  readonly relay?: Omit<RelayUpdate, 'tls'> & {
    readonly tls?: Exclude<RelayTlsChange, { readonly kind: 'pem' }>;
  };
};

function relayChanges(
  current: RelaySettings,
  changes: StoredInstallationChanges['relay'],
): RelaySettings {
  if (changes === undefined) return current;
  const { tls: _previousTls, ...withoutTls } = current;
  const tls =
    changes.tls === undefined
      ? current.tls
      : changes.tls.kind === 'none'
        ? undefined
        : { certFile: changes.tls.certFile, keyFile: changes.tls.keyFile };
  // A pair that cannot serve is refused now, not at the relay's next start.
  if (changes.tls?.kind === 'files' && tls !== undefined) loadRelayTls(tls);
  return {
    ...withoutTls,
    ...(changes.enabled === undefined ? {} : { enabled: changes.enabled }),
    ...(changes.listen === undefined
      ? {}
      : { listen: formatListenAddress(parseListenAddress(changes.listen)) }),
    ...(changes.publicUrl === undefined
      ? {}
      : {
          publicUrl:
            changes.publicUrl === ''
              ? undefined
              : normaliseBaseUrl(changes.publicUrl, 'relay URL', true),
        }),
    ...(tls === undefined ? {} : { tls }),
  };
}

/**
 * An installation with the requested changes applied, each checked as when the installation was
 * added: replaced CAs must be real CA certificates, URLs and the listen address are normalised,
 * relay TLS files must form a usable pair. Throws before anything is saved; the desktop app,
 * `serve` and `installation update` all go through here.
 */
export function applyInstallationChanges(
  current: Installation,
  changes: StoredInstallationChanges,
  now: Date,
): Installation {
  const allowPartialChain = changes.allowPartialChain ?? current.allowPartialChain === true;
  // Withdrawing the partial-chain choice re-checks the CAs kept: an intermediate alone would no
  // longer anchor anything.
  const checkedCas =
    changes.caPems ?? (changes.allowPartialChain === false ? current.caPems : undefined);
  const caPems =
    checkedCas === undefined
      ? current.caPems
      : [...(validateCaSet(checkedCas, now, allowPartialChain)?.pems ?? [])];
  const platformCaPems =
    changes.platform?.caPems === undefined
      ? (current.platform?.caPems ?? [])
      : [...(validateCaSet(changes.platform.caPems, now)?.pems ?? [])];
  return {
    ...current,
    caPems,
    ...(changes.allowPartialChain === undefined ? {} : { allowPartialChain }),
    platform: changes.platform
      ? {
          baseUrl: normaliseBaseUrl(changes.platform.baseUrl, 'platform URL'),
          installationId: changes.platform.installationId,
          caPems: platformCaPems,
        }
      : current.platform,
    relay: relayChanges(current.relay, changes.relay),
  };
}
