import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../helpers/cli-harness.js';

const SCHEME = 'io.ankra.bdc-companion';

type Config = Record<string, unknown> & {
  protocols: { name: string; schemes: string[] }[];
  electronFuses: Record<string, boolean>;
  linux: { target: string[]; desktop: { entry: Record<string, string> } };
  mac: { target: { target: string; arch: string[] }[] };
  win: { target: { target: string }[] };
  deb: { depends: string[] };
  rpm: { depends: string[] };
  nsis: { include: string };
  asarUnpack: string[];
  files: string[];
};

function loadConfig(): Config {
  return parse(readFileSync(join(repoRoot, 'electron-builder.yml'), 'utf8')) as Config;
}

/**
 * electron-builder's own schema, compiled with the ajv options electron-builder itself uses
 * (app-builder-lib/out/util/config/schemaValidator.js: strict off, because the schema carries a
 * `typeof` keyword for function-valued options).
 */
function electronBuilderValidator(): ValidateFunction {
  const schema = JSON.parse(
    readFileSync(join(repoRoot, 'node_modules/app-builder-lib/scheme.json'), 'utf8'),
  ) as object;
  return new Ajv({ allErrors: true, strict: false }).compile(schema);
}

describe('electron-builder.yml', () => {
  const validate = electronBuilderValidator();

  it("is valid against electron-builder's schema", () => {
    const valid = validate(loadConfig());
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema check catches a misspelt fuse and an unknown target option (the check can fail)', () => {
    const broken = loadConfig();
    broken.electronFuses = { ...broken.electronFuses, runAsNodeTypo: false };
    expect(validate(broken)).toBe(false);
    const alsoBroken = { ...loadConfig(), nsis: { include: 'x', perMachin: true } };
    expect(validate(alsoBroken)).toBe(false);
  });

  it('identifies the app and registers the OAuth callback scheme on every OS', () => {
    const config = loadConfig();
    expect(config['appId']).toBe(SCHEME);
    expect(config['productName']).toBe('Ankra BDC Companion');
    expect(config.protocols).toEqual([{ name: 'Ankra BDC Companion', schemes: [SCHEME] }]);
    expect(config.linux.desktop.entry['MimeType']).toBe(`x-scheme-handler/${SCHEME};`);
    const nsh = readFileSync(join(repoRoot, config.nsis.include), 'utf8');
    expect(nsh).toContain(`Software\\Classes\\${SCHEME}" "URL Protocol" ""`);
    expect(nsh).toContain(
      `Software\\Classes\\${SCHEME}\\shell\\open\\command" "" '"$appExe" "%1"'`,
    );
    expect(nsh).toMatch(/!macro customUnInstall[\s\S]*DeleteRegKey SHELL_CONTEXT/);
  });

  it('flips every hardening fuse', () => {
    expect(loadConfig().electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('builds deb, rpm and AppImage; dmg for x64 and arm64; nsis', () => {
    const config = loadConfig();
    expect(config.linux.target).toEqual(['deb', 'rpm', 'AppImage']);
    expect(config.mac.target).toEqual([{ target: 'dmg', arch: ['x64', 'arm64'] }]);
    expect(config.win.target.map((target) => target.target)).toEqual(['nsis']);
    expect(config.deb.depends).toContain('libsecret-1-0');
    expect(config.rpm.depends).toContain('libsecret');
  });

  it('unpacks and rebuilds the native modules, ships the built app and not the simulator', () => {
    const config = loadConfig();
    expect(config.asarUnpack).toEqual(
      expect.arrayContaining(['**/node_modules/keytar/**', '**/node_modules/better-sqlite3/**']),
    );
    expect(config['asar']).toBe(true);
    expect(config['npmRebuild']).toBe(true);
    expect(config.files).toEqual(expect.arrayContaining(['dist/**', '!dist/sim/**']));
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      main: string;
      dependencies: Record<string, string>;
      optionalDependencies: Record<string, string>;
    };
    expect(pkg.main.startsWith('dist/')).toBe(true);
    expect(pkg.dependencies['better-sqlite3']).toBeDefined();
    expect(pkg.optionalDependencies['keytar']).toBeDefined();
  });
});
