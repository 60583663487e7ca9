import type { ProbeStepResult } from '../../common/models/probe.js';
import { checkCaFixesServer, type CaFixVerdict } from '../trust/ca-fix-check.js';
import { validateCaPem, type ValidatedCa } from '../trust/validate-ca.js';
import type { Environment } from './local-ports.js';

export interface CheckCaInput {
  /** The PEM text (at most 64 KiB). */
  readonly pem: string;
  /** Accept an intermediate CA alone (the explicit partial-chain choice). */
  readonly allowIntermediate?: boolean;
  /** Also probe this instance with the CA: does it complete the live server's chain? */
  readonly url?: string;
  readonly allowLoopback?: boolean;
  readonly onStep?: (step: ProbeStepResult) => void;
  readonly signal?: AbortSignal;
}

/**
 * Validates a pasted CA (a real CA certificate: basicConstraints CA, keyCertSign, currently valid,
 * strong enough for TLS; TRUST_* codes otherwise) and, given a URL, says whether it fixes that
 * server's chain: the one path of `ca check` and the wizard's trust step (desktop and `serve`).
 */
export async function checkCa(
  ports: { readonly env: Environment; readonly now: () => Date },
  input: CheckCaInput,
): Promise<{ readonly ca: ValidatedCa; readonly fix: CaFixVerdict | undefined }> {
  const ca = validateCaPem(input.pem, {
    now: ports.now(),
    allowIntermediate: input.allowIntermediate === true,
  });
  if (input.url === undefined) return { ca, fix: undefined };
  const fix = await checkCaFixesServer(input.url, ca, {
    allowLoopback: input.allowLoopback === true,
    env: ports.env,
    ...(input.onStep === undefined ? {} : { onStep: input.onStep }),
    ...(input.signal === undefined ? {} : { signal: input.signal }),
  });
  return { ca, fix };
}

/** CA text from a file or standard input, never more than the limit plus one byte. */
export { readCaFile, readCaStream } from '../trust/read-ca-input.js';
