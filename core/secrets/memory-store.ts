import type { SecretKey, SecretStore } from './secret-store.js';

/** For unit tests: forgets everything with the process, and says so. */
export function createMemorySecretStore(): SecretStore & { readonly size: () => number } {
  const entries = new Map<string, string>();
  const account = (key: SecretKey): string => `${key.installationId}/${key.kind}`;
  return {
    backend: 'memory',
    persistent: false,
    osProtected: false,
    probe: async () => ({ ok: true }),
    get: async (key) => entries.get(account(key)),
    set: async (key, value) => void entries.set(account(key), value),
    delete: async (key) => entries.delete(account(key)),
    size: () => entries.size,
  };
}
