import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalogue } from '../../common/errors/catalogue.js';
import { COMPANION_VERSION } from '../../common/version.js';
import { commands } from '../../cli/command-registry.js';
import { repoRoot, runCliInProcess, runCliProcess } from '../helpers/cli-harness.js';

describe('bdc-companion command line', () => {
  it('--help lists every registered command and exits 0', async () => {
    const run = await runCliInProcess(['--help']);
    expect(run.code).toBe(0);
    for (const command of commands) expect(run.stdout).toContain(command.path.join(' '));
    expect(run.stdout).toContain('Exit codes: 0 success, 1 the operation failed, 2 usage error.');
  });

  it('no command at all is a usage error (exit 2) that still shows the help', async () => {
    const run = await runCliInProcess([]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('Usage: bdc-companion');
  });

  it('--version prints the package version; with --json as a document', async () => {
    expect((await runCliInProcess(['--version'])).stdout.trim()).toBe(COMPANION_VERSION);
    const run = await runCliInProcess(['--version', '--json']);
    expect(JSON.parse(run.stdout)).toEqual({ ok: true, version: COMPANION_VERSION });
  });

  it('an unknown flag exits 2 with a USAGE_INVALID document under --json', async () => {
    const run = await runCliInProcess(['explain', '--nope', '--json']);
    expect(run.code).toBe(2);
    const document = JSON.parse(run.stdout);
    expect(document.ok).toBe(false);
    expect(document.error.code).toBe('USAGE_INVALID');
    expect(document.error.hint).toContain('explain --help');
  });

  it('an unknown command exits 2 with COMMAND_UNKNOWN', async () => {
    const run = await runCliInProcess(['frobnicate', '--json']);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout).error.code).toBe('COMMAND_UNKNOWN');
  });

  it('a failed operation exits 1 and prints exactly one JSON document', async () => {
    const run = await runCliInProcess(['--json', 'explain', 'NO_SUCH_CODE']);
    expect(run.code).toBe(1);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, error: { code: 'INPUT_INVALID' } });
  });

  it('a failed operation without --json explains itself on stderr with its code and hint', async () => {
    const run = await runCliInProcess(['explain', 'NO_SUCH_CODE']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/error .*\[INPUT_INVALID\]\nhint /);
  });

  it('a successful operation exits 0 with {"ok": true, ...}', async () => {
    const run = await runCliInProcess(['explain', 'usage_invalid', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      ok: true,
      code: 'USAGE_INVALID',
      cause: catalogue.USAGE_INVALID.cause,
      fix: catalogue.USAGE_INVALID.fix,
    });
  });

  it('global flags need their values', async () => {
    const run = await runCliInProcess(['explain', '--home']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--home needs a value');
  });

  it('--log-level refuses unknown levels', async () => {
    const run = await runCliInProcess(['--log-level', 'loud', 'explain', '--json']);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout).error.message).toContain('--log-level must be one of');
  });

  describe('the installed bin (a real process)', () => {
    it('is built', () => {
      expect(existsSync(`${repoRoot}dist/cli/main.js`), 'run `npm run build` first').toBe(true);
    });

    it('answers --help with exit 0, usage errors with 2 and failures with 1', async () => {
      expect((await runCliProcess(['--help'])).code).toBe(0);
      expect((await runCliProcess(['--bogus'])).code).toBe(2);
      const failed = await runCliProcess(['explain', 'NOPE', '--json']);
      expect(failed.code).toBe(1);
      expect(JSON.parse(failed.stdout).error.code).toBe('INPUT_INVALID');
    });
  });
});
