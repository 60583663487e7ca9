import { createHmac, timingSafeEqual } from 'node:crypto';

const PREFIX = 'sha256=';
const HEX_LENGTH = 64;

/** `sha256=<lowercase hex HMAC-SHA256(secret, body)>`, as BDC signs a delivery. */
export function signBody(secret: string, body: Uint8Array): string {
  return PREFIX + createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest('hex');
}

export type SignatureCheck = 'valid' | 'missing' | 'invalid';

/**
 * Verifies `X-Hub-Signature` against every accepted secret (two during a rotation).
 *
 * The header's digest is decoded and compared as bytes with `timingSafeEqual`, so the time taken
 * does not reveal how many leading characters matched. Every secret is tried even after a match
 * would be found, which keeps the time independent of which secret matched. Hex is accepted in
 * either case because some senders upper-case it; anything that is not 64 hex digits is invalid.
 */
export function verifySignature(
  header: string | undefined,
  body: Uint8Array,
  secrets: readonly string[],
): SignatureCheck {
  if (header === undefined || header === '') return 'missing';
  if (!header.toLowerCase().startsWith(PREFIX)) return 'invalid';
  const hex = header.slice(PREFIX.length);
  if (hex.length !== HEX_LENGTH || !/^[0-9a-fA-F]+$/.test(hex)) return 'invalid';
  const presented = Buffer.from(hex, 'hex');
  let matched = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest();
    if (timingSafeEqual(expected, presented)) matched = true;
  }
  return matched ? 'valid' : 'invalid';
}
