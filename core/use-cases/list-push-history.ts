import type { Database } from 'better-sqlite3';
import type { HistoryEntry } from '../../common/api/models.js';
import type { PushHistoryEntry } from '../../common/models/push.js';
import { PushHistory } from '../history/push-history.js';
import type { SettingsStore } from '../settings/settings-store.js';
import { commitUrl } from './commit-url.js';

export interface PushHistoryFilter {
  /** Name or id; INSTALLATION_NOT_FOUND when there is none. */
  readonly installation?: string;
  readonly repo?: string;
  /** `ok` is committed or no-op. */
  readonly result?: 'ok' | 'failed';
  /** The history's default (50) when absent. */
  readonly limit?: number;
}

/** A history row with the link to its commit on BDC (while the installation still exists). */
export function withCommitLink(settings: SettingsStore, entry: PushHistoryEntry): HistoryEntry {
  const installation = settings.findInstallation(entry.installationId);
  return {
    ...entry,
    commitUrl:
      installation && entry.commit
        ? commitUrl(installation.baseUrl, entry.repo, entry.commit)
        : undefined,
  };
}

/** The push history, newest first: `history` in the CLI, the history view in the UI. */
export function listPushHistory(
  ports: { readonly settings: SettingsStore; readonly database: Database },
  filter: PushHistoryFilter,
): HistoryEntry[] {
  const installation =
    filter.installation === undefined
      ? undefined
      : ports.settings.requireInstallation(filter.installation);
  const page = new PushHistory(ports.database).query({
    ...(installation === undefined ? {} : { installationId: installation.id }),
    ...(filter.repo === undefined ? {} : { repo: filter.repo }),
    ...(filter.result === undefined ? {} : { result: filter.result }),
    ...(filter.limit === undefined ? {} : { limit: filter.limit }),
  });
  return page.entries.map((entry) => withCommitLink(ports.settings, entry));
}
