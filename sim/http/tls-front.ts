import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import type { Server as HttpsServer } from 'node:https';

/**
 * A TCP front for an HTTPS server. Connections normally pass straight to TLS; while handshakes are
 * "stalled" they are accepted and then left silent, so clients meet a TLS handshake that never
 * completes (the failure mode of a broken middlebox) and must time out on their own.
 */
export class TlsFront {
  private readonly tcp: Server;
  private readonly held = new Set<Socket>();
  private readonly open = new Set<Socket>();
  private stalled = false;

  constructor(private readonly https: HttpsServer) {
    this.tcp = createNetServer((socket) => {
      this.open.add(socket);
      socket.on('close', () => {
        this.open.delete(socket);
        this.held.delete(socket);
      });
      socket.on('error', () => undefined);
      if (this.stalled) {
        this.held.add(socket);
        return;
      }
      this.https.emit('connection', socket);
    });
  }

  /**
   * Sends a TCP RST for the connection behind a TLS socket. `resetAndDestroy` works only on the
   * raw TCP socket, which the front still holds.
   */
  reset(tlsSocket: Socket): void {
    const raw = [...this.open].find(
      (socket) =>
        socket.remotePort === tlsSocket.remotePort &&
        socket.remoteAddress === tlsSocket.remoteAddress,
    );
    if (raw) raw.resetAndDestroy();
    tlsSocket.destroy();
  }

  setStalled(on: boolean): void {
    this.stalled = on;
    if (!on) {
      // Held connections were never answered; drop them so their clients fail fast and retry.
      for (const socket of this.held) socket.destroy();
      this.held.clear();
    }
  }

  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.tcp.once('error', reject);
      this.tcp.listen(port, '127.0.0.1', () => {
        this.tcp.off('error', reject);
        const address = this.tcp.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      for (const socket of this.open) socket.destroy();
      this.https.close();
      this.tcp.close(() => resolve());
    });
  }
}
