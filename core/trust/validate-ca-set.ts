import { validateCaPem, type ValidatedCa } from './validate-ca.js';

/**
 * Validates every pasted CA text (each must be a real CA certificate) and merges them into one
 * set of PEMs. Every path that stores or uses pasted CAs goes through here, so none can let a
 * leaf, a key or garbage into the trust store.
 */
export function validateCaSet(
  texts: readonly string[] | undefined,
  now: Date,
  allowIntermediate = false,
): ValidatedCa | undefined {
  if (!texts || texts.length === 0) return undefined;
  const validated = texts.map((text) => validateCaPem(text, { now, allowIntermediate }));
  return {
    kind: 'validated-ca',
    certificates: validated.flatMap((each) => each.certificates),
    pems: [...new Set(validated.flatMap((each) => each.pems))],
    warnings: validated.flatMap((each) => each.warnings),
    intermediateOnly: validated.every((each) => each.intermediateOnly),
  };
}
