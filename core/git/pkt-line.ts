/** Git's pkt-line framing (gitprotocol-common): 4 hex digits of length, then the payload. */
export function pktLine(payload: string | Uint8Array): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
  const length = (body.length + 4).toString(16).padStart(4, '0');
  return Buffer.concat([Buffer.from(length, 'ascii'), body]);
}

export const FLUSH_PKT = Buffer.from('0000', 'ascii');

/** Splits a buffer of pkt-lines; `null` marks a flush (or delim) packet. */
export function parsePktLines(buffer: Buffer): (Buffer | null)[] {
  const packets: (Buffer | null)[] = [];
  let offset = 0;
  while (offset + 4 <= buffer.length) {
    const length = Number.parseInt(buffer.toString('ascii', offset, offset + 4), 16);
    if (Number.isNaN(length)) throw new Error('malformed pkt-line length');
    if (length < 4) {
      packets.push(null);
      offset += 4;
      continue;
    }
    if (offset + length > buffer.length) throw new Error('truncated pkt-line');
    packets.push(buffer.subarray(offset + 4, offset + length));
    offset += length;
  }
  return packets;
}

export interface SidebandStreams {
  readonly data: Buffer;
  /** Band 2: progress and hook output (`remote:` lines in git's terminal). */
  readonly messages: string;
  /** Band 3: a fatal error from the server. */
  readonly error: string;
}

/** Demultiplexes a side-band-64k response. */
export function demultiplexSideband(packets: readonly (Buffer | null)[]): SidebandStreams {
  const data: Buffer[] = [];
  let messages = '';
  let error = '';
  for (const packet of packets) {
    if (packet === null || packet.length === 0) continue;
    const band = packet[0];
    const payload = packet.subarray(1);
    if (band === 1) data.push(payload);
    else if (band === 2) messages += payload.toString('utf8');
    else if (band === 3) error += payload.toString('utf8');
  }
  return { data: Buffer.concat(data), messages, error };
}
