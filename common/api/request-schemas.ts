import { CompanionError } from '../errors/companion-error.js';
import type { OperationName, OperationRequest } from './companion-api.js';
import { arr, bool, int, literal, num, obj, opt, str, tagged, type Schema } from './schema.js';
import type { InstallationUpdate } from './models.js';

const PEM_MAX = 64 * 1024;
const pem = str({ max: PEM_MAX, min: 1 });
const url = str({ max: 2048, min: 1 });
const name = str({ max: 200, min: 1 });
const ref = { installation: name };
const repoPath = str({ max: 300, pattern: /^[^/\s]+\/[^/\s]+$/ });
const flowId = { flowId: str({ max: 200, min: 1 }) };

const platform = obj({
  baseUrl: url,
  installationId: str({ max: 200, min: 1 }),
  caPems: opt(arr(pem, { max: 10 })),
});

type ArgsSchemas = { readonly [K in OperationName]: Schema<OperationRequest<K>> };

const none: Schema<[]> = (value, path) => {
  if (value !== undefined) throw new CompanionError('INPUT_INVALID', `${path} takes no request`);
  return [];
};

function one<T>(schema: Schema<T>): Schema<[T]> {
  return (value, path) => [schema(value, path)];
}

/**
 * The argument schema of every operation. Main (IPC) and `serve` (HTTP) run these on every call
 * before the service sees the request, so a compromised renderer or a cross-site page can only
 * send well-formed, bounded input.
 */
const ARGS: ArgsSchemas = {
  getAppInfo: none,
  probe: one(
    obj({
      url,
      caPems: opt(arr(pem, { max: 10 })),
      allowLoopback: opt(bool),
      allowPartialChain: opt(bool),
      runId: opt(str({ max: 100 })),
    }),
  ),
  checkCa: one(obj({ pem, allowIntermediate: opt(bool) })),
  listInstallations: none,
  addInstallation: one(
    obj({
      name: str({ max: 64, min: 1 }),
      baseUrl: url,
      caPems: opt(arr(pem, { max: 10 })),
      allowLoopback: opt(bool),
      allowPartialChain: opt(bool),
      platform: opt(platform),
    }),
  ),
  updateInstallation: one(
    obj({
      ...ref,
      caPems: opt(arr(pem, { max: 10 })),
      allowPartialChain: opt(bool),
      platform: opt(platform),
      relay: opt(
        obj({
          enabled: opt(bool),
          listen: opt(str({ max: 300, min: 1 })),
          publicUrl: opt(str({ max: 2048 })),
          tls: opt(
            tagged<NonNullable<NonNullable<InstallationUpdate['relay']>['tls']>>({
              files: obj({
                kind: literal('files'),
                certFile: str({ max: 4096, min: 1 }),
                keyFile: str({ max: 4096, min: 1 }),
              }),
              none: obj({ kind: literal('none') }),
            }),
          ),
        }),
      ),
    }),
  ),
  removeInstallation: one(obj(ref)),
  getAuthStatus: one(obj(ref)),
  signInWithPat: one(
    obj({
      ...ref,
      token: str({ max: 4096, min: 1 }),
      requireProjects: opt(arr(str({ max: 128, min: 1 }), { max: 100 })),
    }),
  ),
  getOAuthRedirectUris: one(obj(ref)),
  startOAuth: one(
    obj({ ...ref, clientId: str({ max: 512, min: 1 }), clientSecret: str({ max: 4096, min: 1 }) }),
  ),
  awaitOAuth: one(obj(flowId)),
  cancelOAuth: one(obj(flowId)),
  signOut: one(obj(ref)),
  testPush: one(
    obj({
      ...ref,
      repo: repoPath,
      branch: str({ max: 250, min: 1 }),
      message: str({ max: 10_000, min: 1 }),
      author: opt(obj({ name: str({ max: 200, min: 1 }), email: str({ max: 320, min: 1 }) })),
      put: arr(obj({ path: str({ max: 1024, min: 1 }), content: str({ max: 1024 * 1024 }) }), {
        max: 200,
      }),
      delete: arr(str({ max: 1024, min: 1 }), { max: 200 }),
      engine: opt(literal('auto', 'isomorphic-git', 'git')),
      runId: opt(str({ max: 100 })),
    }),
  ),
  queryHistory: one(
    obj({
      installation: opt(name),
      repo: opt(str({ max: 300 })),
      result: opt(literal('ok', 'failed')),
      limit: opt(int({ min: 1, max: 1000 })),
    }),
  ),
  getRelayStatus: one(obj(ref)),
  getRelayEndpoint: one(obj(ref)),
  startRelay: one(obj(ref)),
  stopRelay: one(obj(ref)),
  listDeliveries: one(
    obj({
      ...ref,
      state: opt(literal('pending', 'delivered', 'dead')),
      limit: opt(int({ min: 1, max: 1000 })),
    }),
  ),
  replayDeliveries: one(
    obj({ ...ref, ids: opt(arr(int({ min: 1 }), { max: 1000 })), dead: opt(bool) }),
  ),
  listProjects: one(obj(ref)),
  listRepositories: one(obj({ ...ref, project: opt(str({ max: 128, min: 1 })) })),
  registerWebhooks: one(obj({ ...ref, repos: arr(repoPath, { min: 1, max: 200 }), url })),
  unregisterWebhooks: one(obj({ ...ref, repos: arr(repoPath, { min: 1, max: 200 }) })),
  setWebhookSecret: one(obj({ ...ref, secret: str({ max: 1024, min: 16 }) })),
  rotateWebhookSecret: one(obj({ ...ref, secret: str({ max: 1024, min: 16 }) })),
  getSettings: none,
  updateSettings: one(
    obj({
      cacheExpiryMinutes: opt(num({ min: 1, max: 24 * 60 })),
      cacheMaxGiB: opt(num({ min: 0.1, max: 1024 })),
      fallbackThresholdMb: opt(num({ min: 1, max: 100_000 })),
    }),
  ),
  runDiagnostics: none,
};

/**
 * Validates the positional arguments of one call. Operations take at most one request object, so
 * anything beyond it is refused rather than silently dropped.
 */
export function validateArguments<K extends OperationName>(
  operation: K,
  args: readonly unknown[],
): OperationRequest<K> {
  if (args.length > 1) {
    throw new CompanionError('INPUT_INVALID', `${operation} takes at most one request object`);
  }
  const schema = ARGS[operation] as Schema<OperationRequest<K>>;
  return schema(args[0], operation);
}
