import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli-harness.js';

function scan(root?: string) {
  const result = spawnSync(
    process.execPath,
    [`${repoRoot}scripts/electronegativity.mjs`, ...(root ? [root] : [])],
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('electronegativity static scan', () => {
  it('finds no high-severity issue in main, preload and the renderer HTML', () => {
    const { code, output } = scan();
    expect(output).toMatch(
      /electronegativity: \d+ atomic \+ \d+ global checks, \d+ findings, 0 high, 0 unparsed files/,
    );
    expect(code).toBe(0);
  });

  it('fails on a window without context isolation (the scan is live)', () => {
    const root = mkdtempSync(join(tmpdir(), 'en-bad-'));
    try {
      mkdirSync(join(root, 'main'));
      mkdirSync(join(root, 'preload'));
      mkdirSync(join(root, 'renderer'));
      writeFileSync(
        join(root, 'main', 'bad.ts'),
        "import { BrowserWindow } from 'electron';\nnew BrowserWindow({ webPreferences: { contextIsolation: false, nodeIntegration: true } });\n",
      );
      writeFileSync(join(root, 'preload', 'p.ts'), 'export {};\n');
      writeFileSync(join(root, 'renderer', 'index.html'), '<!doctype html><title>x</title>');
      const { code, output } = scan(root);
      expect(output).toContain('HIGH\tCONTEXT_ISOLATION_JS_CHECK');
      expect(code).toBe(1);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
