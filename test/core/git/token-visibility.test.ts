import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { push } from '../../../core/git/push-operation.js';
import { startPushFixture, text, type PushFixture } from './push-fixture.js';

let fixture: PushFixture;
beforeAll(async () => {
  fixture = await startPushFixture();
});
afterAll(async () => {
  await fixture?.close();
});

/** Every process's command line, as any local user can read it (`ps`). */
function commandLines(): string[] {
  const lines: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      lines.push(
        readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(String.fromCharCode(0)).join(' '),
      );
    } catch {
      // The process ended between readdir and read.
    }
  }
  return lines;
}

describe('the git CLI engine', () => {
  it('never puts the token on any command line while it clones, fetches and pushes', async () => {
    const token = fixture.sim.pat;
    const seen = new Set<string>();
    let leaked: string | undefined;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        for (const line of commandLines()) {
          if (line.includes(token) || /extraHeader=Authorization/i.test(line)) leaked = line;
          if (/\bgit\b.*\b(fetch|push|http-backend|index-pack|remote-https)\b/.test(line))
            seen.add(line.split(' ').slice(0, 4).join(' '));
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    for (let round = 0; round < 3; round += 1) {
      const result = await push(
        fixture.installation,
        {
          repo: `${fixture.sim.project}/${fixture.sim.repo}`,
          branch: 'main',
          message: `cmdline ${round}`,
          engine: 'git',
          changes: [{ path: `cmdline/${round}.txt`, content: text(`${round}\n`) }],
        },
        fixture.deps(),
      );
      expect(result.kind).toBe('committed');
    }
    sampling = false;
    await sampler;
    expect(leaked).toBeUndefined();
    // The sampler did see git at work, so an absence of the token means something.
    expect([...seen].some((line) => /push|remote-https|receive/.test(line))).toBe(true);
  });
});
