import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionLimits {
  /** Open connections in all (the rest are closed as they arrive). */
  readonly total: number;
  /**
   * Open connections from one address. BDC keeps a small pool of connections to a webhook URL;
   * one host holding more than this is not BDC sending deliveries, and must not crowd out the
   * host that is.
   */
  readonly perAddress: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { total: 512, perAddress: 64 };
/**
 * For the loopback listeners (`serve`, the OAuth callback): every client is this machine, so the
 * per-address cap is the total. A browser opens about six connections per origin, plus the event
 * stream and a held sign-in wait; 64 leaves room for several tabs.
 */
export const LOOPBACK_CONNECTION_LIMITS: ConnectionLimits = { total: 64, perAddress: 64 };

/**
 * Caps the sockets a listener keeps open, before any byte of a request is parsed: a connection
 * over a cap is destroyed at once, so it costs the relay a file descriptor for a moment and no
 * memory. Works for HTTP and HTTPS servers (`connection` is emitted for the raw socket of both).
 */
export function limitConnections(server: Server, limits: ConnectionLimits): void {
  server.maxConnections = limits.total;
  const perAddress = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const open = perAddress.get(address) ?? 0;
    if (open >= limits.perAddress) {
      socket.destroy();
      return;
    }
    perAddress.set(address, open + 1);
    socket.once('close', () => {
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left <= 0) perAddress.delete(address);
      else perAddress.set(address, left);
    });
  });
}
