import type { Database } from 'better-sqlite3';
import { resolvePushConfig, type PushConfigInputs } from '../git/push-config.js';
import type { PushRecord } from '../git/push-operation.js';
import { createIsoRunner } from '../git/iso-runner.js';
import { createPushService, type PushService } from '../git/push-service.js';
import type { Logger } from '../logging/logger.js';
import type { SettingsStore } from '../settings/settings-store.js';

export interface PushEngineInputs {
  readonly database: Database;
  readonly settings: SettingsStore;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  /** Command-line overrides of the push configuration. */
  readonly flags?: PushConfigInputs['flags'];
  /** Called after each push is recorded (the UI's history stream). */
  readonly onRecorded?: (id: number, record: PushRecord) => void;
  /**
   * Where isomorphic-git runs: a worker thread (default; a long-lived process whose event loop
   * serves a UI, a relay or a bridge), or the calling thread — for a one-shot process such as the
   * CLI's `push`, which has nothing else to keep responsive and would pay the worker's start and a
   * second load of its modules (bench/RESULTS.md, whole-process push).
   */
  readonly engineThread?: 'worker' | 'inline';
}

/**
 * The push engine of one process (clone cache, isomorphic-git worker, history), configured from
 * the settings file and the environment by `resolvePushConfig`: the CLI, the desktop and `serve`
 * open it here, so the cache folder and expiry saved in the settings view hold for all of them
 * and every push logs under `component: push`.
 */
export function openPushEngine(inputs: PushEngineInputs): PushService {
  const config = resolvePushConfig({
    env: inputs.env,
    settings: inputs.settings.cacheSettings?.() ?? {},
    ...(inputs.flags === undefined ? {} : { flags: inputs.flags }),
  });
  return createPushService({
    database: inputs.database,
    env: inputs.env,
    config,
    logger: inputs.logger.child({ component: 'push' }),
    ...(inputs.engineThread === 'inline' ? { isoRunner: createIsoRunner({ inThread: true }) } : {}),
    ...(inputs.onRecorded === undefined ? {} : { onRecorded: inputs.onRecorded }),
  });
}
