import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli-harness.js';

const CLI_NOT_YET_ON_USE_CASES = JSON.parse(
  readFileSync(join(repoRoot, 'eslint', 'cli-not-yet-on-use-cases.json'), 'utf8'),
) as string[];

// cli/ is an adapter of the use-case layer (issue 13): lint refuses any other way into core/.
const eslint = new ESLint({ cwd: repoRoot });

async function useCaseErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === '@typescript-eslint/no-restricted-imports')
    .map((message) => message.message);
}

const valueImport = (from: string): string => `import { x } from '${from}';\nvoid x;\n`;

describe('cli/ reaches core/ only through the use-case layer', () => {
  it.each([
    '../../core/git/push-service.js',
    '../../core/settings/settings-file.js',
    '../../core/bdc/bdc-client.js',
    '../../core/service/open-service.js',
  ])('a command may not import %s', async (target) => {
    const errors = await useCaseErrors('cli/commands/fixture.ts', valueImport(target));
    expect(errors.join('\n')).toContain('cli/ reaches core/ through core/use-cases/');
  });

  it('nor may the CLI entry files', async () => {
    expect(
      await useCaseErrors('cli/fixture.ts', valueImport('../core/git/push-service.js')),
    ).toHaveLength(1);
  });

  it('use cases, logging, the bounded readers, the config home and any type stay importable', async () => {
    for (const target of [
      '../../core/use-cases/push-for-installation.js',
      '../../core/logging/logger.js',
      '../../core/io/bounded-file.js',
      '../../core/settings/config-home.js',
    ]) {
      expect(await useCaseErrors('cli/commands/fixture.ts', valueImport(target)), target).toEqual(
        [],
      );
    }
    expect(
      await useCaseErrors(
        'cli/commands/fixture.ts',
        "import type { PushService } from '../../core/git/push-service.js';\nexport type X = PushService;\n",
      ),
    ).toEqual([]);
  });

  it('excepts only commands that exist and still need the exception', async () => {
    for (const file of CLI_NOT_YET_ON_USE_CASES) {
      const path = join(repoRoot, file);
      expect(existsSync(path), file).toBe(true);
      // The same text under a name that is not excepted, in the same folder: it must still fail,
      // or the file has moved to the use cases and must leave the list.
      const errors = await useCaseErrors(
        file.replace(/\.ts$/, '.strict-check.ts'),
        readFileSync(path, 'utf8'),
      );
      expect(errors.length, file).toBeGreaterThan(0);
    }
  });
});
