import { catalogueEntry, isErrorCode, type ErrorCode } from './catalogue.js';
import { isErrorShape, type ErrorShape } from './error-shape.js';
import { fitsSurface, type HintSurface } from './hint-surface.js';

export interface CompanionErrorOptions {
  /**
   * Overrides the catalogue's fix when the situation allows a more precise one. Shown on every
   * surface it fits (no flag for the GUI, no "paste" for the CLI); elsewhere the catalogue's
   * wording for that surface is shown instead.
   */
  readonly hint?: string;
  /** The precise hint in the GUI's words, when `hint` speaks the command line's. */
  readonly hintGui?: string;
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
  /** What to do, in the command line's words. */
  readonly hint: string;
  /** What to do, in the GUI's words. */
  readonly hintGui: string;
  readonly data: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options: CompanionErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CompanionError';
    this.code = code;
    this.hint = hintForSurface(code, 'cli', options.hint);
    this.hintGui = hintForSurface(code, 'gui', options.hintGui ?? options.hint);
    this.data = options.data;
  }

  toJSON(): ErrorShape {
    return {
      code: this.code,
      message: this.message,
      hint: this.hint,
      hintGui: this.hintGui,
      ...(this.data === undefined ? {} : { data: this.data }),
    };
  }

  static fromShape(shape: ErrorShape): CompanionError {
    const code: ErrorCode = isErrorCode(shape.code) ? shape.code : 'INTERNAL_ERROR';
    const message =
      code === shape.code ? shape.message : `${shape.message} (unknown code ${shape.code})`;
    return new CompanionError(code, message, {
      ...(shape.hint === undefined ? {} : { hint: shape.hint }),
      ...(shape.hintGui === undefined ? {} : { hintGui: shape.hintGui }),
      ...(shape.data === undefined ? {} : { data: shape.data }),
    });
  }
}

/** The precise hint when it fits the surface, else the catalogue's wording for that surface. */
export function hintForSurface(code: ErrorCode, surface: HintSurface, precise?: string): string {
  if (precise !== undefined && fitsSurface(precise, surface)) return precise;
  const entry = catalogueEntry(code);
  return (surface === 'gui' ? entry.fixGui : entry.fixCli) ?? entry.fix;
}

/**
 * The hint of an error shape for where it is shown; shapes from an older peer carry one hint,
 * which is dropped rather than shown on the wrong surface.
 */
export function shapeHint(shape: ErrorShape, surface: HintSurface): string | undefined {
  const text = surface === 'gui' ? (shape.hintGui ?? shape.hint) : shape.hint;
  if (text !== undefined && fitsSurface(text, surface)) return text;
  return isErrorCode(shape.code) ? hintForSurface(shape.code, surface) : undefined;
}

/**
 * Turns anything thrown into the wire shape. Unexpected errors become INTERNAL_ERROR with their
 * message, because a stack trace helps nobody at the other end of a pipe.
 */
export function toErrorShape(error: unknown): ErrorShape {
  if (error instanceof CompanionError) return error.toJSON();
  if (isErrorShape(error) && isErrorCode(error.code)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: 'INTERNAL_ERROR',
    message,
    hint: hintForSurface('INTERNAL_ERROR', 'cli'),
    hintGui: hintForSurface('INTERNAL_ERROR', 'gui'),
  };
}

export function isCompanionError(error: unknown, code?: ErrorCode): error is CompanionError {
  return error instanceof CompanionError && (code === undefined || error.code === code);
}
