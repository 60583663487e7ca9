import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { CompanionError } from '../../common/errors/companion-error.js';

export interface GitRun {
  readonly code: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

export interface GitRunOptions {
  readonly cwd: string;
  /** The complete environment: nothing is inherited that is not in here. */
  readonly env: Readonly<Record<string, string>>;
  readonly stdin?: string | Uint8Array;
  readonly gitBinary?: string;
}

/**
 * The one place git is started: an explicit argv (no shell) and an explicit environment, all three
 * streams piped. `runGit` waits for the exit; a long-lived reader (`git cat-file --batch`) keeps
 * the process.
 */
export function spawnGit(
  args: readonly string[],
  options: Omit<GitRunOptions, 'stdin' | 'cwd'> & { readonly cwd?: string },
): ChildProcessWithoutNullStreams {
  return spawn(options.gitBinary ?? 'git', args, {
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    env: options.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    windowsHide: true,
  });
}

/** Runs git to its exit and collects what it wrote. */
export function runGit(args: readonly string[], options: GitRunOptions): Promise<GitRun> {
  return new Promise((resolve, reject) => {
    const child = spawnGit(args, options);
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new CompanionError('GIT_UNAVAILABLE', 'The git command was not found on PATH.', {
              cause: error,
            })
          : error,
      );
    });
    child.on('close', (code) =>
      resolve({ code: code ?? -1, stdout: Buffer.concat(stdout), stderr }),
    );
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');
  });
}

/** Runs git and fails with GIT_ENGINE_FAILED (stderr included, it never holds the token) on a non-zero exit. */
export async function runGitChecked(
  args: readonly string[],
  options: GitRunOptions,
): Promise<Buffer> {
  const result = await runGit(args, options);
  if (result.code !== 0) {
    throw new CompanionError(
      'GIT_ENGINE_FAILED',
      `git ${args[0] ?? ''} failed: ${result.stderr.trim().slice(0, 2000)}`,
      {
        data: { exitCode: result.code },
      },
    );
  }
  return result.stdout;
}

let versionCheck: Promise<string> | undefined;

/**
 * git ≥ 2.37 is needed: GIT_CONFIG_COUNT (2.31) keeps the token off argv, GIT_CONFIG_GLOBAL
 * (2.32) keeps the user's config out, http.curloptResolve (2.37) pins the vetted address — an
 * older git ignores that key silently and would resolve the host again.
 */
export function requireGitVersion(
  env: Readonly<Record<string, string>>,
  cwd: string,
): Promise<string> {
  versionCheck ??= runGit(['--version'], { env, cwd }).then((result) => {
    const match = /git version (\d+)\.(\d+)/.exec(result.stdout.toString());
    const major = Number(match?.[1] ?? 0);
    const minor = Number(match?.[2] ?? 0);
    if (result.code !== 0 || major < 2 || (major === 2 && minor < 37)) {
      throw new CompanionError(
        'GIT_UNAVAILABLE',
        `git 2.37 or newer is needed; found "${result.stdout.toString().trim()}".`,
      );
    }
    return `${major}.${minor}`;
  });
  versionCheck.catch(() => (versionCheck = undefined));
  return versionCheck;
}
