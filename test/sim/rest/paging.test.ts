import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { paginate, parsePageRequest } from '../../../sim/rest/paging.js';

function collect(items: readonly number[], limit: number, mode: 'normal' | 'skewed'): number[] {
  const seen: number[] = [];
  let start = 0;
  for (let guard = 0; guard <= items.length + 1; guard += 1) {
    const page = paginate(items, { start, limit }, mode);
    seen.push(...page.values);
    if (page.isLastPage) {
      expect(page.nextPageStart).toBeUndefined();
      return seen;
    }
    expect(page.nextPageStart).toBeGreaterThan(start);
    start = page.nextPageStart!;
  }
  throw new Error('did not terminate');
}

describe('paging', () => {
  it('parses start/limit with BDC defaults (limit 25) and caps', () => {
    expect(parsePageRequest(new URLSearchParams(''))).toEqual({ start: 0, limit: 25 });
    expect(parsePageRequest(new URLSearchParams('start=-4&limit=0'))).toEqual({
      start: 0,
      limit: 25,
    });
    expect(parsePageRequest(new URLSearchParams('start=10&limit=5000'))).toEqual({
      start: 10,
      limit: 1000,
    });
  });

  it('reproduces the recorded skew: start 0, limit 1 → nextPageStart 2', () => {
    expect(paginate(['a', 'b', 'c'], { start: 0, limit: 1 }, 'skewed')).toEqual({
      size: 1,
      limit: 1,
      isLastPage: false,
      values: ['a'],
      start: 0,
      nextPageStart: 2,
    });
  });

  it('following nextPageStart visits every item exactly once in both modes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer(), { maxLength: 60 }),
        fc.integer({ min: 1, max: 30 }),
        fc.constantFrom('normal' as const, 'skewed' as const),
        (items, limit, mode) => {
          expect(collect(items, limit, mode)).toEqual(items);
        },
      ),
    );
  });
});
