import { parentPort } from 'node:worker_threads';
import type { EngineAttemptInput } from './engine-attempt.js';
import { runIsoAttempt } from './iso-engine.js';
import { asAttemptFailure } from './push-failure.js';
import type { WorkerReply, WorkerRequest } from './iso-worker-protocol.js';

/**
 * The isomorphic-git engine's thread. Pack indexing and inflating are synchronous JavaScript;
 * here they cannot stall the desktop UI's event loop, and a large clone's memory peak is
 * confined to this thread's heap.
 */
const port = parentPort;
if (port !== null) {
  port.on('message', (request: WorkerRequest) => {
    const reply = (message: WorkerReply): void => port.postMessage(message);
    const input: EngineAttemptInput = request.input;
    runIsoAttempt(input, (progress) => reply({ id: request.id, kind: 'progress', progress })).then(
      (result) => reply({ id: request.id, kind: 'result', result }),
      (error: unknown) => {
        const failure = asAttemptFailure(error, 'isomorphic-git failed: ');
        reply({
          id: request.id,
          kind: 'error',
          error: {
            retry: failure.retry,
            code: failure.error.code,
            message: failure.error.message,
            ...(failure.error.data === undefined ? {} : { data: failure.error.data }),
          },
        });
      },
    );
  });
}
