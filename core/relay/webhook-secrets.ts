import type { SecretStore } from '../secrets/secret-store.js';

/** How long the replaced secret stays accepted after a rotation. */
export const PREVIOUS_SECRET_GRACE_MS = 15 * 60_000;

interface PreviousSecret {
  readonly secret: string;
  readonly expiresAt: string;
}

/**
 * The secrets the relay accepts for an installation: the current one, and during a rotation the
 * previous one until its grace period ends. Both live only in the SecretStore.
 */
export async function loadWebhookSecrets(
  store: SecretStore,
  installationId: string,
  now: number = Date.now(),
): Promise<readonly string[]> {
  const current = await store.get({ installationId, kind: 'webhook-secret' });
  const previous = parsePrevious(
    await store.get({ installationId, kind: 'webhook-secret-previous' }),
  );
  const secrets: string[] = [];
  if (current !== undefined && current !== '') secrets.push(current);
  if (
    previous !== undefined &&
    Date.parse(previous.expiresAt) > now &&
    previous.secret !== current
  ) {
    secrets.push(previous.secret);
  }
  return secrets;
}

/**
 * Makes `next` the current secret and keeps the current one accepted for `graceMs`. The previous
 * entry is written first: at no moment is a secret BDC may still use missing from the store.
 */
export async function storeRotatedSecret(
  store: SecretStore,
  installationId: string,
  next: string,
  now: number = Date.now(),
  graceMs: number = PREVIOUS_SECRET_GRACE_MS,
): Promise<{ readonly hadPrevious: boolean }> {
  const current = await store.get({ installationId, kind: 'webhook-secret' });
  if (current !== undefined && current !== '') {
    const previous: PreviousSecret = {
      secret: current,
      expiresAt: new Date(now + graceMs).toISOString(),
    };
    await store.set({ installationId, kind: 'webhook-secret-previous' }, JSON.stringify(previous));
  }
  await store.set({ installationId, kind: 'webhook-secret' }, next);
  return { hadPrevious: current !== undefined && current !== '' };
}

function parsePrevious(text: string | undefined): PreviousSecret | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (
      typeof value === 'object' &&
      value !== null &&
      typeof (value as PreviousSecret).secret === 'string' &&
      typeof (value as PreviousSecret).expiresAt === 'string'
    ) {
      return value as PreviousSecret;
    }
  } catch {
    // A malformed entry accepts nothing: it is never treated as a raw secret.
  }
  return undefined;
}
