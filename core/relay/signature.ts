import { createHmac, timingSafeEqual, type Hmac } from 'node:crypto';

const PREFIX = 'sha256=';
const HEX_LENGTH = 64;

/** `sha256=<lowercase hex HMAC-SHA256(secret, body)>`, as BDC signs a delivery. */
export function signBody(secret: string, body: Uint8Array): string {
  return PREFIX + createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest('hex');
}

export type SignatureCheck = 'valid' | 'missing' | 'invalid';

/**
 * The digest an `X-Hub-Signature` header presents, or why there is none. Decided from the header
 * alone, so the listener refuses a request without a well-formed signature before it reads a byte
 * of the body. Hex is accepted in either case because some senders upper-case it; anything that is
 * not `sha256=` and 64 hex digits is invalid.
 */
export function presentedDigest(header: string | undefined): Buffer | 'missing' | 'invalid' {
  if (header === undefined || header === '') return 'missing';
  if (!header.toLowerCase().startsWith(PREFIX)) return 'invalid';
  const hex = header.slice(PREFIX.length);
  if (hex.length !== HEX_LENGTH || !/^[0-9a-fA-F]+$/.test(hex)) return 'invalid';
  return Buffer.from(hex, 'hex');
}

/**
 * HMAC-SHA256 of a body as it arrives, under every accepted secret (two during a rotation), so
 * checking the signature costs no second pass and no copy of the body.
 */
export class StreamingSignature {
  private readonly hmacs: readonly Hmac[];

  constructor(readonly secrets: readonly string[]) {
    this.hmacs = secrets.map((secret) => createHmac('sha256', Buffer.from(secret, 'utf8')));
  }

  update(chunk: Uint8Array): void {
    for (const hmac of this.hmacs) hmac.update(chunk);
  }

  /**
   * Compares as bytes with `timingSafeEqual`, so the time taken does not reveal how many leading
   * bytes matched; every secret is compared even after a match, so the time does not reveal which
   * one matched either. Call once, after the last chunk.
   */
  matches(presented: Buffer): boolean {
    let matched = false;
    for (const hmac of this.hmacs) {
      if (timingSafeEqual(hmac.digest(), presented)) matched = true;
    }
    return matched;
  }
}

/** Verifies `X-Hub-Signature` over a whole body (see `presentedDigest`, `StreamingSignature`). */
export function verifySignature(
  header: string | undefined,
  body: Uint8Array,
  secrets: readonly string[],
): SignatureCheck {
  const presented = presentedDigest(header);
  if (typeof presented === 'string') return presented;
  const signature = new StreamingSignature(secrets);
  signature.update(body);
  return signature.matches(presented) ? 'valid' : 'invalid';
}
