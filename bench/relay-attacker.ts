// The attacker of `bench:relay-attack`, in a process of its own:
//   relay-attacker.ts <url> <unsigned|wrong-signature> <seconds> <connections> <body bytes>
// Each connection posts a body of the given size, again and again until the time is up (a new
// connection each time the relay answers or hangs up); prints {requests, bytes} as JSON.
import { connect } from 'node:net';

const [url, attack, seconds, connections, bodyBytes] = process.argv.slice(2);
const ATTACK_BODY_BYTES = Number(bodyBytes);
type Attack = 'unsigned' | 'wrong-signature';

/** One attacking connection: post 9 MiB bodies back to back until `until`, reconnecting as refused. */
async function attacker(
  url: URL,
  attack: Attack,
  until: number,
  tally: { requests: number; bytes: number },
): Promise<void> {
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  while (performance.now() < until) {
    await new Promise<void>((resolve) => {
      const socket = connect({ host: url.hostname, port: Number(url.port) });
      socket.on('error', () => undefined);
      socket.once('close', () => resolve());
      socket.on('data', () => undefined);
      socket.once('connect', () => {
        tally.requests += 1;
        socket.write(
          [
            `POST ${url.pathname} HTTP/1.1`,
            `Host: ${url.host}`,
            'Content-Type: application/json',
            `Content-Length: ${ATTACK_BODY_BYTES}`,
            'X-Event-Key: repo:refs_changed',
            ...(attack === 'wrong-signature' ? [`X-Hub-Signature: sha256=${'0'.repeat(64)}`] : []),
            '',
            '',
          ].join('\r\n'),
        );
        let sent = 0;
        const pump = (): void => {
          while (sent < ATTACK_BODY_BYTES && !socket.destroyed) {
            if (performance.now() >= until) {
              socket.destroy();
              return;
            }
            sent += chunk.length;
            tally.bytes += chunk.length;
            if (!socket.write(chunk)) {
              socket.once('drain', pump);
              return;
            }
          }
          // The whole body is sent: wait for the answer, then start again on a new connection.
          setTimeout(() => socket.destroy(), 200);
        };
        pump();
      });
      const stop = setTimeout(() => socket.destroy(), Math.max(0, until - performance.now()));
      socket.once('close', () => clearTimeout(stop));
    });
  }
}

process.stdout.write('ready\n');
const until = performance.now() + Number(seconds) * 1000;
const tally = { requests: 0, bytes: 0 };
const target = new URL(url as string);
await Promise.all(
  Array.from({ length: Number(connections) }, () =>
    attacker(target, attack as Attack, until, tally),
  ),
);
process.stdout.write(`${JSON.stringify(tally)}\n`);
