import type { ErrorShape } from '../../common/errors/error-shape.js';
import type { ProbeResult } from '../../common/models/probe.js';
import { runProbe, type ProbeOptions } from '../probe/run-probe.js';
import type { ValidatedCa } from './validate-ca.js';

/** Whether a validated CA makes the live server's chain verify ("will this fix it?"). */
export type CaFixVerdict =
  | { readonly kind: 'fixes'; readonly probe: ProbeResult }
  | {
      readonly kind: 'does-not-fix';
      readonly probe: ProbeResult;
      readonly error: ErrorShape;
      /** Which link is missing, compared with what was pasted. */
      readonly explanation: string;
    }
  | { readonly kind: 'unreachable'; readonly probe: ProbeResult; readonly error: ErrorShape };

/**
 * Probes the server again with the CA and reports whether the TLS step now verifies. Later steps
 * (HTTP, version) do not change the answer: the question is only whether the chain is complete.
 */
export async function checkCaFixesServer(
  url: string,
  ca: ValidatedCa,
  options: Omit<ProbeOptions, 'caPems' | 'allowPartialChain'>,
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
    : { kind: 'does-not-fix', probe, error, explanation: explainMismatch(probe, ca) };
}

/**
 * Compares the issuer the live chain needs with the pasted certificates, so the user learns
 * whether they pasted the wrong CA, a re-issued one, or sit behind a TLS-inspecting proxy.
 */
export function explainMismatch(probe: ProbeResult, ca: ValidatedCa): string {
  const verification = probe.tls?.verification;
  const needed = verification?.kind === 'untrusted' ? verification.missingIssuer : undefined;
  const pasted = ca.certificates.map((certificate) => certificate.subject);
  if (needed === undefined) return 'The server chain does not verify with the pasted CA.';
  const sameName = ca.certificates.find((certificate) => certificate.subject === needed);
  if (sameName !== undefined) {
    return `The pasted CA "${needed}" has the right name but did not sign the server chain (SHA-256 ${sameName.sha256}): it may have been re-issued with a new key; ask for the current one.`;
  }
  const behindProxy =
    probe.proxy === undefined
      ? ''
      : ` The connection goes through the proxy ${probe.proxy}, which may inspect TLS.`;
  return `The server chain needs "${needed}", but the pasted certificate${pasted.length === 1 ? ' is' : 's are'} ${pasted
    .map((subject) => `"${subject}"`)
    .join(', ')}.${behindProxy}`;
}
