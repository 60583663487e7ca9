import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';

export interface DeliveryResult {
  readonly status: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * One HTTP POST as BDC's webhook client makes it: no retries, a fixed timeout, certificate
 * verification always on (the simulator trusts the public roots plus the CAs it is given, e.g.
 * the platform stand-in's).
 */
export function postOnce(
  url: string,
  headers: Readonly<Record<string, string>>,
  body: Buffer,
  options: {
    readonly timeoutMs: number;
    readonly extraCas: readonly string[];
    readonly signal?: AbortSignal;
  },
): Promise<DeliveryResult> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new Error('simulator closing'));
      return;
    }
    const target = new URL(url);
    const common = {
      method: 'POST',
      headers: { ...headers, 'Content-Length': String(body.length) },
      timeout: options.timeoutMs,
    };
    const onResponse = (response: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => {
        if (chunks.reduce((size, part) => size + part.length, 0) < 64 * 1024) chunks.push(chunk);
      });
      response.on('error', reject);
      response.on('end', () => {
        clearTimeout(overall);
        const flat: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        resolve({
          status: response.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          headers: flat,
        });
      });
    };
    const outgoing =
      target.protocol === 'https:'
        ? httpsRequest(
            target,
            { ...common, ca: [...rootCertificates, ...options.extraCas] },
            onResponse,
          )
        : httpRequest(target, common, onResponse);
    // `timeout` only covers idle sockets; a receiver that trickles or hangs must fail too.
    const overall = setTimeout(
      () => outgoing.destroy(new Error('webhook request timed out')),
      options.timeoutMs,
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error('webhook request timed out')));
    options.signal?.addEventListener(
      'abort',
      () => outgoing.destroy(new Error('simulator closing')),
      {
        once: true,
      },
    );
    outgoing.on('error', (error) => {
      clearTimeout(overall);
      reject(error);
    });
    outgoing.end(body);
  });
}
