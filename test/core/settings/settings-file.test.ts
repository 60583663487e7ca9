import { spawn } from 'node:child_process';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCompanionError } from '../../../common/errors/companion-error.js';
import { newInstallation } from '../../../core/settings/new-installation.js';
import {
  openSettings,
  openSettingsWithRecovery,
  settingsFilePath,
} from '../../../core/settings/settings-file.js';
import { rmSync } from 'node:fs';
import { repoRoot } from '../../helpers/cli-harness.js';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'bdc-settings-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (isCompanionError(error)) return error.code;
    throw error;
  }
  return undefined;
}

describe('settings file', () => {
  it('saves, finds by name (any case) or id, lists and removes installations', () => {
    const settings = openSettings(home);
    const prod = newInstallation({ name: 'prod', baseUrl: 'https://bdc.corp/bitbucket/' });
    settings.saveInstallation(prod);
    expect(prod.baseUrl).toBe('https://bdc.corp/bitbucket');
    const reopened = openSettings(home);
    expect(reopened.findInstallation('PROD')).toEqual(prod);
    expect(reopened.findInstallation(prod.id)).toEqual(prod);
    expect(reopened.listInstallations()).toHaveLength(1);
    expect(reopened.removeInstallation('prod').id).toBe(prod.id);
    expect(reopened.listInstallations()).toEqual([]);
  });

  it('writes the file with mode 0600 and no temporary files left behind', () => {
    const settings = openSettings(home);
    settings.saveInstallation(newInstallation({ name: 'a', baseUrl: 'https://a.corp' }));
    expect(statSync(settings.path).mode & 0o777).toBe(0o600);
    expect(readdirSync(home).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('keeps optional fields (platform, relay.publicUrl, oauth user) round-trip exact', () => {
    const settings = openSettings(home);
    const base = newInstallation({
      name: 'p',
      baseUrl: 'https://p.corp',
      platform: { baseUrl: 'https://platform.example', installationId: 'inst-1', caPems: [] },
    });
    const withOauth = {
      ...base,
      auth: { kind: 'oauth', clientId: 'abc', redirect: 'localhost', user: undefined } as const,
    };
    settings.saveInstallation(withOauth);
    expect(openSettings(home).requireInstallation('p')).toEqual(withOauth);
  });

  it('refuses duplicate names (case-insensitive), invalid names and unknown installations', () => {
    const settings = openSettings(home);
    settings.saveInstallation(newInstallation({ name: 'Prod', baseUrl: 'https://a.corp' }));
    expect(
      codeOf(() =>
        settings.saveInstallation(newInstallation({ name: 'prod', baseUrl: 'https://b.corp' })),
      ),
    ).toBe('INSTALLATION_EXISTS');
    for (const name of ['', '-x', 'a b', 'x'.repeat(65), '../etc', 'a/b']) {
      expect(codeOf(() => newInstallation({ name, baseUrl: 'https://a.corp' }))).toBe(
        'INSTALLATION_NAME_INVALID',
      );
    }
    expect(codeOf(() => newInstallation({ name: 'ok', baseUrl: 'http://a.corp' }))).toBe(
      'INPUT_INVALID',
    );
    expect(codeOf(() => newInstallation({ name: 'ok', baseUrl: 'https://u:p@a.corp' }))).toBe(
      'INPUT_INVALID',
    );
    try {
      settings.requireInstallation('nope');
      expect.unreachable();
    } catch (error) {
      expect(isCompanionError(error, 'INSTALLATION_NOT_FOUND')).toBe(true);
      expect((error as Error).message).toContain('Prod');
    }
  });

  it('refuses a value the schema forbids without writing anything', () => {
    const settings = openSettings(home);
    const good = newInstallation({ name: 'a', baseUrl: 'https://a.corp' });
    settings.saveInstallation(good);
    const before = readFileSync(settings.path, 'utf8');
    expect(codeOf(() => settings.saveInstallation({ ...good, baseUrl: 'http://x' }))).toBe(
      'SETTINGS_VALUE_INVALID',
    );
    expect(readFileSync(settings.path, 'utf8')).toBe(before);
  });

  it('moves a file that is not JSON aside, reports SETTINGS_CORRUPT, then starts empty', () => {
    const path = settingsFilePath(home);
    writeFileSync(path, '{"schemaVersion": 1, "installations": [ {oops');
    let message = '';
    try {
      openSettings(home, { now: () => new Date('2026-11-28T10:00:00.000Z') });
      expect.unreachable();
    } catch (error) {
      expect(isCompanionError(error, 'SETTINGS_CORRUPT')).toBe(true);
      message = (error as Error).message;
    }
    const preserved = `${path}.corrupt-2026-11-28T10-00-00-000Z`;
    expect(message).toContain(preserved);
    expect(message).toContain('not valid JSON');
    expect(readFileSync(preserved, 'utf8')).toBe('{"schemaVersion": 1, "installations": [ {oops');
    expect(openSettings(home).listInstallations()).toEqual([]);
  });

  it('lets a long-running shell start on empty settings with the corruption report', () => {
    writeFileSync(settingsFilePath(home), 'not json at all');
    const { settings, recovered } = openSettingsWithRecovery(home);
    expect(recovered?.code).toBe('SETTINGS_CORRUPT');
    expect(recovered?.data?.['preservedAs']).toMatch(/settings\.json\.corrupt-/);
    expect(settings.listInstallations()).toEqual([]);
    expect(openSettingsWithRecovery(home).recovered).toBeUndefined();
    writeFileSync(settingsFilePath(home), JSON.stringify({ schemaVersion: 42, installations: [] }));
    expect(codeOf(() => openSettingsWithRecovery(home))).toBe('SETTINGS_NEWER_VERSION');
  });

  it('moves a file that breaks the schema aside too, naming the violation', () => {
    const path = settingsFilePath(home);
    const bad = JSON.stringify({
      schemaVersion: 1,
      installations: [
        { ...newInstallation({ name: 'a', baseUrl: 'https://a' }), baseUrl: 'ftp://a' },
      ],
    });
    writeFileSync(path, bad);
    try {
      openSettings(home);
      expect.unreachable();
    } catch (error) {
      expect(isCompanionError(error, 'SETTINGS_CORRUPT')).toBe(true);
      expect((error as Error).message).toContain('baseUrl');
    }
    const kept = readdirSync(home).filter((name) => name.includes('.corrupt-'));
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(home, kept[0] as string), 'utf8')).toBe(bad);
  });

  it('detects damage done by another process after opening', () => {
    const settings = openSettings(home);
    settings.saveInstallation(newInstallation({ name: 'a', baseUrl: 'https://a.corp' }));
    writeFileSync(settings.path, 'garbage');
    expect(codeOf(() => settings.listInstallations())).toBe('SETTINGS_CORRUPT');
    expect(readdirSync(home).some((name) => name.includes('.corrupt-'))).toBe(true);
  });

  it('migrates an unversioned hand-written file, keeping the original bytes', () => {
    const path = settingsFilePath(home);
    const original = JSON.stringify({
      installations: [{ name: 'legacy', baseUrl: 'https://legacy.corp' }],
    });
    writeFileSync(path, original);
    const settings = openSettings(home);
    const legacy = settings.requireInstallation('legacy');
    expect(legacy.auth).toEqual({ kind: 'none' });
    expect(legacy.caPems).toEqual([]);
    expect(legacy.id).toMatch(/^[0-9a-f-]{36}$/);
    const stored = JSON.parse(readFileSync(path, 'utf8'));
    expect(stored.schemaVersion).toBe(2);
    expect(legacy.allowPartialChain).toBe(false);
    const backups = readdirSync(home).filter((name) => name.includes('.v0-'));
    expect(backups).toHaveLength(1);
    expect(readFileSync(join(home, backups[0] as string), 'utf8')).toBe(original);
    // Idempotent: opening again changes nothing and makes no second backup.
    expect(openSettings(home).requireInstallation('legacy')).toEqual(legacy);
    expect(readdirSync(home).filter((name) => name.includes('.v0-'))).toHaveLength(1);
  });

  it('keeps clone-cache settings next to the installations, validated', () => {
    const settings = openSettings(home);
    expect(settings.cacheSettings?.()).toEqual({});
    settings.saveInstallation(newInstallation({ name: 'a', baseUrl: 'https://a.corp' }));
    settings.saveCacheSettings?.({
      maxBytes: 1024 ** 3,
      idleExpiryMs: 60_000,
      gitFallbackThresholdMb: 20,
    });
    const reopened = openSettings(home);
    expect(reopened.cacheSettings?.()).toEqual({
      maxBytes: 1024 ** 3,
      idleExpiryMs: 60_000,
      gitFallbackThresholdMb: 20,
    });
    expect(reopened.listInstallations()).toHaveLength(1);
    expect(codeOf(() => reopened.saveCacheSettings?.({ maxBytes: -1 }))).toBe(
      'SETTINGS_VALUE_INVALID',
    );
  });

  it('refuses a file from a newer companion and leaves it untouched', () => {
    const path = settingsFilePath(home);
    const newer = JSON.stringify({ schemaVersion: 99, installations: [], future: true });
    writeFileSync(path, newer);
    expect(codeOf(() => openSettings(home))).toBe('SETTINGS_NEWER_VERSION');
    expect(readFileSync(path, 'utf8')).toBe(newer);
  });
});

describe('settings shared by several processes', () => {
  it('loses no installation when four processes add at the same time', async () => {
    // Every process waits for the same instant before it opens the (not yet existing) file, so
    // one opening while another saves — the moment a lost update would happen — is the rule.
    const startAt = Date.now() + 2500;
    const script = `
      import { openSettings } from './core/settings/settings-file.ts';
      import { newInstallation } from './core/settings/new-installation.ts';
      while (Date.now() < Number(process.argv[3])) {}
      const settings = openSettings(process.argv[1]);
      for (let index = 0; index < 10; index += 1) {
        settings.saveInstallation(newInstallation({ name: process.argv[2] + '-' + index, baseUrl: 'https://bdc.corp' }));
      }`;
    const runs = ['a', 'b', 'c', 'd'].map(
      (prefix) =>
        new Promise<number>((resolve) => {
          const child = spawn(
            process.execPath,
            ['--import', 'tsx', '--input-type=module', '-e', script, home, prefix, String(startAt)],
            { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] },
          );
          child.on('close', (code) => resolve(code ?? -1));
        }),
    );
    expect(await Promise.all(runs)).toEqual([0, 0, 0, 0]);
    const names = openSettings(home)
      .listInstallations()
      .map((installation) => installation.name);
    expect(names).toHaveLength(40);
    expect(readdirSync(home).filter((name) => name.endsWith('.lock'))).toEqual([]);
  });

  it('breaks a lock left by a crashed process', () => {
    const settings = openSettings(home);
    writeFileSync(`${settings.path}.lock`, '999999 long ago\n');
    utimesSync(`${settings.path}.lock`, new Date(0), new Date(0));
    settings.saveInstallation(newInstallation({ name: 'after-crash', baseUrl: 'https://a.corp' }));
    expect(settings.findInstallation('after-crash')).toBeDefined();
  });
});

describe('settings robustness', () => {
  it('answers any file content with settings or SETTINGS_CORRUPT/NEWER, never a crash or a loss', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc
            .jsonValue()
            .map((value) => JSON.stringify({ schemaVersion: 1, installations: [value] })),
          fc.jsonValue().map((value) => JSON.stringify({ installations: value })),
        ),
        (content) => {
          const folder = mkdtempSync(join(tmpdir(), 'bdc-settings-fuzz-'));
          try {
            writeFileSync(settingsFilePath(folder), content);
            try {
              openSettings(folder).listInstallations();
            } catch (error) {
              expect(isCompanionError(error)).toBe(true);
              expect(['SETTINGS_CORRUPT', 'SETTINGS_NEWER_VERSION']).toContain(
                (error as { code: string }).code,
              );
              const kept = readdirSync(folder).filter(
                (name) => name.includes('.corrupt-') || name === 'settings.json',
              );
              // The bytes are still on disk, as the original or the preserved copy.
              const texts = kept.map((name) => readFileSync(join(folder, name), 'utf8'));
              expect(texts).toContain(content);
            }
          } finally {
            rmSync(folder, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
