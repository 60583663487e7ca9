import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../cli/main.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const binPath = fileURLToPath(new URL('../../bin/bdc-companion.js', import.meta.url));

/** Runs the CLI in-process with captured streams: fast, and exercises the real parser. */
export async function runCliInProcess(
  argv: readonly string[],
  options: { stdin?: string; env?: Record<string, string | undefined> } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const controller = new AbortController();
  const code = await runCli(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    stdin: Readable.from([options.stdin ?? '']),
    env: options.env ?? {},
    stopSignal: controller.signal,
  });
  return { code, stdout, stderr };
}

/** Runs the installed bin as a real process (needs `npm run build`), as users and scripts do. */
export function runCliProcess(
  argv: readonly string[],
  options: { stdin?: string; env?: Record<string, string | undefined> } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, ...argv], {
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}
