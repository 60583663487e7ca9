import { CompanionError } from '../../common/errors/companion-error.js';
import type { Installation, PlatformLink } from '../../common/models/installation.js';
import type { ProbeResult } from '../../common/models/probe.js';
import type { Logger } from '../logging/logger.js';
import { probeRefusal } from '../probe/probe-refusal.js';
import { runProbe } from '../probe/run-probe.js';
import { validateInstallationName } from '../settings/installation-name.js';
import { newInstallation, normaliseBaseUrl } from '../settings/new-installation.js';
import type { SettingsStore } from '../settings/settings-store.js';
import { validateCaSet } from '../trust/validate-ca-set.js';
import { checkedWebhookSecret } from '../webhooks/change-webhook-secret.js';
import type { Environment } from './local-ports.js';
import { secretStoreOf, type SecretStorePort } from './secret-store-port.js';

export interface AddInstallationPorts {
  readonly settings: SettingsStore;
  /** Opened only when a webhook secret is given. */
  readonly secretStore: SecretStorePort;
  readonly env: Environment;
  readonly now: () => Date;
  readonly logger: Logger;
}

export interface AddInstallationInput {
  readonly name: string;
  readonly baseUrl: string;
  /** Private CA texts (PEM) to trust for this instance. */
  readonly caPems?: readonly string[] | undefined;
  /** What each CA text is called in messages (the CLI's file paths); by position. */
  readonly caNames?: readonly string[] | undefined;
  readonly allowLoopback?: boolean | undefined;
  /** The explicit choice to let an intermediate CA in `caPems` anchor the chain on its own. */
  readonly allowPartialChain?: boolean | undefined;
  readonly platform?:
    | {
        readonly baseUrl: string;
        readonly installationId: string;
        readonly caPems?: readonly string[] | undefined;
      }
    | undefined;
  readonly webhookSecret?: string | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Told before the probe starts (the CLI prints "Probing …"). */
  readonly onProbing?: ((url: string) => void) | undefined;
}

export interface AddInstallationResult {
  readonly installation: Installation;
  readonly probe: ProbeResult;
  readonly webhookSecretStored: boolean;
}

/** Validates CA texts, naming the one that failed when the caller gave names. */
function validateCas(
  texts: readonly string[] | undefined,
  names: readonly string[] | undefined,
  now: Date,
  allowIntermediate: boolean,
): readonly string[] {
  const pems: string[] = [];
  for (const [index, text] of (texts ?? []).entries()) {
    try {
      pems.push(...(validateCaSet([text], now, allowIntermediate)?.pems ?? []));
    } catch (error) {
      const name = names?.[index];
      if (name !== undefined && error instanceof Error) error.message = `${name}: ${error.message}`;
      throw error;
    }
  }
  return [...new Set(pems)];
}

/**
 * Adds an installation, probing the instance first: it is refused with the probe's own code when
 * the probe fails (wrong scheme, forbidden address, untrusted TLS, not Bitbucket, unsupported
 * version), so a saved installation is one the companion has reached. The one path of
 * `installation add` and the wizard (desktop and `serve`).
 */
export async function addInstallation(
  ports: AddInstallationPorts,
  input: AddInstallationInput,
): Promise<AddInstallationResult> {
  const name = validateInstallationName(input.name);
  const existing = ports.settings.findInstallation(name);
  if (existing) {
    throw new CompanionError(
      'INSTALLATION_EXISTS',
      `An installation named "${existing.name}" already exists (${existing.baseUrl}).`,
    );
  }
  const now = ports.now();
  // An intermediate-only CA is refused (TRUST_INTERMEDIATE_ONLY) unless the caller made the
  // explicit partial-chain choice; the installation keeps that choice for every connection.
  const allowPartialChain = input.allowPartialChain === true;
  const caPems = validateCas(input.caPems, input.caNames, now, allowPartialChain);
  if (allowPartialChain && caPems.length === 0) {
    throw new CompanionError(
      'INPUT_INVALID',
      'Trusting an intermediate CA alone needs that intermediate CA: none was given.',
    );
  }
  const platform: PlatformLink | undefined = input.platform
    ? {
        baseUrl: normaliseBaseUrl(input.platform.baseUrl, 'platform URL'),
        installationId: input.platform.installationId,
        caPems: [...validateCas(input.platform.caPems, undefined, now, false)],
      }
    : undefined;
  // The same check as when the secret changes later (installation update, the relay step).
  const webhookSecret =
    input.webhookSecret === undefined ? undefined : checkedWebhookSecret(input.webhookSecret);
  const allowLoopback = input.allowLoopback === true;

  input.onProbing?.(input.baseUrl);
  const probe = await runProbe(input.baseUrl, {
    caPems,
    allowLoopback,
    allowPartialChain,
    env: ports.env,
    ...(input.signal === undefined ? {} : { signal: input.signal }),
  });
  if (!probe.ok || probe.baseUrl === undefined)
    throw probeRefusal(probe, input.baseUrl, 'Not added');

  const installation = newInstallation(
    {
      name,
      baseUrl: probe.baseUrl,
      caPems,
      allowLoopback,
      allowPartialChain,
      ...(platform ? { platform } : {}),
    },
    now,
  );
  const secrets = webhookSecret === undefined ? undefined : await secretStoreOf(ports.secretStore);
  const secretKey = { installationId: installation.id, kind: 'webhook-secret' } as const;
  if (secrets && webhookSecret !== undefined) await secrets.set(secretKey, webhookSecret);
  try {
    ports.settings.saveInstallation(installation);
  } catch (error) {
    await secrets?.delete(secretKey);
    throw error;
  }
  ports.logger.info('installation added', {
    installation: installation.name,
    baseUrl: installation.baseUrl,
    version: probe.version,
    webhookSecretStored: webhookSecret !== undefined,
  });
  return { installation, probe, webhookSecretStored: webhookSecret !== undefined };
}
