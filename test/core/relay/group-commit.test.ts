import { afterEach, describe, expect, it } from 'vitest';
import { GroupCommit } from '../../../core/relay/group-commit.js';
import { tempHome } from './relay-fixture.js';

const homes: { cleanup(): void }[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) home.cleanup();
});

function setup() {
  const home = tempHome();
  homes.push(home);
  home.database.exec('CREATE TABLE t (v INTEGER UNIQUE)');
  let commits = 0;
  const commitsSeen = (): number => commits;
  // Counts outermost transactions, i.e. real commits (each one an fsync with synchronous=FULL).
  const original = home.database.transaction.bind(home.database);
  (home.database as { transaction: typeof original }).transaction = ((
    fn: (...args: unknown[]) => unknown,
  ) => {
    const wrapped = original(fn);
    return Object.assign((...args: unknown[]) => {
      const outer = !home.database.inTransaction;
      const result = wrapped(...args);
      if (outer) commits += 1;
      return result;
    }, wrapped);
  }) as typeof original;
  return { database: home.database, commitsSeen };
}

describe('group commit', () => {
  it('commits the writes of one event-loop turn together, each in its own savepoint', async () => {
    const { database, commitsSeen } = setup();
    const group = new GroupCommit(database);
    const insert = database.prepare('INSERT INTO t (v) VALUES (?)');
    const results = await Promise.allSettled([
      group.run(() => insert.run(1).changes),
      group.run(() => insert.run(1).changes),
      group.run(() => insert.run(2).changes),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(database.prepare('SELECT v FROM t ORDER BY v').all()).toEqual([{ v: 1 }, { v: 2 }]);
    expect(commitsSeen()).toBe(1);
  });

  it('a lazy write waits for the next eager one, or for its delay', async () => {
    const { database, commitsSeen } = setup();
    const group = new GroupCommit(database, 30);
    const insert = database.prepare('INSERT INTO t (v) VALUES (?)');
    let lazyDone = false;
    const lazy = group.run(() => insert.run(10), { lazy: true }).then(() => (lazyDone = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(lazyDone).toBe(false);
    await group.run(() => insert.run(11));
    await lazy;
    expect(commitsSeen()).toBe(1);
    const started = Date.now();
    await group.run(() => insert.run(12), { lazy: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(commitsSeen()).toBe(2);
  });

  it('yieldBeforeCommit lets work queued after the write run before the commit blocks', async () => {
    const { database } = setup();
    const group = new GroupCommit(database);
    const insert = database.prepare('INSERT INTO t (v) VALUES (?)');
    const order: string[] = [];
    const plain = group.run(() => order.push('commit'));
    setImmediate(() => order.push('later work'));
    await plain;
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['commit', 'later work']);
    order.length = 0;
    const yielded = group.run(() => {
      insert.run(20);
      order.push('commit');
    });
    group.yieldBeforeCommit();
    setImmediate(() => order.push('later work'));
    await yielded;
    expect(order).toEqual(['later work', 'commit']);
  });
});
