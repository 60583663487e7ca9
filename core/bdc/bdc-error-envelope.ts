/** One entry of BDC's error envelope `{"errors":[{"context","message","exceptionName"}]}`. */
export interface BdcErrorEntry {
  readonly context: string | null;
  readonly message: string;
  readonly exceptionName: string | null;
}

/** Reads BDC's error envelope; tolerates HTML from a reverse proxy and extra keys. */
export function parseBdcErrors(body: string): readonly BdcErrorEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [];
  }
  const errors = (parsed as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) {
    const message = (parsed as { message?: unknown } | null)?.message;
    return typeof message === 'string' ? [{ context: null, message, exceptionName: null }] : [];
  }
  return errors
    .filter(
      (entry): entry is Record<string, unknown> => entry !== null && typeof entry === 'object',
    )
    .map((entry) => ({
      context: typeof entry['context'] === 'string' ? entry['context'] : null,
      message: typeof entry['message'] === 'string' ? entry['message'] : '',
      exceptionName: typeof entry['exceptionName'] === 'string' ? entry['exceptionName'] : null,
    }));
}

/** BDC's messages as one sentence for an error message: `name: The name should be…`. */
export function describeBdcErrors(errors: readonly BdcErrorEntry[]): string {
  return errors
    .map((entry) => (entry.context ? `${entry.context}: ${entry.message}` : entry.message))
    .filter((text) => text.length > 0)
    .join('; ')
    .slice(0, 500);
}

/**
 * BDC answers 401 both when the credential failed and when an authenticated user lacks permission
 * (docs/bdc-admin-setup.md). The second carries the user's name header or an AuthorisationException.
 */
export function isPermissionDenial(
  errors: readonly BdcErrorEntry[],
  authenticatedUser: string | undefined,
): boolean {
  if (authenticatedUser) return true;
  return errors.some((entry) => entry.exceptionName?.endsWith('.AuthorisationException') === true);
}

/** `Retry-After` in seconds or as an HTTP date; BDC's own clients assume 5 s when absent. */
export function retryAfterMs(header: string | undefined, now: number = Date.now()): number {
  if (header === undefined || header.trim() === '') return 5_000;
  const seconds = Number(header.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? 5_000 : Math.max(0, date - now);
}
