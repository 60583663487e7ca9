import type { PushProgress } from '../../common/models/push.js';
import type { EngineAttemptInput, EngineAttemptResult } from './engine-attempt.js';
import type { AttemptFailureShape } from './push-failure.js';

export interface WorkerRequest {
  readonly id: number;
  readonly input: EngineAttemptInput;
}

export type WorkerReply =
  | { readonly id: number; readonly kind: 'progress'; readonly progress: PushProgress }
  | { readonly id: number; readonly kind: 'result'; readonly result: EngineAttemptResult }
  | { readonly id: number; readonly kind: 'error'; readonly error: AttemptFailureShape };
