import { randomUUID } from 'node:crypto';
import { oauthScopes } from '../../../common/auth/permission-needs.js';
import type {
  OAuthFlowState,
  OAuthRedirectUris,
  OAuthStart,
  OAuthStartRequest,
} from '../../../common/api/models.js';
import { CompanionError, toErrorShape } from '../../../common/errors/companion-error.js';
import type { SecretStore } from '../../secrets/secret-store.js';
import type { SettingsStore } from '../../settings/settings-store.js';
import { startLoopbackReceiver, type CallbackReceiver } from './callback-receiver.js';
import type { DispatcherFactory } from './oauth-network.js';
import {
  CUSTOM_REDIRECT_URI,
  DEFAULT_OAUTH_PORT,
  redirectUriFor,
  redirectUrisToRegister,
  type RedirectMode,
} from './oauth-redirect.js';
import type { BrowserOpener } from './oauth-sign-in.js';
import { startOAuthSignIn, type StartedOAuthSignIn } from '../../use-cases/sign-in-with-oauth.js';

export interface OAuthFlowsOptions {
  readonly secrets: SecretStore;
  readonly settings: SettingsStore;
  /** `custom` on desktop (main delivers the deep link), `localhost` headless. */
  readonly redirect: RedirectMode;
  readonly port?: number;
  /** Absent when the UI may be on another machine (`serve`): the UI shows the link instead. */
  readonly openBrowser: BrowserOpener | undefined;
  /** Proxy variables (core never reads `process.env` itself). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly createDispatcher?: DispatcherFactory;
  readonly now?: () => number;
  /** How long a flow waits for the browser; 10 minutes by default. */
  readonly timeoutMs?: number;
  /** Every state change, for the `oauth` event of the contract. */
  readonly onChange?: (state: OAuthFlowState) => void;
}

/**
 * The OAuth sign-ins of the UI (desktop and `serve`), in the shape of the CompanionApi contract:
 * `start` prepares and opens, `wait` resolves when the flow ends, `deliver` hands over a callback
 * that arrived outside the loopback listener (the desktop deep link, or a URL the user pasted).
 * One flow at a time: starting another cancels the previous, so an old link can never complete.
 */
export interface OAuthFlows {
  redirectUris(): OAuthRedirectUris;
  start(request: OAuthStartRequest): Promise<OAuthStart>;
  wait(flowId: string): Promise<OAuthFlowState>;
  cancel(flowId: string): Promise<void>;
  /** True when a flow in progress took the URL. */
  deliver(callbackUrl: string): Promise<boolean>;
  close(): Promise<void>;
}

interface Flow {
  readonly id: string;
  readonly abort: AbortController;
  readonly done: Promise<OAuthFlowState>;
  /** False when the URL does not belong to this flow's sign-in (it is then ignored). */
  deliver(url: string): boolean;
}

export const DEFAULT_FLOW_TIMEOUT_MS = 10 * 60 * 1000;
const MAX_FINISHED_FLOWS = 8;

export function createOAuthFlows(options: OAuthFlowsOptions): OAuthFlows {
  const port = options.port ?? DEFAULT_OAUTH_PORT;
  const active = redirectUriFor(options.redirect, port);
  const flows = new Map<string, Flow>();
  const finished: string[] = [];
  let current: Flow | undefined;

  function emit(state: OAuthFlowState): OAuthFlowState {
    options.onChange?.(state);
    return state;
  }

  async function cancel(flowId: string): Promise<void> {
    const flow = flows.get(flowId);
    if (flow === undefined) return;
    flow.abort.abort(new CompanionError('OPERATION_CANCELLED', 'The sign-in was cancelled.'));
    await flow.done;
  }

  async function start(request: OAuthStartRequest): Promise<OAuthStart> {
    if (current !== undefined) await cancel(current.id);
    let loopback: CallbackReceiver | undefined;
    let signIn: StartedOAuthSignIn | undefined;
    try {
      if (options.redirect === 'localhost') loopback = await startLoopbackReceiver(port);
      // The one sign-in path (core/use-cases/sign-in-with-oauth.ts): checks before the browser,
      // keeps what was entered until success or cancel.
      signIn = await startOAuthSignIn(
        {
          settings: options.settings,
          secretStore: options.secrets,
          env: options.env,
          ...(options.createDispatcher === undefined
            ? {}
            : { createDispatcher: options.createDispatcher }),
          ...(options.now === undefined ? {} : { now: options.now }),
        },
        {
          installation: request.installation,
          clientId: request.clientId,
          clientSecret: request.clientSecret,
          redirect: options.redirect,
          redirectUri: active,
          scopes: oauthScopes(request.withWebhooks === true),
        },
      );
      const started = signIn;
      const id = randomUUID();
      const abort = new AbortController();
      let delivered: ((url: string) => void) | undefined;
      const pasted = new Promise<string>((resolve) => {
        delivered = resolve;
      });
      const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_FLOW_TIMEOUT_MS);
      const signal = AbortSignal.any([abort.signal, timeout]);
      const stopped = new Promise<never>((_, reject) => {
        const stop = (): void =>
          reject(
            abort.signal.aborted
              ? abort.signal.reason
              : new CompanionError(
                  'OAUTH_CALLBACK_TIMEOUT',
                  `The browser did not come back to ${active} in time.`,
                  {
                    hint: `If the browser shows a Bitbucket error page, add this exact redirect URI to the Application Link: ${active}`,
                  },
                ),
          );
        if (signal.aborted) stop();
        else signal.addEventListener('abort', stop, { once: true });
      });
      const receiver = loopback;
      const run = async (): Promise<OAuthFlowState> => {
        const callback = await Promise.race([
          pasted,
          stopped,
          ...(receiver === undefined ? [] : [receiver.next(signal, started.belongs)]),
        ]);
        let result;
        try {
          result = await Promise.race([started.complete(callback), stopped]);
        } catch (error) {
          receiver?.settle({ kind: 'failed', error: toErrorShape(error) });
          throw error;
        }
        receiver?.settle({ kind: 'signed-in', user: result.user });
        return {
          kind: 'signed-in',
          flowId: id,
          user: { name: result.user, displayName: undefined },
        };
      };
      const done = run()
        .catch(async (error: unknown): Promise<OAuthFlowState> => {
          // The admin's Cancel forgets what was entered; any other failure keeps it for a retry.
          if (abort.signal.aborted) await started.cancelled();
          return { kind: 'failed', flowId: id, error: toErrorShape(error) };
        })
        .then(async (state) => {
          if (current?.id === id) current = undefined;
          // Finished flows stay answerable by `wait` (the UI may ask after the end); a few only.
          finished.push(id);
          while (finished.length > MAX_FINISHED_FLOWS) flows.delete(finished.shift() ?? '');
          await receiver?.close();
          await started.close();
          return emit(state);
        });
      const flow: Flow = {
        id,
        abort,
        done,
        // A link with another state (any web page can open the custom scheme) must not end the flow.
        deliver: (url) => {
          if (!started.belongs(url)) return false;
          delivered?.(url);
          return true;
        },
      };
      flows.set(id, flow);
      current = flow;
      emit({ kind: 'waiting', flowId: id });
      let opened = false;
      if (options.openBrowser !== undefined) {
        try {
          await options.openBrowser(started.authorizationUrl);
          opened = true;
        } catch {
          // The UI shows the link instead.
        }
      }
      return { flowId: id, redirectUri: active, authorizeUrl: started.authorizationUrl, opened };
    } catch (error) {
      await loopback?.close();
      await signIn?.close();
      throw error;
    }
  }

  return {
    redirectUris: () => ({ uris: redirectUrisToRegister(port), active }),
    start,
    async wait(flowId) {
      const flow = flows.get(flowId);
      if (flow === undefined) {
        throw new CompanionError(
          'APP_OAUTH_FLOW_UNKNOWN',
          'No sign-in with this id is in progress.',
        );
      }
      return flow.done;
    },
    cancel,
    async deliver(callbackUrl) {
      const flow = current;
      if (flow === undefined) return false;
      const text = callbackUrl.trim();
      if (options.redirect === 'custom' && !text.startsWith(CUSTOM_REDIRECT_URI)) return false;
      return flow.deliver(text);
    },
    async close() {
      await Promise.all([...flows.keys()].map((id) => cancel(id)));
    },
  };
}
