import { spawn } from 'node:child_process';

/**
 * Runs git with a clean environment: no user or system config, so the simulator behaves the same
 * on every machine and never picks up a developer's credential helpers or hooks.
 */
export function gitEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? '/tmp',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    LANG: 'C',
    LC_ALL: 'C',
    ...extra,
  };
}

export interface GitResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runGit(
  args: readonly string[],
  options: {
    readonly cwd: string;
    readonly input?: string | Buffer | AsyncIterable<Buffer | string>;
    readonly env?: Readonly<Record<string, string>>;
  },
): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...args], {
      cwd: options.cwd,
      env: gitEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
    // A child that exits early (bad input) closes stdin; the close event reports it.
    child.stdin.on('error', () => undefined);
    const input = options.input;
    if (input === undefined) child.stdin.end();
    else if (typeof input === 'string' || Buffer.isBuffer(input)) child.stdin.end(input);
    else
      void (async () => {
        try {
          for await (const chunk of input) {
            if (!child.stdin.write(chunk)) {
              await new Promise<void>((done) => child.stdin.once('drain', done));
            }
          }
        } finally {
          child.stdin.end();
        }
      })().catch(reject);
  });
}

export async function gitOk(
  args: readonly string[],
  options: Parameters<typeof runGit>[1],
): Promise<string> {
  const result = await runGit(args, options);
  if (result.code !== 0) {
    throw new Error(`git ${args[0] ?? ''} failed (${result.code}): ${result.stderr.trim()}`);
  }
  return result.stdout;
}

/**
 * Runs git and returns stdout as bytes, failing once it exceeds `maxBytes` (the simulator reads
 * what clients ask for, so every read is bounded).
 */
export function gitBytes(
  args: readonly string[],
  options: {
    readonly cwd: string;
    readonly maxBytes: number;
    readonly env?: Readonly<Record<string, string>>;
  },
): Promise<{ readonly code: number; readonly stdout: Buffer; readonly stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...args], {
      cwd: options.cwd,
      env: gitEnv(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let over = false;
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > options.maxBytes) {
        over = true;
        child.kill();
        return;
      }
      out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (over) {
        reject(new Error(`git ${args[0] ?? ''} produced more than ${options.maxBytes} bytes`));
        return;
      }
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}
