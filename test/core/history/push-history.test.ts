import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CompanionError } from '../../../common/errors/companion-error.js';
import { DEFAULT_RELAY_SETTINGS, type Installation } from '../../../common/models/installation.js';
import type { PushRecord } from '../../../core/git/push-operation.js';
import { PushHistory } from '../../../core/history/push-history.js';
import { openDatabase } from '../../../core/storage/database.js';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(path.join(tmpdir(), 'history-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const installation = (name: string): Installation => ({
  id: `id-${name}`,
  name,
  baseUrl: 'https://bdc.example',
  caPems: [],
  allowLoopback: false,
  platform: undefined,
  auth: { kind: 'pat', user: 'ada', verifiedAt: '2026-01-01T00:00:00Z' },
  relay: DEFAULT_RELAY_SETTINGS,
  createdAt: '2026-01-01T00:00:00Z',
});

function record(index: number, name: string, failed = false): PushRecord {
  return {
    startedAt: new Date(Date.UTC(2026, 0, 1, 0, index)).toISOString(),
    installation: installation(name),
    user: 'ada',
    request: {
      repo: index % 2 === 0 ? 'P/even' : 'P/odd',
      branch: 'main',
      message: `push ${index}`,
      changes: [
        { path: 'a.txt', content: new Uint8Array([1]) },
        { path: 'b.txt', kind: 'delete' },
      ],
    },
    engine: 'isomorphic-git',
    attempts: [
      {
        attempt: 1,
        startedAt: 'x',
        durationMs: 5,
        outcome: 'retry',
        error: { code: 'PUSH_CONFLICT_EXHAUSTED', message: 'moved' },
      },
      {
        attempt: 2,
        startedAt: 'y',
        durationMs: 6,
        base: 'b'.repeat(40),
        outcome: failed ? 'failed' : 'ok',
      },
    ],
    durationMs: 42.4,
    result: failed
      ? undefined
      : {
          kind: 'committed',
          commit: `${index}`.padStart(40, 'c'),
          parent: 'b'.repeat(40),
          engine: 'isomorphic-git',
          attempts: 2,
          durationMs: 42,
          changed: 1,
        },
    error: failed
      ? new CompanionError(
          'HOOK_REJECTED',
          'Branch refs/heads/main can only be modified through pull requests.',
        )
      : undefined,
    paths: [{ path: 'a.txt', kind: 'add' }],
  };
}

describe('push history', () => {
  it('records pushes with their attempts and pages newest first with filters', () => {
    const database = openDatabase(home);
    const history = new PushHistory(database);
    for (let index = 0; index < 7; index += 1)
      history.record(record(index, index < 5 ? 'lab' : 'prod', index === 3));
    const first = history.query({ limit: 3 });
    expect(first.entries.map((entry) => entry.message)).toEqual(['push 6', 'push 5', 'push 4']);
    const second = history.query({ limit: 3, before: first.nextCursor as number });
    expect(second.entries.map((entry) => entry.message)).toEqual(['push 3', 'push 2', 'push 1']);
    const last = history.query({ limit: 3, before: second.nextCursor as number });
    expect(last.entries.map((entry) => entry.message)).toEqual(['push 0']);
    expect(last.nextCursor).toBeUndefined();

    expect(history.query({ installationName: 'prod' }).entries).toHaveLength(2);
    expect(
      history
        .query({ repo: 'P/even', installationId: 'id-lab' })
        .entries.map((entry) => entry.message),
    ).toEqual(['push 4', 'push 2', 'push 0']);
    expect(history.query({ result: 'ok' }).entries).toHaveLength(6);
    const failed = history.query({ result: 'failed' }).entries;
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      result: 'failed',
      commit: undefined,
      error: { code: 'HOOK_REJECTED' },
      // A failed push keeps the requested paths, with writes as `put`.
      paths: [
        { path: 'a.txt', kind: 'put' },
        { path: 'b.txt', kind: 'delete' },
      ],
    });
    const committed = history.query({ limit: 1 }).entries[0];
    expect(committed).toMatchObject({
      result: 'committed',
      engine: 'isomorphic-git',
      durationMs: 42,
      paths: [{ path: 'a.txt', kind: 'add' }],
    });
    expect(committed?.attempts.map((attempt) => attempt.outcome)).toEqual(['retry', 'ok']);
    database.close();
  });

  it('survives reopening and refuses bad page parameters', () => {
    const database = openDatabase(home);
    new PushHistory(database).record(record(1, 'lab'));
    database.close();
    const reopened = openDatabase(home);
    const history = new PushHistory(reopened);
    expect(history.query().entries).toHaveLength(1);
    for (const limit of [0, -1, 1.5, 1001]) expect(() => history.query({ limit })).toThrow(/limit/);
    expect(() => history.query({ before: 0 })).toThrow();
    reopened.close();
  });
});
