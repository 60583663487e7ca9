/**
 * The one error shape that crosses every boundary: CLI JSON, IPC, HTTP for `serve`.
 *
 * The UI and scripts switch on `code`, never on `message`, so codes are stable and catalogued.
 */
export interface ErrorShape {
  readonly code: string;
  readonly message: string;
  /** What to do, in the command line's words (no "paste", no "click"). */
  readonly hint?: string;
  /** What to do, in the GUI's words (no flags, no commands). */
  readonly hintGui?: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

export function isErrorShape(value: unknown): value is ErrorShape {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate['code'] === 'string' && typeof candidate['message'] === 'string';
}
