import type { DiscoveredBranch } from './branch-discovery.js';
import type { PushChange, PushChangeKind, PushProgress } from '../../common/models/push.js';
import type { NetworkOptions } from '../net/network-options.js';

/** Who made a commit and when, exactly as both engines write it (for byte-identical commits). */
export interface CommitSignature {
  readonly name: string;
  readonly email: string;
  /** Seconds since the epoch. */
  readonly timestamp: number;
  /** Minutes east of UTC (`+0200` is 120). */
  readonly offsetMinutes: number;
}

/**
 * One attempt of one push, as an engine runs it on its cache entry: discover the tip, fetch what
 * is missing, build exactly one commit on the tip, send it as a fast-forward. Plain data only:
 * the isomorphic-git engine receives it in a worker thread.
 */
export interface EngineAttemptInput {
  readonly gitdir: string;
  /** The entry is new and empty: clone (depth 1) rather than fetch incrementally. */
  readonly cold: boolean;
  /** The clone URL, without credentials. */
  readonly url: string;
  readonly branch: string;
  readonly createFrom?: string;
  /**
   * Land only on exactly this commit (expected-tip.ts): the branch must exist and be here, the
   * commit is built on it and sent with it as receive-pack's old id; anywhere else is refused.
   */
  readonly expectedBase?: string;
  readonly changes: readonly PushChange[];
  readonly message: string;
  readonly author: CommitSignature;
  readonly committer: CommitSignature;
  /** The `Authorization` header value; never logged, never on a command line. */
  readonly authorization: string;
  readonly network: NetworkOptions;
  readonly userAgent: string;
  readonly attempt: number;
  /**
   * The previous attempt lost a race: the branch exists and the credential may write, so ref
   * discovery can be skipped — with `knownTip` both engines build on it at once; without, the
   * isomorphic-git engine goes straight to its incremental fetch, whose own ref listing gives the
   * newest tip. One round trip less between reading the tip and updating it is a smaller window
   * to lose again.
   */
  readonly afterConflict?: boolean;
  /**
   * Where the previous attempt's refusal said the branch stands (`movedTip`): the attempt builds
   * on it without asking the server again, and fetches only that tip's new objects.
   */
  readonly knownTip?: string;
  /**
   * Where the branch stood when the push started, asked before the engine was loaded
   * (push-operation.ts, `earlyDiscovery`): the first attempt builds on it without asking again.
   */
  readonly discovered?: DiscoveredBranch;
  /** isomorphic-git engine: let git make the cold clone when git is available. */
  readonly coldCloneWithGit?: boolean;
  /** Where the git CLI engine keeps its CA bundle and empty HOME. */
  readonly scratchDir: string;
}

export type EngineAttemptResult =
  | {
      readonly kind: 'committed';
      readonly commit: string;
      readonly parent: string;
      readonly paths: readonly { readonly path: string; readonly kind: PushChangeKind }[];
    }
  | { readonly kind: 'noop'; readonly parent: string };

export type ProgressSink = (progress: PushProgress) => void;

/** Git wants one trailing newline; both engines get the same bytes. */
export function normaliseMessage(message: string): string {
  return `${message.replace(/\s+$/, '')}\n`;
}
