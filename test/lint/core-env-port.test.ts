import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli-harness.js';

// core/ takes the environment as a port (issue 13): the adapters pass `env`, core never falls back
// to process.env (the OAuth dispatchers and the probe did), so lint refuses any read of it there.
const eslint = new ESLint({ cwd: repoRoot });

async function envErrors(filePath: string, code: string): Promise<number> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-properties')
    .length;
}

describe('core/ never reads process.env', () => {
  it('refuses a read in core/, the fallback the OAuth dispatcher had', async () => {
    expect(
      await envErrors(
        'core/auth/oauth/fixture.ts',
        "export const proxy = process.env['HTTPS_PROXY'];\n",
      ),
    ).toBe(1);
    expect(
      await envErrors('core/probe/fixture.ts', 'export const env = options.env ?? process.env;\n'),
    ).toBe(1);
  });

  it('lets the adapters read it and pass it in', async () => {
    expect(await envErrors('cli/fixture.ts', 'export const env = process.env;\n')).toBe(0);
    expect(await envErrors('main/fixture.ts', 'export const env = process.env;\n')).toBe(0);
  });
});
