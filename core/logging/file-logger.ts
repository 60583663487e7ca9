import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { tryLock } from '../io/lock-file.js';
import type { LogFields, Logger, LogLevelName } from './logger.js';
import { defaultRedactor, type Redactor } from './redact.js';

export const LOG_DIRECTORY_NAME = 'logs';
export const DEFAULT_LOG_FILE = 'companion.log';
/** 5 MiB per file and three older generations: enough for a day of a busy relay at info, bounded on disk. */
export const DEFAULT_MAX_LOG_BYTES = 5 * 1024 * 1024;
export const DEFAULT_LOG_GENERATIONS = 3;
/** A single message or field longer than this is cut, so one huge body cannot rotate every other line away. */
export const MAX_LOG_STRING = 8192;

/** How long logging pauses after a failed write (a full disk) before it tries again. */
const FAILURE_PAUSE_MS = 30_000;
/**
 * After waiting in vain for another live process's rotation lock, writers stop waiting for it for
 * this long (each line would otherwise pay the wait). A dead owner's lock is taken over at once.
 */
const ROTATION_WAIT_SKIP_MS = 10_000;
/**
 * How long a writer waits for another process's rotation to finish before it appends to the file
 * it has open anyway. A rotation is a few renames; the wait covers that process being descheduled
 * in the middle, which would otherwise let this one pile lines onto a rotated generation.
 */
const ROTATION_WAIT_MS = 200;
const sleepCell = new Int32Array(new SharedArrayBuffer(4));

const LEVEL_RANK: Readonly<Record<LogLevelName, number>> = { error: 0, warn: 1, info: 2, debug: 3 };

export interface FileLoggerOptions {
  /** The config home; lines go to `<home>/logs/<fileName>`. */
  readonly home: string;
  readonly level: LogLevelName;
  /** Which part of the companion writes (`cli`, `relay`, `main`…); every line carries it. */
  readonly component: string;
  readonly fileName?: string;
  readonly maxBytes?: number;
  /** How many rotated files to keep besides the current one. */
  readonly generations?: number;
  readonly clock?: () => Date;
  /**
   * Also write each line here (standard error under a service manager, where the journal collects
   * it). The same redacted JSON line goes to both.
   */
  readonly mirror?: { write(text: string): unknown };
  /** Defaults to the process-wide redactor; tests pass their own. */
  readonly redactor?: Redactor;
}

export function logDirectory(home: string): string {
  return join(home, LOG_DIRECTORY_NAME);
}

/** The current and rotated log files under a home, newest first (only those that exist). */
export function listLogFiles(home: string, fileName = DEFAULT_LOG_FILE): string[] {
  const directory = logDirectory(home);
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return [];
  }
  const generation = (name: string): number => {
    if (name === fileName) return 0;
    const suffix = name.slice(fileName.length + 1);
    return /^\d+$/.test(suffix) ? Number(suffix) : Number.NaN;
  };
  return names
    .filter((name) => name.startsWith(fileName) && !Number.isNaN(generation(name)))
    .sort((a, b) => generation(a) - generation(b))
    .map((name) => join(directory, name));
}

export function isLogLevel(value: unknown): value is LogLevelName {
  return typeof value === 'string' && Object.hasOwn(LEVEL_RANK, value);
}

/**
 * One open log file shared by every logger of this process that writes to the same path, so
 * rotation happens once and loggers of different components do not race each other.
 */
class LogSink {
  private fd: number | undefined;
  private size = 0;
  private writesSinceCheck = 0;
  /** After a failure, writes are skipped until this time (ms), then tried again. */
  private failedUntil = 0;
  /** After waiting in vain for another process's rotation lock, do not wait again until then. */
  private lockWaitSkippedUntil = 0;

  constructor(
    private readonly directory: string,
    private readonly path: string,
    private readonly maxBytes: number,
    private readonly generations: number,
  ) {}

  write(line: string): void {
    if (this.failedUntil > Date.now()) return;
    try {
      const bytes = Buffer.byteLength(line);
      this.ensureOpen();
      this.writesSinceCheck += 1;
      // The size of the open file, appends of other processes included (one fstat per line,
      // cheap at log rates); where the path now points is checked only now and then.
      this.size = fstatSync(this.fd as number).size;
      if (this.size + bytes > this.maxBytes || this.writesSinceCheck >= 50) this.check(bytes);
      writeSync(this.fd as number, line);
    } catch {
      // A full disk or an unwritable home must not take the relay down with it: logging pauses
      // (without throwing into every caller) and is tried again a little later.
      this.failedUntil = Date.now() + FAILURE_PAUSE_MS;
      this.close();
    }
  }

  private ensureOpen(): void {
    if (this.fd !== undefined) return;
    mkdirSync(this.directory, { recursive: true, mode: 0o700 });
    this.fd = openSync(this.path, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
  }

  /**
   * Re-reads the real size (another process may append or rotate too) and rotates when the next
   * line would pass the limit.
   */
  private check(nextBytes: number): void {
    this.writesSinceCheck = 0;
    let onDisk: { ino: number; size: number } | undefined;
    try {
      onDisk = statSync(this.path);
    } catch {
      onDisk = undefined;
    }
    const open = fstatSync(this.fd as number);
    if (onDisk === undefined || onDisk.ino !== open.ino) {
      // Rotated away by another process: follow to the new file.
      this.close();
      this.ensureOpen();
    } else {
      this.size = onDisk.size;
    }
    if (this.size > 0 && this.size + nextBytes > this.maxBytes) this.rotate(open.ino);
  }

  /**
   * Rotates the file this sink has open (`openIno`). Two processes can decide to rotate at the
   * same instant; rotating twice would shift a full generation out for a nearly empty one. So the
   * rotation runs under a lock file, and whoever gets it second finds the path already points at a
   * new file and only follows it.
   */
  private rotate(openIno: number): void {
    const release = this.waitForRotationLock(`${this.path}.rotating`);
    if (release === undefined) {
      // Another live process holds the lock for longer than any rotation takes: this line goes
      // to the file still open, and a later check follows the new one.
      return;
    }
    try {
      let onDisk: { ino: number } | undefined;
      try {
        onDisk = statSync(this.path);
      } catch {
        onDisk = undefined;
      }
      if (onDisk !== undefined && onDisk.ino === openIno) this.shiftGenerations();
    } finally {
      release();
    }
    this.close();
    this.ensureOpen();
  }

  /** The lock's release, or undefined when another live process keeps it (core/io/lock-file.ts). */
  private waitForRotationLock(lock: string): (() => void) | undefined {
    const now = Date.now();
    const deadline = now < this.lockWaitSkippedUntil ? now : now + ROTATION_WAIT_MS;
    for (;;) {
      const attempt = tryLock(lock);
      if (attempt.kind === 'acquired') return attempt.release;
      if (Date.now() >= deadline) break;
      Atomics.wait(sleepCell, 0, 0, 1);
    }
    this.lockWaitSkippedUntil = Date.now() + ROTATION_WAIT_SKIP_MS;
    return undefined;
  }

  private shiftGenerations(): void {
    if (this.generations <= 0) {
      rmSync(this.path, { force: true });
      return;
    }
    rmSync(`${this.path}.${this.generations}`, { force: true });
    for (let generation = this.generations - 1; generation >= 1; generation -= 1) {
      try {
        renameSync(`${this.path}.${generation}`, `${this.path}.${generation + 1}`);
      } catch {
        // That generation does not exist yet.
      }
    }
    try {
      renameSync(this.path, `${this.path}.1`);
    } catch (error) {
      // Removed by hand a moment ago: the new file starts all the same.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // Already closed.
    }
    this.fd = undefined;
  }
}

const sinks = new Map<string, LogSink>();

function sinkFor(directory: string, path: string, maxBytes: number, generations: number): LogSink {
  let sink = sinks.get(path);
  if (sink === undefined) {
    sink = new LogSink(directory, path, maxBytes, generations);
    sinks.set(path, sink);
  }
  return sink;
}

/** Closes every open log file of this process (tests, and before the process exits). */
export function closeLogFiles(): void {
  for (const sink of sinks.values()) sink.close();
  sinks.clear();
}

function truncate(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.length > MAX_LOG_STRING
      ? `${value.slice(0, MAX_LOG_STRING)}… [${value.length - MAX_LOG_STRING} more characters]`
      : value;
  }
  if (Array.isArray(value)) return value.map(truncate);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, truncate(item)]));
  }
  return value;
}

/**
 * A Logger writing structured JSON lines — `{"time","level","component","message","fields"}` — to
 * `<home>/logs/`, rotated by size. Message and fields go through the redactor before anything is
 * written. Nothing is created on disk until the first line passes the level.
 */
export function createLogger(options: FileLoggerOptions): Logger {
  const directory = logDirectory(options.home);
  const sink = sinkFor(
    directory,
    join(directory, options.fileName ?? DEFAULT_LOG_FILE),
    options.maxBytes ?? DEFAULT_MAX_LOG_BYTES,
    options.generations ?? DEFAULT_LOG_GENERATIONS,
  );
  const threshold = LEVEL_RANK[options.level];
  const clock = options.clock ?? (() => new Date());
  const redactor = options.redactor ?? defaultRedactor;

  const build = (bound: LogFields): Logger => {
    const emit = (level: LogLevelName, message: string, fields?: LogFields): void => {
      if (LEVEL_RANK[level] > threshold) return;
      const merged = fields === undefined ? bound : { ...bound, ...fields };
      const record: Record<string, unknown> = {
        time: clock().toISOString(),
        level,
        component: options.component,
        message: truncate(redactor.text(String(message))),
      };
      if (Object.keys(merged).length > 0) record.fields = truncate(redactor.value(merged));
      let line: string;
      try {
        line = `${JSON.stringify(record)}\n`;
      } catch {
        line = `${JSON.stringify({ ...record, fields: '[unserialisable]' })}\n`;
      }
      sink.write(line);
      if (options.mirror !== undefined) {
        try {
          options.mirror.write(line);
        } catch {
          // A closed standard error must not break the caller.
        }
      }
    };
    return {
      error: (message, fields) => emit('error', message, fields),
      warn: (message, fields) => emit('warn', message, fields),
      info: (message, fields) => emit('info', message, fields),
      debug: (message, fields) => emit('debug', message, fields),
      child: (fields) => build({ ...bound, ...fields }),
    };
  };
  return build({});
}
