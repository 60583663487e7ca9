import { classifyStatus, failure, type AttemptFailure } from './push-failure.js';

/** Classifies git's stderr when no ref report came back (transport-level failures). */
export function classifyGitTransport(stderr: string, what: string): AttemptFailure {
  const status = /The requested URL returned error: (\d{3})/.exec(stderr)?.[1];
  if (status !== undefined) return classifyStatus(Number(status), what);
  if (/Authentication failed|could not read Username|terminal prompts disabled/i.test(stderr)) {
    return classifyStatus(401, what);
  }
  if (
    /SSL certificate problem|server certificate verification failed|SSL: no alternative certificate|certificate subject name/i.test(
      stderr,
    )
  ) {
    return failure(
      'fatal',
      'PUSH_TLS_FAILED',
      `git could not verify the TLS certificate of ${what}.`,
    );
  }
  if (/repository '.*' not found|not found: did you run git update-server-info/i.test(stderr))
    return classifyStatus(404, what);
  if (
    /RPC failed|early EOF|Connection reset|Failed to connect|Could not resolve host|timed out|Empty reply|unexpected disconnect|HTTP\/2 stream|Recv failure|Send failure/i.test(
      stderr,
    )
  ) {
    return failure(
      'transient',
      'PUSH_NETWORK_FAILED',
      `The connection for ${what} failed: ${lastLine(stderr)}`,
    );
  }
  return failure('fatal', 'GIT_ENGINE_FAILED', `git failed for ${what}: ${lastLine(stderr)}`);
}

export function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return (lines[lines.length - 1] ?? '').slice(0, 500);
}
