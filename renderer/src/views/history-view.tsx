import { useEffect, useMemo, useState } from 'react';
import type { HistoryEntry } from '../../../common/api/models.js';
import { isErrorCode } from '../../../common/errors/catalogue.js';
import { hintForSurface } from '../../../common/errors/companion-error.js';
import { toErrorShape } from '../../../common/errors/companion-error.js';
import type { ErrorShape } from '../../../common/errors/error-shape.js';
import { useApi, useCompanionEvents } from '../app-context.js';
import { ErrorNotice } from '../components/error-notice.js';

type SortKey = 'at' | 'repo' | 'branch' | 'durationMs' | 'attempts';

const COLUMNS: readonly { readonly key: SortKey; readonly label: string }[] = [
  { key: 'at', label: 'When' },
  { key: 'repo', label: 'Repository' },
  { key: 'branch', label: 'Branch' },
  { key: 'attempts', label: 'Attempts' },
  { key: 'durationMs', label: 'Duration' },
];

function sortValue(entry: HistoryEntry, key: SortKey): string | number {
  return key === 'attempts' ? entry.attempts.length : entry[key];
}

export function compareEntries(a: HistoryEntry, b: HistoryEntry, key: SortKey): number {
  const left = sortValue(a, key);
  const right = sortValue(b, key);
  return typeof left === 'number' && typeof right === 'number'
    ? left - right
    : String(left).localeCompare(String(right));
}

/** Every push: sortable, filterable, with links to the commit on BDC and each failure's fix. */
export function HistoryView() {
  const api = useApi();
  const [entries, setEntries] = useState<readonly HistoryEntry[]>([]);
  const [error, setError] = useState<ErrorShape | undefined>(undefined);
  const [filter, setFilter] = useState('');
  const [result, setResult] = useState<'all' | 'ok' | 'failed'>('all');
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({
    key: 'at',
    descending: true,
  });

  const load = () =>
    api.queryHistory({ limit: 500 }).then(
      (page) => setEntries(page.entries),
      (caught: unknown) => setError(toErrorShape(caught)),
    );
  useEffect(() => {
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- load once; events keep it fresh
  }, []);
  useCompanionEvents((event) => {
    if (event.kind === 'history')
      setEntries((current) => [
        event.entry,
        ...current.filter((each) => each.id !== event.entry.id),
      ]);
  });

  const visible = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const filtered = entries.filter(
      (entry) =>
        (result === 'all' || (result === 'failed') === (entry.result === 'failed')) &&
        (needle === '' ||
          [
            entry.repo,
            entry.branch,
            entry.user ?? '',
            entry.commit ?? '',
            entry.installationName ?? '',
          ]
            .join(' ')
            .toLowerCase()
            .includes(needle)),
    );
    const sorted = [...filtered].sort((a, b) => compareEntries(a, b, sort.key));
    return sort.descending ? sorted.reverse() : sorted;
  }, [entries, filter, result, sort]);

  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">Push history</h2>
      <div className="toolbar">
        <label>
          Filter{' '}
          <input
            type="search"
            value={filter}
            onChange={(event) => setFilter(event.target.value)}
            placeholder="repository, branch, user, commit"
          />
        </label>
        <label>
          Result{' '}
          <select
            value={result}
            onChange={(event) => setResult(event.target.value as typeof result)}
          >
            <option value="all">all</option>
            <option value="ok">succeeded</option>
            <option value="failed">failed</option>
          </select>
        </label>
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      {error ? <ErrorNotice error={error} /> : null}
      <table className="data-table">
        <thead>
          <tr>
            {COLUMNS.map((column) => (
              <th
                key={column.key}
                aria-sort={
                  sort.key === column.key ? (sort.descending ? 'descending' : 'ascending') : 'none'
                }
              >
                <button
                  type="button"
                  className="sort"
                  onClick={() =>
                    setSort((current) => ({
                      key: column.key,
                      descending: current.key === column.key ? !current.descending : true,
                    }))
                  }
                >
                  {column.label}
                </button>
              </th>
            ))}
            <th>Commit</th>
            <th>Engine</th>
            <th>Files</th>
            <th>Result</th>
          </tr>
        </thead>
        <tbody>
          {visible.map((entry) => (
            <tr key={entry.id}>
              <td>{new Date(entry.at).toLocaleString()}</td>
              <td>
                {entry.repo}
                {entry.installationName ? (
                  <div className="muted">{entry.installationName}</div>
                ) : null}
              </td>
              <td>{entry.branch}</td>
              <td>
                {entry.attempts.length > 1 ? (
                  <details>
                    <summary>{entry.attempts.length}</summary>
                    <ol className="attempts">
                      {entry.attempts.map((attempt) => (
                        <li key={attempt.attempt}>
                          {attempt.outcome} in {attempt.durationMs} ms
                          {attempt.error
                            ? ` — ${attempt.error.message} [${attempt.error.code}]`
                            : ''}
                        </li>
                      ))}
                    </ol>
                  </details>
                ) : (
                  entry.attempts.length
                )}
              </td>
              <td>{entry.durationMs} ms</td>
              <td className="mono">
                {entry.commit && entry.commitUrl ? (
                  <a href={entry.commitUrl} target="_blank" rel="noopener noreferrer">
                    {entry.commit.slice(0, 12)}
                  </a>
                ) : (
                  (entry.commit?.slice(0, 12) ?? '—')
                )}
              </td>
              <td>{entry.engine ?? '—'}</td>
              <td title={entry.paths.map((each) => `${each.kind} ${each.path}`).join('\n')}>
                {entry.paths.length}
              </td>
              <td>
                {entry.result !== 'failed' ? (
                  <span className="badge badge-ok">
                    {entry.result === 'noop' ? 'no change' : 'ok'}
                  </span>
                ) : (
                  <details>
                    <summary>
                      <span className="badge badge-failed">{entry.error?.code ?? 'failed'}</span>
                    </summary>
                    <p>{entry.error?.message}</p>
                    {entry.error && isErrorCode(entry.error.code) ? (
                      <p className="notice-hint">Fix: {hintForSurface(entry.error.code, 'gui')}</p>
                    ) : null}
                  </details>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {visible.length === 0 ? (
        <p className="muted">No pushes {entries.length ? 'match the filter' : 'yet'}.</p>
      ) : null}
    </section>
  );
}
