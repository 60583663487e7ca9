import type { ErrorShape } from '../../common/errors/error-shape.js';
import type { ProbeResult } from '../../common/models/probe.js';
import { runProbe, type ProbeOptions } from '../probe/run-probe.js';
import type { ValidatedCa } from './validate-ca.js';

/** Whether a validated CA makes the live server's chain verify ("will this fix it?"). */
export type CaFixVerdict =
  | { readonly kind: 'fixes'; readonly probe: ProbeResult }
  | { readonly kind: 'does-not-fix'; readonly probe: ProbeResult; readonly error: ErrorShape }
  | { readonly kind: 'unreachable'; readonly probe: ProbeResult; readonly error: ErrorShape };

/**
 * Probes the server again with the CA and reports whether the TLS step now verifies. Later steps
 * (HTTP, version) do not change the answer: the question is only whether the chain is complete.
 */
export async function checkCaFixesServer(
  url: string,
  ca: ValidatedCa,
  options: Omit<ProbeOptions, 'caPems' | 'allowPartialChain'> = {},
): Promise<CaFixVerdict> {
  const probe = await runProbe(url, {
    ...options,
    caPems: ca.pems,
    allowPartialChain: ca.intermediateOnly,
  });
  const tls = probe.steps.find((step) => step.name === 'tls');
  if (tls?.ok === true) return { kind: 'fixes', probe };
  const error: ErrorShape = probe.error ?? {
    code: 'INTERNAL_ERROR',
    message: 'The probe ended without a result.',
  };
  return tls === undefined
    ? { kind: 'unreachable', probe, error }
    : { kind: 'does-not-fix', probe, error };
}
