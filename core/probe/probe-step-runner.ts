import type { ProbeStepName } from '../../common/api/models.js';
import type { ErrorCode } from '../../common/errors/catalogue.js';
import { CompanionError } from '../../common/errors/companion-error.js';
import type { ProbeStepResult } from '../../common/models/probe.js';
import { toNetworkError } from '../net/network-error.js';

/** What one step produced: its value and a line for people, or the failure that ends the probe. */
export type StepOutcome<T> =
  | { readonly ok: true; readonly value: T; readonly detail: string }
  /** A step can fail and still have learned something the report shows (the refused chain). */
  | { readonly ok: false; readonly error: CompanionError; readonly value?: T };

export type StepRun<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: CompanionError; readonly value?: T };

export interface StepRunnerOptions {
  /** When the whole probe must have ended (epoch ms). */
  readonly deadline: number;
  /** Upper bound per step; the deadline still wins. */
  readonly stepCapMs: number;
  readonly signal?: AbortSignal | undefined;
  readonly onStep?: ((step: ProbeStepResult) => void) | undefined;
}

/**
 * Runs the probe's steps one at a time against the deadline and the caller's signal, records each
 * step's time and outcome, and tells every listener as it happens. A step never throws to the
 * caller: what went wrong comes back as an outcome with a catalogued code (network errors are
 * translated, naming `subject`).
 */
export class ProbeStepRunner {
  readonly steps: ProbeStepResult[] = [];

  constructor(private readonly options: StepRunnerOptions) {}

  async run<T>(
    name: ProbeStepName,
    timeoutCode: ErrorCode,
    subject: string,
    step: (timeoutMs: number) => Promise<StepOutcome<T>>,
  ): Promise<StepRun<T>> {
    const started = Date.now();
    const timeoutMs = Math.max(
      0,
      Math.min(this.options.stepCapMs, this.options.deadline - Date.now()),
    );
    const signal = this.options.signal;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    let outcome: StepOutcome<T>;
    try {
      if (signal?.aborted === true) {
        throw new CompanionError('OPERATION_CANCELLED', 'The probe was cancelled.');
      }
      if (timeoutMs <= 0) {
        throw new CompanionError(
          'PROBE_TIMEOUT',
          `The probe ran out of time before the ${name} step.`,
        );
      }
      const bounded = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new CompanionError(
                timeoutCode,
                `The ${name} step did not finish within ${timeoutMs} ms.`,
              ),
            ),
          timeoutMs,
        );
        onAbort = () =>
          reject(new CompanionError('OPERATION_CANCELLED', 'The probe was cancelled.'));
        signal?.addEventListener('abort', onAbort, { once: true });
      });
      outcome = await Promise.race([step(timeoutMs), bounded]);
    } catch (error) {
      outcome = {
        ok: false,
        error: error instanceof CompanionError ? error : toNetworkError(error, subject),
      };
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
    const ms = Date.now() - started;
    if (outcome.ok) {
      this.record({ name, ok: true, ms, detail: outcome.detail });
      return { ok: true, value: outcome.value };
    }
    const { error } = outcome;
    this.record({ name, ok: false, ms, code: error.code, error: error.toJSON() });
    return outcome;
  }

  private record(result: ProbeStepResult): void {
    this.steps.push(result);
    try {
      this.options.onStep?.(result);
    } catch {
      // A UI listener that throws must not change the probe's outcome.
    }
  }
}
