import type { CatalogueSection } from '../catalogue-entry.js';

/** Codes of the push capability. */
export const pushCodes = {
  PATH_INVALID: {
    cause:
      'A path in the change set is not a clean relative path inside the repository, or git itself refuses it: an empty, `.` or `..` segment, `.git` in any spelling Windows or macOS resolves to it (`.git.`, `GIT~1`, `.git::$INDEX_ALLOCATION`, `.git` with invisible Unicode characters), NUL, a control character, a backslash, a duplicate, a case-only clash, or a file/folder collision.',
    fix: 'Use forward-slash relative paths such as `apps/web/values.yaml`, each once, matching the case of existing files; the rules are in docs/git-path-rules.md.',
  },
  GITMODULES_INVALID: {
    cause:
      'A `.gitmodules` file in the push breaks the rules git fsck applies to its content: a submodule name that is empty or has a `..` component, a url or path starting with `-`, or `update = !command`. Servers that check objects refuse such a push, and an older git cloning it could run a command or write outside the submodule folder.',
    fix: 'Correct the `.gitmodules` content (the rules are in docs/git-path-rules.md, ".gitmodules content") and push again.',
  },
  BRANCH_HAS_INVALID_PATH: {
    cause:
      'The branch already contains an entry git refuses (for example `.git.` or `GIT~1`, written by another tool or an older companion) in a folder this push changes; no commit can be built there, and pushing again fails the same way.',
    fix: 'Remove or rename that entry on the branch first (docs/git-path-rules.md shows how with git on Linux), then push again.',
  },
  PUSH_REQUEST_INVALID: {
    cause:
      'The push request is incomplete or malformed (repository, branch, message, author or changes).',
    fix: 'Give `--repo PROJECT/slug`, `--branch`, `--message` and at least one `--put` or `--delete`; the author as "Name <email>".',
    fixGui: 'Give the repository as PROJECT/slug, a branch, a message and at least one file.',
  },
  REPOSITORY_NOT_FOUND: {
    cause:
      'Bitbucket answered that the repository does not exist or is not visible to this credential.',
    fix: 'Check the project key and repository slug, and that the signed-in user can see the repository.',
  },
  BRANCH_NOT_FOUND: {
    cause: 'The branch to push to (or to create it from) does not exist in the repository.',
    fix: 'Check the branch name, or pass the branch to create it from (`createFrom`).',
    fixCli:
      'Check the branch name, or name the branch to create it from with --create-from BRANCH.',
    fixGui:
      'Check the branch name: the test push writes to a branch that exists in the repository.',
  },
  PUSH_AUTH_FAILED: {
    cause: 'Bitbucket refused the credential (HTTP 401): the token is wrong, expired or revoked.',
    fix: 'Sign in again with `bdc-companion auth pat <name> --token-stdin` or `auth oauth`.',
    fixGui: 'Sign in again: Installations → Sign in….',
  },
  PUSH_PERMISSION_DENIED: {
    cause: 'The credential is valid but may not write to this repository (HTTP 403).',
    fix: 'Give the token (or its user) Repositories: Write (REPO_WRITE) on the repository, or use a token that has it; with OAuth, the Application Link needs Repositories: Write too.',
  },
  HOOK_REJECTED: {
    cause:
      'Bitbucket refused the update in a pre-receive hook, for example a pull-request-only branch permission; its text is in the message.',
    fix: 'Do what the Bitbucket message asks (for example push to another branch and open a pull request), or ask the project admin to exempt this user.',
  },
  PUSH_CONFLICT_EXHAUSTED: {
    cause:
      'Others kept moving the branch: every attempt to land the commit on the latest tip was overtaken.',
    fix: 'Push again in a moment; if it keeps happening, reduce concurrent writers to the branch.',
  },
  PUSH_TIP_MOVED: {
    cause:
      'The push was to land only on a given commit (the expected tip, `expectedTip` of a bridge push), and the branch was elsewhere or gone when Bitbucket received it; nothing was pushed and nothing was retried.',
    fixGui:
      'Nothing to change here: the platform reads the branch tip named in the message and sends its change again on top of it.',
    fixCli:
      'Nothing to change on the companion: the platform reads the branch tip named in the message and sends its change again; `history --installation <name>` shows the refused push.',
    fix: 'The caller reads the branch tip named in the message and sends its change again on top of it.',
  },
  PUSH_REJECTED: {
    cause:
      'Bitbucket refused the update for a reason other than a hook or a conflict (for example a failed unpack).',
    fix: 'Read the reason in the message; run the push again, and check the repository on the server if it repeats.',
  },
  PUSH_TLS_FAILED: {
    cause:
      'The TLS connection to Bitbucket could not be verified (unknown CA, wrong host name or expired certificate).',
    fix: 'Trust the private CA of the instance (`installation add --ca-file`) and check the server certificate.',
    fixGui:
      "Trust the instance's private CA (Installations → Replace the private CAs) and check the server certificate.",
  },
  PUSH_NETWORK_FAILED: {
    cause:
      'The connection to Bitbucket failed or it answered with a server error on every attempt.',
    fix: 'Check that the instance is reachable from this machine (`bdc-companion probe <url>`) and try again.',
    fixGui:
      'Check that the instance is reachable from this machine (probe it in the Setup wizard) and try again.',
  },
  PUSH_PROTOCOL_FAILED: {
    cause:
      'Bitbucket answered the Git request with something that is not the Git protocol (for example an HTML login page from a proxy).',
    fix: 'Check the instance URL and that no single-sign-on proxy sits in front of `/scm`.',
  },
  PUSH_LOCK_TIMEOUT: {
    cause:
      'Another push to the same repository (in this or another companion process) held the repository lock for too long.',
    fix: 'Wait for the other push to finish, then try again.',
  },
  GIT_UNAVAILABLE: {
    cause:
      'The git command-line engine was needed but no usable `git` (2.37 or newer, which can be pinned to the vetted address) was found.',
    fix: 'Install git 2.37 or newer and make sure it is on PATH, or force `--engine isomorphic-git`.',
    fixGui:
      'Install git 2.37 or newer on this machine, or choose the isomorphic-git engine for this push.',
  },
  GIT_ENGINE_FAILED: {
    cause: 'A local git operation of the push engine failed unexpectedly.',
    fix: 'Run the push again; the clone cache entry is rebuilt. Send `bdc-companion diagnose` if it repeats.',
    fixGui:
      'Run the push again; the clone cache entry is rebuilt. Send the Diagnostics bundle if it repeats.',
  },
  PUSH_NOT_SIGNED_IN: {
    cause: 'The installation has no credential to push with.',
    fix: 'Sign in first with `bdc-companion auth pat <name> --token-stdin` or `auth oauth <name>`.',
    fixGui: 'Sign in first: Installations → Sign in… (or Continue setup).',
  },
} as const satisfies CatalogueSection;
