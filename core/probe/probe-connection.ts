import net from 'node:net';
import { CompanionError } from '../../common/errors/companion-error.js';
import type { VettedAddress } from '../net/guarded-lookup.js';
import type { InstanceUrl } from '../net/instance-url.js';
import { toNetworkError } from '../net/network-error.js';
import { openTunnel } from '../net/proxy-tunnel.js';

export interface Connection {
  readonly socket: net.Socket;
  /** The vetted address connected to; undefined through a proxy. */
  readonly address: string | undefined;
}

/** Where the probe connects: the vetted addresses in turn, or the instance through a proxy. */
export interface ConnectionTarget {
  readonly instance: InstanceUrl;
  readonly vetted: readonly VettedAddress[];
  readonly proxy: string | undefined;
  readonly caPems?: readonly string[] | undefined;
}

/**
 * The probe's raw connections (the TLS steps need sockets they control). Every socket it opens
 * is destroyed by `closeAll`, whatever step the probe ended at.
 */
export class ProbeSockets {
  private readonly open = new Set<net.Socket>();

  async connect(target: ConnectionTarget, timeoutMs: number): Promise<Connection> {
    const { instance } = target;
    if (target.proxy !== undefined) {
      const socket = await openTunnel({
        proxy: target.proxy,
        host: instance.hostname,
        port: instance.port,
        timeoutMs,
        ...(target.caPems === undefined ? {} : { caPems: target.caPems }),
      });
      return { socket: this.track(socket), address: undefined };
    }
    let lastError: unknown;
    const until = Date.now() + timeoutMs;
    for (const candidate of target.vetted) {
      const left = until - Date.now();
      if (left <= 0) break;
      try {
        return {
          socket: await this.dial(candidate.address, instance.port, left),
          address: candidate.address,
        };
      } catch (error) {
        lastError = error;
      }
    }
    throw (
      lastError ??
      new CompanionError('CONNECT_TIMEOUT', `No address of ${instance.hostname} answered in time.`)
    );
  }

  closeAll(): void {
    for (const socket of this.open) socket.destroy();
  }

  private track(socket: net.Socket): net.Socket {
    this.open.add(socket);
    socket.once('close', () => this.open.delete(socket));
    return socket;
  }

  private dial(address: string, port: number, timeoutMs: number): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const socket = this.track(net.connect({ host: address, port }));
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new CompanionError(
            'CONNECT_TIMEOUT',
            `${address}:${port} did not accept a TCP connection within ${timeoutMs} ms.`,
            { data: { address, port } },
          ),
        );
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(socket);
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(toNetworkError(error, `${address}:${port}`));
      });
    });
  }
}
