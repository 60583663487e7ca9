import type { ProbeResult, ProbeStepResult } from '../../common/models/probe.js';
import { runProbe } from '../probe/run-probe.js';
import { validateCaSet } from '../trust/validate-ca-set.js';
import type { Environment } from './local-ports.js';

export interface ProbeInstanceInput {
  readonly url: string;
  /** CA certificates (PEM texts) to trust for this probe; each must be a real CA. */
  readonly caPems?: readonly string[];
  /** Let a pasted intermediate anchor the chain (the explicit partial-chain choice). */
  readonly allowPartialChain?: boolean;
  /** Development only (simulator, demo). */
  readonly allowLoopback?: boolean;
  readonly onStep?: (step: ProbeStepResult) => void;
  readonly signal?: AbortSignal;
}

/**
 * Probes an instance URL step by step (URL, DNS, address policy, TCP, TLS, HTTP, version): the
 * one path of `probe` and the wizard's instance step (desktop and `serve`). Pasted CAs are
 * validated first (CA_* codes); the probe's own failure is in the result, not thrown.
 */
export async function probeInstance(
  ports: { readonly env: Environment; readonly now: () => Date },
  input: ProbeInstanceInput,
): Promise<ProbeResult & { readonly caWarnings: readonly string[] }> {
  const allowPartialChain = input.allowPartialChain === true;
  const ca = validateCaSet(input.caPems, ports.now(), allowPartialChain);
  const result = await runProbe(input.url, {
    ...(ca ? { caPems: ca.pems, allowPartialChain } : {}),
    allowLoopback: input.allowLoopback === true,
    env: ports.env,
    ...(input.onStep === undefined ? {} : { onStep: input.onStep }),
    ...(input.signal === undefined ? {} : { signal: input.signal }),
  });
  return { ...result, caWarnings: ca?.warnings ?? [] };
}

/** TLS "fixes" in the environment the companion deliberately ignores, said up front. */
export { tlsEnvironmentNotes } from '../net/tls-environment.js';
