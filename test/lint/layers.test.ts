import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli-harness.js';

// Lints fixture text as if it lived in each layer, through the project's real configuration.
const eslint = new ESLint({ cwd: repoRoot });

async function importErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === 'no-restricted-imports')
    .map((message) => message.message);
}

describe('layer boundaries (docs/architecture.md) are enforced by lint', () => {
  it.each([
    ['core/fixture.ts', 'core/ must not import electron: it runs in the headless daemon too'],
    ['cli/fixture.ts', 'cli/ must not import electron'],
    ['common/fixture.ts', 'common/ must not import electron'],
    ['renderer/fixture.tsx', 'renderer/ must not import electron'],
  ])('%s may not import electron', async (file, why) => {
    const errors = await importErrors(file, "import { app } from 'electron';\nvoid app;\n");
    expect(errors.join('\n')).toContain(why);
  });

  it('main/ and preload/ may import electron', async () => {
    const code = "import { app } from 'electron';\nvoid app;\n";
    expect(await importErrors('main/fixture.ts', code)).toEqual([]);
    expect(await importErrors('preload/fixture.ts', code)).toEqual([]);
  });

  it.each(['common/fixture.ts', 'renderer/fixture.tsx', 'preload/fixture.ts'])(
    '%s may not import Node built-ins, with or without the node: prefix',
    async (file) => {
      for (const source of ['node:fs', 'fs', 'node:child_process']) {
        const errors = await importErrors(file, `import * as m from '${source}';\nvoid m;\n`);
        expect(errors, source).toHaveLength(1);
      }
    },
  );

  it.each([
    ['renderer/fixture.tsx', '../core/net/x.js'],
    ['preload/fixture.ts', '../core/net/x.js'],
    ['common/fixture.ts', '../core/x.js'],
    ['core/net/fixture.ts', '../../main/window.js'],
    ['core/fixture.ts', '../cli/main.js'],
    ['cli/fixture.ts', '../renderer/src/app.js'],
    ['main/fixture.ts', '../renderer/src/app.js'],
    ['core/fixture.ts', '../sim/index.js'],
    ['cli/commands/fixture.ts', '../../sim/index.js'],
  ])('%s may not import %s', async (file, target) => {
    const errors = await importErrors(file, `import * as m from '${target}';\nvoid m;\n`);
    expect(errors).toHaveLength(1);
  });

  it('allowed directions stay allowed', async () => {
    expect(
      await importErrors('core/fixture.ts', "import * as m from '../common/x.js';\nvoid m;\n"),
    ).toEqual([]);
    expect(
      await importErrors('cli/fixture.ts', "import * as m from '../core/x.js';\nvoid m;\n"),
    ).toEqual([]);
    expect(
      await importErrors('sim/fixture.ts', "import * as m from '../core/x.js';\nvoid m;\n"),
    ).toEqual([]);
    expect(
      await importErrors(
        'renderer/src/fixture.tsx',
        "import * as m from '../../common/x.js';\nvoid m;\n",
      ),
    ).toEqual([]);
  });

  it('ipcMain and ipcRenderer are imported by their one file each', async () => {
    const ipcMain = "import { ipcMain } from 'electron';\nvoid ipcMain;\n";
    const ipcRenderer = "import { ipcRenderer } from 'electron';\nvoid ipcRenderer;\n";
    expect(await importErrors('main/main.ts', ipcMain)).toEqual([]);
    expect((await importErrors('main/ipc/fixture.ts', ipcMain)).join('\n')).toContain(
      'ipcMain is imported only by main/main.ts',
    );
    expect(await importErrors('preload/preload.ts', ipcRenderer)).toEqual([]);
    expect((await importErrors('preload/fixture.ts', ipcRenderer)).join('\n')).toContain(
      'ipcRenderer is imported only by preload/preload.ts',
    );
    // The rest of electron stays importable in the shell, and the type of ipcMain too.
    expect(
      await importErrors('main/ipc/fixture.ts', "import type { IpcMain } from 'electron';\n"),
    ).toEqual([]);
    // The exception for the entry files does not lift the layer rules there.
    expect(
      await importErrors('preload/preload.ts', "import * as m from 'node:fs';\nvoid m;\n"),
    ).toHaveLength(1);
  });
});
