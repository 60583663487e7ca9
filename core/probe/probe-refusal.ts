import { CompanionError } from '../../common/errors/companion-error.js';
import type { ProbeResult } from '../../common/models/probe.js';

/**
 * Turns a failed probe into the error `installation add` and `update` refuse with: the probe's
 * own code and hint, the step it failed at, and every step's outcome in `data`.
 */
export function probeRefusal(probe: ProbeResult, url: string, refused: string): CompanionError {
  const failed = probe.steps.find((step) => !step.ok);
  const cause = probe.error ?? { code: 'INTERNAL_ERROR', message: 'The probe failed.' };
  const error = CompanionError.fromShape(cause);
  return new CompanionError(
    error.code,
    `${refused}: the probe of ${url} failed at the ${failed?.name ?? 'last'} step. ${error.message}`,
    {
      hint: error.hint,
      hintGui: error.hintGui,
      data: {
        steps: probe.steps.map(({ name: step, ok, ms, code }) => ({ name: step, ok, ms, code })),
      },
    },
  );
}
