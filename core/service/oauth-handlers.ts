import type { InstallationRef, OAuthFlowRef, OAuthStartRequest } from '../../common/api/models.js';
import { createOAuthFlows, type OAuthFlows } from '../auth/oauth/oauth-flows.js';
import type { OperationHandlers } from './companion-service.js';
import type { ServicePorts } from './service-ports.js';

export interface OAuthHandlers {
  readonly handlers: OperationHandlers;
  /** The desktop's deep link (or a pasted callback URL) handed to the flow in progress. */
  deliver(url: string): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * OAuth 2.0 sign-in for the UI: the redirect URIs to register, start (PKCE + state; the desktop
 * opens the browser itself, `serve` lets the page show the link), wait, cancel. The client
 * secret goes into the secret store; nothing secret comes back.
 */
export function oauthHandlers(
  ports: ServicePorts,
  options: { readonly port?: number } = {},
): OAuthHandlers {
  const flows: OAuthFlows = createOAuthFlows({
    secrets: ports.secretStore,
    settings: ports.settings,
    redirect: ports.oauthRedirect,
    ...(options.port === undefined ? {} : { port: options.port }),
    openBrowser: ports.openBrowser,
    env: ports.env,
    onChange: (state) => {
      ports.events.emit({ kind: 'oauth', state });
      if (state.kind === 'signed-in') ports.events.emit({ kind: 'installations-changed' });
    },
  });
  return {
    handlers: {
      async getOAuthRedirectUris(request: InstallationRef) {
        ports.settings.requireInstallation(request.installation);
        return flows.redirectUris();
      },
      startOAuth: (request: OAuthStartRequest) => flows.start(request),
      awaitOAuth: (request: OAuthFlowRef) => flows.wait(request.flowId),
      cancelOAuth: (request: OAuthFlowRef) => flows.cancel(request.flowId),
    },
    deliver: (url) => flows.deliver(url),
    close: () => flows.close(),
  };
}
