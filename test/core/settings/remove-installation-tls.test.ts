import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Installation } from '../../../common/models/installation.js';
import { silentLogger } from '../../../core/logging/logger.js';
import { storeRelayTlsPems } from '../../../core/relay/relay-tls-store.js';
import { createMemorySecretStore } from '../../../core/secrets/memory-store.js';
import { newInstallation } from '../../../core/settings/new-installation.js';
import { openSettings } from '../../../core/settings/settings-file.js';
import { removeInstallation } from '../../../core/use-cases/remove-installation.js';
import { makePki } from '../net/test-pki.js';

// Issue 15: the relay's TLS key, kept as a 0600 file in the config folder when it arrived as
// content (desktop, `serve`), must not outlive the installation it belongs to. Files the admin
// named by path (`--relay-tls-cert/--relay-tls-key`) are theirs and stay.
const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

const pki = makePki('RemoveTls');

function setUp(): { home: string; root: string } {
  const root = mkdtempSync(join(tmpdir(), 'remove-tls-'));
  roots.push(root);
  return { root, home: join(root, 'home') };
}

function withTls(installation: Installation, files: { certFile: string; keyFile: string }) {
  return { ...installation, relay: { ...installation.relay, tls: files } };
}

describe('removing an installation', () => {
  it('deletes the relay certificate and key the companion kept for it, and only those', async () => {
    const { home } = setUp();
    const settings = openSettings(home);
    const gone = newInstallation({ name: 'gone', baseUrl: 'https://bdc.example.test' });
    const stays = newInstallation({ name: 'stays', baseUrl: 'https://bdc.example.test' });
    const pair = { certPem: pki.leaf.certPem, keyPem: pki.leaf.keyPem };
    settings.saveInstallation(withTls(gone, storeRelayTlsPems(home, gone.id, pair)));
    const kept = storeRelayTlsPems(home, stays.id, pair);
    settings.saveInstallation(withTls(stays, kept));
    // A pair written by an update that was then not saved lies in the same folder.
    storeRelayTlsPems(home, gone.id, { certPem: pki.leaf.certPem, keyPem: pki.leaf.keyPem + '\n' });
    expect(readdirSync(join(home, 'relay-tls', gone.id))).toHaveLength(4);

    await removeInstallation(
      { settings, secretStore: createMemorySecretStore(), logger: silentLogger },
      { installation: 'gone' },
    );

    expect(existsSync(join(home, 'relay-tls', gone.id))).toBe(false);
    expect(existsSync(kept.certFile) && existsSync(kept.keyFile)).toBe(true);
  });

  it('also with --keep-secrets, and leaves files the admin named by path alone', async () => {
    const { home, root } = setUp();
    const settings = openSettings(home);
    const own = join(root, 'admin-pki');
    mkdirSync(own);
    const files = { certFile: join(own, 'relay.crt'), keyFile: join(own, 'relay.key') };
    writeFileSync(files.certFile, pki.leaf.certPem);
    writeFileSync(files.keyFile, pki.leaf.keyPem);
    const byPath = newInstallation({ name: 'by-path', baseUrl: 'https://bdc.example.test' });
    settings.saveInstallation(withTls(byPath, files));
    const stored = newInstallation({ name: 'stored', baseUrl: 'https://bdc.example.test' });
    settings.saveInstallation(
      withTls(
        stored,
        storeRelayTlsPems(home, stored.id, { certPem: pki.leaf.certPem, keyPem: pki.leaf.keyPem }),
      ),
    );
    const ports = { settings, secretStore: createMemorySecretStore(), logger: silentLogger };

    await removeInstallation(ports, { installation: 'by-path' });
    await removeInstallation(ports, { installation: 'stored', keepSecrets: true });

    expect(existsSync(files.certFile) && existsSync(files.keyFile)).toBe(true);
    expect(existsSync(join(home, 'relay-tls', stored.id))).toBe(false);
  });
});
