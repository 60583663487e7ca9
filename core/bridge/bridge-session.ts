import type WebSocket from 'ws';
import { CompanionError, toErrorShape } from '../../common/errors/companion-error.js';
import type { BridgePolicySettings, BridgeRequestRecord } from '../../common/models/bridge.js';
import { parsePlatformFrame, type PlatformFrame } from './bridge-frames.js';
import type { PushAnswer, BridgePushRunner } from './bridge-push.js';
import { runBridgeRead, type BridgeBdcAccess, type BridgeFrameSink } from './bridge-read.js';
import { YoungGarbagePacer } from './young-garbage.js';

export interface BridgeSessionOptions {
  readonly socket: WebSocket;
  readonly access: () => Promise<BridgeBdcAccess>;
  readonly policy: () => BridgePolicySettings;
  readonly pushes: BridgePushRunner;
  readonly maxInFlight: number;
  readonly maxBodyBytes: number;
  readonly now: () => number;
  /** One call per finished request: the audit record (never a body, token or header value). */
  readonly onRequest: (record: BridgeRequestRecord) => void;
}

export interface BridgeSession {
  /** Aborts the reads in flight (their BDC calls too). Pushes finish and store their answer. */
  close(): void;
}

/** Above this many bytes queued on the socket, senders wait for it to drain. */
const HIGH_WATER_BYTES = 1024 * 1024;

/**
 * Sends over the socket. Below the high-water mark a send returns at once (no event-loop turn per
 * frame); above it, the sender waits until its frame is written, so a fast BDC and a slow platform
 * never pile a body up in memory. `ws` copies each frame before `send` returns (masking); that
 * copy and BDC's reads are garbage the pacer has collected every 2 MiB (docs/bridge.md, "Memory").
 */
export function socketSink(
  socket: WebSocket,
  pacer: YoungGarbagePacer = new YoungGarbagePacer(),
): BridgeFrameSink {
  const send = (data: string | Uint8Array, binary: boolean): Promise<void> =>
    new Promise((resolve, reject) => {
      if (socket.readyState !== socket.OPEN) {
        reject(new CompanionError('NETWORK_FAILED', 'The bridge connection closed.'));
        return;
      }
      if (socket.bufferedAmount < HIGH_WATER_BYTES) {
        socket.send(data, { binary });
        resolve();
        return;
      }
      socket.send(data, { binary }, (error) => (error ? reject(error) : resolve()));
    });
  return {
    sendJson: (frame) => send(JSON.stringify(frame), false),
    sendBinary: (frame) => {
      pacer.relay(frame.byteLength);
      return send(frame, true);
    },
  };
}

/**
 * One welcomed connection: every text frame is checked, policy decides, reads stream back and
 * pushes go through the idempotent runner. At most `maxInFlight` requests run at once; more are
 * answered BRIDGE_BUSY. `cancel` aborts the request and its BDC call.
 */
export function runBridgeSession(options: BridgeSessionOptions): BridgeSession {
  const { socket } = options;
  const sink = socketSink(socket);
  const inFlight = new Map<
    string,
    { readonly controller: AbortController; readonly kind: 'http' | 'push' }
  >();

  const answerError = (id: string | undefined, error: unknown): void => {
    const shape = toErrorShape(error);
    sink
      .sendJson({
        type: 'error',
        ...(id === undefined ? {} : { id }),
        error: { code: shape.code, message: shape.message },
      })
      .catch(() => undefined);
  };

  const audit = (
    frame: Extract<PlatformFrame, { kind: 'http' | 'push' }>,
    startedAt: number,
    fields: Partial<BridgeRequestRecord>,
  ): void => {
    options.onRequest({
      id: frame.id,
      kind: frame.kind,
      ...(frame.kind === 'http'
        ? { method: frame.method, path: frame.path }
        : { repo: frame.repo, branch: frame.branch }),
      durationMs: options.now() - startedAt,
      outcome: 'ok',
      at: new Date(startedAt).toISOString(),
      ...fields,
    });
  };

  const failedFields = (error: unknown, aborted: boolean): Partial<BridgeRequestRecord> => {
    const code = toErrorShape(error).code;
    return {
      outcome: aborted
        ? 'cancelled'
        : code === 'BRIDGE_POLICY_DENIED' || code === 'BRIDGE_BAD_REQUEST'
          ? 'denied'
          : 'failed',
      code,
    };
  };

  const runRead = async (
    frame: Extract<PlatformFrame, { kind: 'http' }>,
    controller: AbortController,
  ): Promise<void> => {
    const startedAt = options.now();
    try {
      const summary = await runBridgeRead(frame, await options.access(), options.policy(), sink, {
        signal: controller.signal,
        maxBodyBytes: options.maxBodyBytes,
      });
      audit(frame, startedAt, {
        status: summary.status,
        bytes: summary.bytes,
        ...(summary.project === undefined
          ? {}
          : { repo: `${summary.project}/${summary.repo ?? ''}` }),
      });
    } catch (error) {
      audit(frame, startedAt, failedFields(error, controller.signal.aborted));
      answerError(frame.id, error);
    }
  };

  const runPush = async (
    frame: Extract<PlatformFrame, { kind: 'push' }>,
    controller: AbortController,
  ): Promise<void> => {
    const startedAt = options.now();
    let answer: PushAnswer;
    try {
      answer = await options.pushes.run(frame, options.policy(), controller.signal, (progress) => {
        const phase =
          progress.phase === 'push' ? 'send' : progress.phase === 'build' ? 'build' : 'fetch';
        sink
          .sendJson({ type: 'push.progress', id: frame.id, phase, attempt: progress.attempt })
          .catch(() => undefined);
      });
    } catch (error) {
      audit(frame, startedAt, failedFields(error, controller.signal.aborted));
      answerError(frame.id, error);
      return;
    }
    audit(
      frame,
      startedAt,
      answer['ok'] === true
        ? {}
        : {
            outcome: 'failed',
            code: String((answer['error'] as { code?: string } | undefined)?.code ?? ''),
          },
    );
    await sink.sendJson({ type: 'push.result', id: frame.id, ...answer }).catch(() => undefined);
  };

  const onFrame = (data: WebSocket.RawData, isBinary: boolean): void => {
    if (isBinary) {
      answerError(
        undefined,
        new CompanionError('BRIDGE_BAD_REQUEST', 'The platform sends no binary frames.'),
      );
      return;
    }
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
    const parsed = parsePlatformFrame(bytes);
    if (!parsed.ok) {
      answerError(parsed.id, parsed.error);
      return;
    }
    const frame = parsed.frame;
    switch (frame.kind) {
      case 'welcome':
        return;
      case 'cancel':
        inFlight
          .get(frame.id)
          ?.controller.abort(
            new CompanionError('BRIDGE_CANCELLED', 'The platform cancelled the request.'),
          );
        return;
      case 'http':
      case 'push': {
        if (inFlight.has(frame.id)) {
          answerError(
            frame.id,
            new CompanionError('BRIDGE_BAD_REQUEST', `The id ${frame.id} is already running.`),
          );
          return;
        }
        if (inFlight.size >= options.maxInFlight) {
          answerError(
            frame.id,
            new CompanionError(
              'BRIDGE_BUSY',
              `${options.maxInFlight} requests are already running.`,
            ),
          );
          return;
        }
        const controller = new AbortController();
        inFlight.set(frame.id, { controller, kind: frame.kind });
        const work =
          frame.kind === 'http' ? runRead(frame, controller) : runPush(frame, controller);
        void work.finally(() => inFlight.delete(frame.id));
        return;
      }
      default: {
        const unreachable: never = frame;
        throw new Error(`unknown frame ${JSON.stringify(unreachable)}`);
      }
    }
  };

  socket.on('message', onFrame);
  return {
    close() {
      socket.off('message', onFrame);
      // A push keeps running: its answer is stored and the platform gets it by sending the id again.
      for (const { controller, kind } of inFlight.values()) {
        if (kind === 'http') {
          controller.abort(new CompanionError('NETWORK_FAILED', 'The bridge connection closed.'));
        }
      }
    },
  };
}
