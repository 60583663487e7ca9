import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { gitResolvePin } from '../net/git-resolve.js';
import { writeTrustBundle } from '../net/git-tls.js';
import { routeChoice } from '../net/route-choice.js';
import type { EngineAttemptInput } from './engine-attempt.js';
import { gitEnvironment } from './git-environment.js';
import { requireGitVersion } from './git-process.js';
import { classifyTransportError } from './push-failure.js';

/**
 * The hermetic environments every git run of an attempt uses: a private HOME, the trust bundle,
 * and — for the remote one only — the credential through GIT_CONFIG_COUNT, never argv, and the
 * host pinned to its vetted addresses. Checks
 * the installed git is new enough before anything runs.
 */
export async function prepareGitEnvironments(
  input: EngineAttemptInput,
): Promise<{ localEnv: Record<string, string>; remoteEnv: Record<string, string> }> {
  const home = path.join(input.scratchDir, 'home');
  await mkdir(home, { recursive: true, mode: 0o700 });
  const caBundle = await writeTrustBundle(input.scratchDir, input.network.caPems ?? []);
  const envBase = {
    parentEnv: input.network.env,
    home,
    caBundle,
    userAgent: input.userAgent,
  };
  const localEnv = gitEnvironment(envBase);
  await requireGitVersion(localEnv, input.scratchDir);
  // git resolves the host itself; the pin makes it connect to the addresses vetted here.
  const resolve = await gitResolvePin(input.url, input.network).catch((error: unknown) => {
    throw classifyTransportError(error, input.url);
  });
  // The same route the HTTP stack takes for this URL, as explicit git config.
  const choice = await routeChoice(input.url, input.network).catch((error: unknown) => {
    throw classifyTransportError(error, input.url);
  });
  const proxy = choice === undefined ? undefined : choice.kind === 'proxy' ? choice.url : '';
  return {
    localEnv,
    remoteEnv: gitEnvironment({
      ...envBase,
      ...(proxy === undefined ? {} : { proxy }),
      authorization: input.authorization,
      ...(resolve === undefined ? {} : { resolve }),
    }),
  };
}
