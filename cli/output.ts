import { shapeHint, toErrorShape } from '../common/errors/companion-error.js';
import type { ErrorShape } from '../common/errors/error-shape.js';
import type { CliIo } from './cli-io.js';

type Data = Readonly<Record<string, unknown>>;

/**
 * Writes results the way CLI.md promises: with `--json` exactly one JSON document on stdout
 * (`{"ok": true, ...}` or `{"ok": false, "error": {...}}`); otherwise short human text, with
 * colour only on a TTY.
 */
export class Output {
  private written = false;
  private failureDetails: Data = {};

  constructor(
    private readonly io: CliIo,
    readonly json: boolean,
  ) {}

  /** Reports success: `human` renders the data for people; JSON prints it verbatim. */
  success(data: Data, human: (data: Data) => string): void {
    if (this.json) this.writeJson({ ok: true, ...data });
    else this.writeText(human(data));
  }

  /** The one line a long-running command prints when it is ready to serve. */
  ready(data: Data, human: string): void {
    if (this.json) this.writeJson({ ok: true, ready: true, ...data });
    else this.writeText(human);
  }

  /**
   * Extra fields for the `--json` failure document, for commands whose partial result tells
   * scripts where it failed (the probe's steps). `ok` and `error` cannot be overridden.
   */
  setFailureDetails(data: Data): void {
    this.failureDetails = data;
  }

  failure(error: unknown): ErrorShape {
    const shape = toErrorShape(error);
    if (this.json && !this.written) {
      const { code, message } = shape;
      const hint = shapeHint(shape, 'cli');
      this.writeJson({
        ...this.failureDetails,
        ok: false,
        error: { code, message, ...(hint ? { hint } : {}) },
      });
    } else {
      const lines = [`${this.paint('error', 31)} ${shape.message} [${shape.code}]`];
      // The command line's wording: never "paste" or "click" (common/errors/hint-surface.ts).
      const hint = shapeHint(shape, 'cli');
      if (hint) lines.push(`${this.paint('hint', 33)}  ${hint}`);
      this.io.stderr.write(`${lines.join('\n')}\n`);
    }
    return shape;
  }

  /** Progress and notes go to stderr, so stdout stays one parseable document. */
  note(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  paint(text: string, ansiColour: number): string {
    return this.io.stderr.isTTY === true ? `\u001b[${ansiColour}m${text}\u001b[0m` : text;
  }

  private writeJson(document: Data): void {
    this.written = true;
    this.io.stdout.write(`${JSON.stringify(document)}\n`);
  }

  private writeText(text: string): void {
    this.written = true;
    this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }
}

/** Aligns `[label, value]` rows into two columns for human output. */
export function formatRows(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}
