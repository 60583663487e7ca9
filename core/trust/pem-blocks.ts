import { CompanionError } from '../../common/errors/companion-error.js';

export interface PemBlock {
  readonly label: string;
  readonly der: Buffer;
  /** 1-based position in the input, for messages that must not echo the content. */
  readonly index: number;
}

const BEGIN = /-----BEGIN ([A-Z0-9 ]{1,64})-----/g;
const PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY[A-Z0-9 ]{0,20}-----/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** True when the text holds a private key block of any kind (PKCS#1/#8, EC, OpenSSH, PGP). */
export function containsPrivateKey(text: string): boolean {
  return PRIVATE_KEY.test(text);
}

/**
 * Splits PEM text into blocks. Strict where it matters (matching BEGIN/END labels, clean base64,
 * no RFC 1421 headers) and lenient where people are: text around the blocks — `openssl x509
 * -text` output, e-mail quoting — is ignored. A linear scan, no backtracking-prone regex over the
 * whole input, so a hostile 64 KiB paste costs microseconds.
 */
export function splitPemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  BEGIN.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = BEGIN.exec(text)) !== null) {
    const label = match[1]!;
    const index = blocks.length + 1;
    const endMarker = `-----END ${label}-----`;
    const bodyStart = match.index + match[0].length;
    const end = text.indexOf(endMarker, bodyStart);
    if (end === -1) {
      throw new CompanionError(
        'TRUST_NOT_PEM',
        `PEM block ${index} (${label}) has no matching END line.`,
      );
    }
    const body = text.slice(bodyStart, end);
    if (body.includes('-----')) {
      throw new CompanionError(
        'TRUST_NOT_PEM',
        `PEM block ${index} (${label}) is not closed before the next block.`,
      );
    }
    if (body.includes(':')) {
      throw new CompanionError(
        'TRUST_NOT_PEM',
        `PEM block ${index} (${label}) has headers (encrypted or legacy PEM), which a certificate never has.`,
      );
    }
    const base64 = body.replace(/\s+/g, '');
    if (base64.length === 0 || base64.length % 4 !== 0 || !BASE64.test(base64)) {
      throw new CompanionError(
        'TRUST_NOT_PEM',
        `PEM block ${index} (${label}) is not valid base64.`,
      );
    }
    blocks.push({ label, der: Buffer.from(base64, 'base64'), index });
    BEGIN.lastIndex = end + endMarker.length;
  }
  return blocks;
}
