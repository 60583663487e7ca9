import { CompanionError } from '../../common/errors/companion-error.js';

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** `HOST:PORT`, `[IPv6]:PORT`; port 0 picks a free one (tests). */
export function parseListenAddress(text: string): ListenAddress {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[3]) : Number.NaN;
  if (!match || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new CompanionError('RELAY_LISTEN_INVALID', `"${text}" is not a HOST:PORT address.`, {
      data: { listen: text },
    });
  }
  return { host: (match[1] ?? match[2]) as string, port };
}

export function formatListenAddress(address: ListenAddress): string {
  return address.host.includes(':')
    ? `[${address.host}]:${address.port}`
    : `${address.host}:${address.port}`;
}
