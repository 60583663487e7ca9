import { catalogueEntry, isErrorCode, type ErrorCode } from './catalogue.js';
import { isErrorShape, type ErrorShape } from './error-shape.js';

export interface CompanionErrorOptions {
  /** Overrides the catalogue's fix when the situation allows a more precise one. */
  readonly hint?: string;
  /** Structured details for the UI and `--json`; never secrets. */
  readonly data?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

/**
 * The base of every error the product raises on purpose.
 *
 * The code is stable and catalogued; the message says what happened in this instance; the hint
 * (by default the catalogue's fix) says what to do. `toJSON` gives the wire shape, and
 * `fromShape` rebuilds an instance on the other side of IPC or HTTP with the same code.
 */
export class CompanionError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly data: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options: CompanionErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CompanionError';
    this.code = code;
    this.hint = options.hint ?? catalogueEntry(code).fix;
    this.data = options.data;
  }

  toJSON(): ErrorShape {
    return {
      code: this.code,
      message: this.message,
      hint: this.hint,
      ...(this.data === undefined ? {} : { data: this.data }),
    };
  }

  static fromShape(shape: ErrorShape): CompanionError {
    const code: ErrorCode = isErrorCode(shape.code) ? shape.code : 'INTERNAL_ERROR';
    const message =
      code === shape.code ? shape.message : `${shape.message} (unknown code ${shape.code})`;
    return new CompanionError(code, message, {
      ...(shape.hint === undefined ? {} : { hint: shape.hint }),
      ...(shape.data === undefined ? {} : { data: shape.data }),
    });
  }
}

/**
 * Turns anything thrown into the wire shape. Unexpected errors become INTERNAL_ERROR with their
 * message, because a stack trace helps nobody at the other end of a pipe.
 */
export function toErrorShape(error: unknown): ErrorShape {
  if (error instanceof CompanionError) return error.toJSON();
  if (isErrorShape(error) && isErrorCode(error.code)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL_ERROR', message, hint: catalogueEntry('INTERNAL_ERROR').fix };
}

export function isCompanionError(error: unknown, code?: ErrorCode): error is CompanionError {
  return error instanceof CompanionError && (code === undefined || error.code === code);
}
