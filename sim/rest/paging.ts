/**
 * BDC paging (docs/bdc-api-facts.md §6.1): `start`, `limit` (default 25, hard max), `size`, `isLastPage`,
 * `nextPageStart` only when more remain.
 *
 * 'skewed' mode reproduces why real `nextPageStart` differs from `start + limit`: BDC pages over
 * an underlying list and drops what the caller may not see. Here every visible item sits at an
 * odd raw position behind a hidden one, so `start: 0, limit: 1` yields `nextPageStart: 2`, as in
 * the recorded traffic. A client that follows `nextPageStart` sees every item once; one that
 * computes `start + limit` sees duplicates.
 */
export type PagingMode = 'normal' | 'skewed';

export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 1000;

export interface Page<T> {
  readonly size: number;
  readonly limit: number;
  readonly isLastPage: boolean;
  readonly values: readonly T[];
  readonly start: number;
  readonly nextPageStart?: number;
}

export interface PageRequest {
  readonly start: number;
  readonly limit: number;
}

/** `bounds` differ per resource (a file's lines page larger than a list of projects). */
export function parsePageRequest(
  query: URLSearchParams,
  bounds: { readonly defaultLimit: number; readonly maxLimit: number } = {
    defaultLimit: DEFAULT_LIMIT,
    maxLimit: MAX_LIMIT,
  },
): PageRequest {
  const start = Number.parseInt(query.get('start') ?? '0', 10);
  const limit = Number.parseInt(query.get('limit') ?? `${bounds.defaultLimit}`, 10);
  return {
    start: Number.isFinite(start) && start > 0 ? start : 0,
    limit:
      Number.isFinite(limit) && limit > 0 ? Math.min(limit, bounds.maxLimit) : bounds.defaultLimit,
  };
}

export function paginate<T>(items: readonly T[], request: PageRequest, mode: PagingMode): Page<T> {
  if (mode === 'normal') {
    const values = items.slice(request.start, request.start + request.limit);
    const next = request.start + values.length;
    const isLastPage = next >= items.length;
    return {
      size: values.length,
      limit: request.limit,
      isLastPage,
      values,
      start: request.start,
      ...(isLastPage ? {} : { nextPageStart: next }),
    };
  }
  // Raw position of item i is 2i + 1; raw positions 2i are hidden entries.
  const first = Math.floor(request.start / 2);
  const values = items.slice(first, first + request.limit);
  const lastIndex = first + values.length - 1;
  const isLastPage = lastIndex >= items.length - 1;
  return {
    size: values.length,
    limit: request.limit,
    isLastPage,
    values,
    start: request.start,
    ...(isLastPage ? {} : { nextPageStart: 2 * lastIndex + 2 }),
  };
}
