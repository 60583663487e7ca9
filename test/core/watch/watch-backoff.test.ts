import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from 'better-sqlite3';
import { patAuthorization } from '../../../core/auth/pat.js';
import { createBdcClient } from '../../../core/bdc/bdc-client.js';
import { createDispatcher } from '../../../core/net/network-factory.js';
import { openDatabase } from '../../../core/storage/database.js';
import { startRefWatcher } from '../../../core/watch/ref-watcher.js';
import { WatchStore } from '../../../core/watch/watch-store.js';
import { startTestSimulator, type RunningSimulator } from '../../helpers/sim.js';

let sim: RunningSimulator;
let folder: string;
let database: Database;

beforeAll(async () => {
  sim = await startTestSimulator({ platform: false });
  folder = mkdtempSync(join(tmpdir(), 'watch-backoff-'));
  database = openDatabase(folder);
}, 60_000);

afterAll(async () => {
  database?.close();
  await sim?.close();
  rmSync(folder, { recursive: true, force: true });
});

describe('watch backoff', () => {
  it('a 429 from BDC pauses the whole watch for Retry-After instead of polling on, then it resumes', async () => {
    const requests: { at: number; path: string }[] = [];
    const base = createDispatcher({
      addressPolicy: 'instance',
      allowLoopback: true,
      caPems: [sim.caPem],
      env: {},
    });
    const dispatcher = base.compose((dispatch) => (options, handler) => {
      requests.push({ at: Date.now(), path: String(options.path) });
      return dispatch(options, handler);
    });
    const authorization = patAuthorization(sim.pat, sim.user.name);
    const watcher = startRefWatcher({
      installationId: 'backoff',
      store: new WatchStore(database),
      settings: () => ({
        repositories: [`${sim.project}/${sim.repo}`],
        projects: [],
        intervalSeconds: 5,
      }),
      intervalMs: 50,
      bdc: createBdcClient({ baseUrl: sim.url, authorization, dispatcher, rateLimitRetries: 0 }),
      refs: { dispatcher, authorization },
      user: sim.user.name,
      secret: async () => 'unused',
      enqueue: async (work) => {
        database.transaction(() => work())();
        return [];
      },
    });
    try {
      await watcher.nextRound();
      await watcher.nextRound();
      sim.faults.failNext(1, 429, { pathPrefix: '/scm', retryAfterSeconds: 1 });
      const refused = requests.length;
      // The next poll is refused; during the second BDC asked for, nothing is sent.
      const deadline = Date.now() + 5_000;
      while (requests.length === refused && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const refusedAt = requests[refused]!.at;
      await watcher.nextRound();
      const next = requests[refused + 1]!;
      expect(next.path).toContain('/info/refs');
      expect(next.at - refusedAt).toBeGreaterThanOrEqual(1_000);
      const status = new WatchStore(database).status('backoff', {
        enabled: true,
        intervalSeconds: 5,
      });
      expect(status.lastError?.message).toContain('429');
    } finally {
      await watcher.stop();
      await dispatcher.close();
    }
  }, 30_000);
});
