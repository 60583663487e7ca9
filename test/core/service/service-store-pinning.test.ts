import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/logging/logger.js';
import { createEncryptedFileStore } from '../../../core/secrets/encrypted-file-store.js';
import { createMemorySecretStore } from '../../../core/secrets/memory-store.js';
import {
  openPinnedSecretStore,
  pinnedSecretStore,
} from '../../../core/secrets/pinned-secret-store.js';
import type { SecretStore } from '../../../core/secrets/secret-store.js';
import { openCompanionService } from '../../../core/service/open-service.js';
import { openSettings, settingsFilePath } from '../../../core/settings/settings-file.js';

const FAST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };

describe('the service opens the pinned secret store and survives a corrupt settings file', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'service-pinning-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  const open = (secretStore: SecretStore) =>
    openCompanionService({
      home,
      transport: 'http',
      logger: silentLogger,
      secretStore,
      env: {},
      oauthRedirect: 'localhost',
      startRelays: false,
    });

  const encryptedStore = () =>
    createEncryptedFileStore({
      path: join(home, 'secrets.enc'),
      passphrase: 'correct horse battery staple',
      scrypt: FAST_SCRYPT,
    });

  it('refuses another store than the one the secrets are in (SECRET_STORE_MISMATCH)', async () => {
    openSettings(home).pinSecretStore?.('credentials-dir');
    await expect(open(encryptedStore())).rejects.toMatchObject({
      code: 'SECRET_STORE_MISMATCH',
      data: { pinned: 'credentials-dir', chosen: 'encrypted-file' },
    });
  });

  it('opens the pinned store, and the first secret written pins it', async () => {
    const settings = openSettings(home);
    const store = pinnedSecretStore(settings, encryptedStore(), { home, env: {} });
    expect(settings.pinnedSecretStore?.()).toBeUndefined();
    await store.set({ installationId: 'i-1', kind: 'pat' }, 'BBDC-x');
    expect(openSettings(home).pinnedSecretStore?.()).toBe('encrypted-file');
    const service = await open(encryptedStore());
    await service.close();
    // Another run that chooses the keychain by default now fails loudly.
    await expect(
      openPinnedSecretStore(openSettings(home), { home, env: {} }),
    ).rejects.toMatchObject({ code: 'SECRET_STORE_MISMATCH' });
  });

  it('starts on empty settings with the corruption report in AppInfo', async () => {
    writeFileSync(settingsFilePath(home), '{"schemaVersion": 1, "installations": [ {oops');
    const service = await open(createMemorySecretStore());
    try {
      const info = await service.getAppInfo();
      expect(info.settingsRecovered?.code).toBe('SETTINGS_CORRUPT');
      expect(await service.invoke('listInstallations', [])).toEqual([]);
    } finally {
      await service.close();
    }
  });
});
