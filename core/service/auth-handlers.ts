import type {
  AuthStatus,
  InstallationRef,
  PatSignInRequest,
  PatSignInResult,
  SecretStoreInfo,
} from '../../common/api/models.js';
import { readAuthStatus } from '../use-cases/read-auth-status.js';
import { signInWithPat } from '../use-cases/sign-in-with-pat.js';
import { signOut } from '../use-cases/sign-out.js';
import type { OperationHandlers } from './companion-service.js';
import type { ServicePorts } from './service-ports.js';

/** PAT sign-in, auth status and sign-out. The token goes in and is never returned. */
export function authHandlers(ports: ServicePorts): OperationHandlers {
  const { settings, secretStore, events, env } = ports;
  const storeInfo: SecretStoreInfo = {
    backend: secretStore.backend,
    persistent: secretStore.persistent,
    osProtected: secretStore.osProtected,
  };

  return {
    async signInWithPat(request: PatSignInRequest): Promise<PatSignInResult> {
      const { verification } = await signInWithPat(
        { settings, secretStore, env, now: ports.now, logger: ports.logger },
        {
          installation: request.installation,
          token: request.token,
          ...(request.requireProjects ? { requireProjects: request.requireProjects } : {}),
        },
      );
      events.emit({ kind: 'installations-changed' });
      return {
        user: { name: verification.user, displayName: verification.displayName },
        projects: verification.projects,
        projectKeys: verification.projectKeys,
      };
    },

    async getAuthStatus(request: InstallationRef): Promise<AuthStatus> {
      const status = await readAuthStatus(
        { settings, secretStore, env },
        { installation: request.installation },
      );
      const auth = status.installation.auth;
      switch (auth.kind) {
        case 'none':
          return { kind: 'none', secretStore: storeInfo };
        case 'pat':
          return {
            kind: 'pat',
            user: auth.user,
            verifiedAt: auth.verifiedAt,
            secretStore: storeInfo,
          };
        case 'oauth':
          return {
            kind: 'oauth',
            user: status.user ?? auth.user,
            clientId: auth.clientId,
            expiresAt: status.expiresAt,
            secretStore: storeInfo,
          };
        default: {
          const never: never = auth;
          return never;
        }
      }
    },

    async signOut(request: InstallationRef): Promise<void> {
      await signOut(
        { settings, secretStore, env, logger: ports.logger },
        { installation: request.installation },
      );
      events.emit({ kind: 'installations-changed' });
    },
  };
}
