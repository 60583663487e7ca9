/**
 * The process edges a command touches, passed in so tests run commands in-process with captured
 * streams and a controlled environment.
 */
export interface CliIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); long-running commands await it. */
  readonly stopSignal: AbortSignal;
}

export function processIo(): CliIo {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  // Kept for the whole run, not `once`: conf's atomically (when-exit) answers a signal by raising
  // it again once its own listener is gone; with no listener of ours left, that second SIGTERM
  // would end the process half-way through the clean shutdown the CLI contract promises.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    stopSignal: controller.signal,
  };
}
