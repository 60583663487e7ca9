import { existsSync, writeFileSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gitOk } from './git-process.js';
import { contentStream, type GeneratedContent, readyContentStream } from './repo-content.js';

/**
 * Bare repositories on disk, laid out as `{root}/{project lower-case}/{slug}.git` so the URL path
 * `/scm/{project}/{slug}.git` maps straight onto `GIT_PROJECT_ROOT`.
 */
export const PR_ONLY_FILE = 'bdc-sim-pull-request-only';
export const PUSH_LOG_ENV = 'BDC_SIM_PUSH_LOG';

/**
 * pre-receive: BDC's "Prevent changes without a pull request" branch permission, with the banner
 * of a real BDC transcript (docs/bdc-api-facts.md §5). A non-zero exit makes receive-pack answer
 * `ng <ref> pre-receive hook declined`.
 */
const preReceiveHook = `#!/bin/sh
restricted="$GIT_DIR/${PR_ONLY_FILE}"
status=0
while read old new ref; do
  if [ -f "$restricted" ] && grep -qxF "$ref" "$restricted"; then
    echo "----------------------------------------------------"
    echo "Branch $ref can only be modified through pull requests."
    echo "Check your branch permissions configuration with the project administrator."
    echo "----------------------------------------------------"
    status=1
  fi
done
exit $status
`;

/** post-receive: hands the accepted ref updates to the simulator, which fires the webhooks. */
const postReceiveHook = `#!/bin/sh
if [ -n "$${PUSH_LOG_ENV}" ]; then
  cat > "$${PUSH_LOG_ENV}"
else
  cat > /dev/null
fi
`;

export async function installHooks(hooksDir: string): Promise<void> {
  await mkdir(hooksDir, { recursive: true });
  for (const [name, text] of [
    ['pre-receive', preReceiveHook],
    ['post-receive', postReceiveHook],
  ] as const) {
    const file = join(hooksDir, name);
    await writeFile(file, text);
    await chmod(file, 0o755);
  }
}

export function repositoryPath(root: string, project: string, slug: string): string {
  return join(root, project.toLowerCase(), `${slug}.git`);
}

export async function initBareRepository(
  path: string,
  options: { readonly hooksDir: string; readonly defaultBranch: string },
): Promise<boolean> {
  if (existsSync(join(path, 'HEAD'))) return false;
  await mkdir(path, { recursive: true });
  await gitOk(['init', '--quiet', '--bare', `--initial-branch=${options.defaultBranch}`, '.'], {
    cwd: path,
  });
  // Force pushes and history rewrites are refused, like BDC with "Reject Force Push" on.
  const settings: [string, string][] = [
    ['core.hooksPath', options.hooksDir],
    ['receive.denyNonFastForwards', 'true'],
    ['http.receivepack', 'true'],
    ['http.uploadpack', 'true'],
    ['uploadpack.allowFilter', 'true'],
    ['gc.auto', '0'],
  ];
  for (const [key, value] of settings) await gitOk(['config', key, value], { cwd: path });
  return true;
}

/** Fills an empty repository with one commit on `branch` through `git fast-import` (fast). */
export async function fillRepository(
  path: string,
  branch: string,
  content: GeneratedContent | 'ready',
  now: number,
): Promise<void> {
  const stream =
    content === 'ready' ? readyContentStream(branch, now) : contentStream(branch, content, now);
  // Fast zlib: generation speed matters more than a few MiB on disk for benchmark repositories.
  await gitOk(['-c', 'pack.compression=1', 'fast-import', '--quiet', '--done'], {
    cwd: path,
    input: stream,
  });
}

/** "Someone else pushed": adds a commit on top of `branch` without going through receive-pack. */
export async function addForeignCommit(path: string, branch: string, now: number): Promise<string> {
  const ref = `refs/heads/${branch}`;
  const tip = (await gitOk(['rev-parse', '--verify', '--quiet', ref], { cwd: path })).trim();
  const seconds = Math.floor(now / 1000);
  const text = `concurrent change at ${new Date(now).toISOString()} ${Math.random()}\n`;
  const message = 'Concurrent change by another user\n';
  const stream = [
    `commit ${ref}`,
    `author Other Person <other@example.com> ${seconds} +0000`,
    `committer Other Person <other@example.com> ${seconds} +0000`,
    `data ${Buffer.byteLength(message)}`,
    message,
    `from ${tip}`,
    `M 100644 inline concurrent/${seconds}-${process.hrtime.bigint()}.txt`,
    `data ${Buffer.byteLength(text)}`,
    text,
    'done',
    '',
  ].join('\n');
  await gitOk(['fast-import', '--quiet', '--done'], { cwd: path, input: stream });
  return (await gitOk(['rev-parse', ref], { cwd: path })).trim();
}

export async function branchTip(path: string, branch: string): Promise<string | undefined> {
  try {
    const out = await gitOk(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], {
      cwd: path,
    });
    return out.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Synchronous so a restriction is in force before `restrictBranch` returns. */
export function writePullRequestOnlySync(path: string, branches: Iterable<string>): void {
  const lines = [...branches].map((branch) =>
    branch.startsWith('refs/') ? branch : `refs/heads/${branch}`,
  );
  writeFileSync(join(path, PR_ONLY_FILE), lines.length ? `${lines.join('\n')}\n` : '');
}
