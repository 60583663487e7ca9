import { CompanionError, toErrorShape } from '../../common/errors/companion-error.js';
import type { BridgePolicySettings } from '../../common/models/bridge.js';
import type {
  PushOrigin,
  PushProgress,
  PushRequest,
  PushResult,
} from '../../common/models/push.js';
import type { PlatformFrame } from './bridge-frames.js';
import type { BridgePushStore } from './bridge-push-store.js';
import { matchingPushRule } from './push-rules.js';

type PushFrame = Extract<PlatformFrame, { kind: 'push' }>;

/**
 * The seam to the push use case: the bridge asks exactly as a person at the companion would, with
 * its origin recorded in the history. (Today `core/git/push-service.ts`; the use case of
 * `core/` replaces it without the bridge changing.)
 */
export type BridgePushPort = (
  request: PushRequest,
  options: {
    readonly signal: AbortSignal;
    readonly onProgress: (progress: PushProgress) => void;
    readonly origin: PushOrigin;
  },
) => Promise<PushResult>;

/** A push's answer without its type and id: what is stored, and sent again for the same id. */
export type PushAnswer = Readonly<Record<string, unknown>>;

function answerOf(result: PushResult): PushAnswer {
  return result.kind === 'noop'
    ? {
        ok: true,
        commit: result.parent,
        noop: true,
        attempts: result.attempts,
        engine: result.engine,
      }
    : { ok: true, commit: result.commit, attempts: result.attempts, engine: result.engine };
}

/** Checks a push against the push rules; throws BRIDGE_POLICY_DENIED. */
export function authorizePush(frame: PushFrame, policy: BridgePolicySettings): string {
  const rule = matchingPushRule(policy.push, frame.repo, frame.branch);
  if (rule === undefined) {
    throw new CompanionError(
      'BRIDGE_POLICY_DENIED',
      `No push rule allows ${frame.repo.slice(0, 200)}:${frame.branch.slice(0, 200)}.`,
      { data: { repo: frame.repo.slice(0, 200), branch: frame.branch.slice(0, 200) } },
    );
  }
  return rule;
}

/**
 * Idempotent pushes (BRIDGE.md): one id, one push. The id is claimed durably before pushing and
 * its answer stored before it is sent; the same id again gets the stored answer, or joins the push
 * still running in this process. An id whose process died mid-push is pushed again: put and
 * delete are idempotent, so if the first attempt had landed the second finds nothing to change
 * and answers with the commit already on the branch — the branch never gets it twice.
 */
export class BridgePushRunner {
  private readonly running = new Map<string, Promise<PushAnswer>>();

  constructor(
    private readonly installationId: string,
    private readonly store: BridgePushStore,
    private readonly port: BridgePushPort,
    private readonly now: () => number = Date.now,
  ) {}

  /** Policy refusals throw (answered as `error`); push failures are answers (`ok: false`). */
  run(
    frame: PushFrame,
    policy: BridgePolicySettings,
    signal: AbortSignal,
    onProgress: (progress: PushProgress) => void,
  ): Promise<PushAnswer> {
    authorizePush(frame, policy);
    const joined = this.running.get(frame.id);
    if (joined !== undefined) return joined;
    const state = this.store.claim(this.installationId, frame.id, this.now());
    if (state.kind === 'done') return Promise.resolve(state.result);
    const work = this.execute(frame, signal, onProgress).finally(() =>
      this.running.delete(frame.id),
    );
    this.running.set(frame.id, work);
    return work;
  }

  private async execute(
    frame: PushFrame,
    signal: AbortSignal,
    onProgress: (progress: PushProgress) => void,
  ): Promise<PushAnswer> {
    let answer: PushAnswer;
    try {
      const result = await this.port(
        {
          repo: frame.repo,
          branch: frame.branch,
          message: frame.message,
          changes: frame.changes,
          ...(frame.author === undefined ? {} : { author: frame.author }),
          // Checked by the push itself, as receive-pack's compare-and-swap: a read of the tip
          // before the push would let a writer land in between (docs/bridge.md, "expectedTip").
          ...(frame.expectedTip === undefined ? {} : { expectedTip: frame.expectedTip }),
        },
        { signal, onProgress, origin: { source: 'bridge', requestId: frame.id } },
      );
      answer = answerOf(result);
    } catch (error) {
      // A cancelled push is not an outcome of the id: the platform may send it again.
      if (signal.aborted) throw error;
      answer = { ok: false, error: toErrorShape(error) };
    }
    this.store.finish(this.installationId, frame.id, answer, this.now());
    return answer;
  }
}
