import * as Type from 'typebox/type';
import { type Static, type TSchema } from 'typebox';
import { Check, Errors } from 'typebox/value';
import { CompanionError } from '../errors/companion-error.js';
import { PemTextSchema } from '../models/installation.js';
import { NO_PROXY_MAX_CHARS } from '../models/network.js';
import { MAX_WATCH_INTERVAL_SECONDS } from '../models/watch.js';
import type { OperationName, OperationRequest } from './companion-api.js';
import {
  InstallationDraftSchema,
  InstallationRefSchema,
  InstallationUpdateSchema,
  PemListRequestSchema,
  UrlTextSchema,
} from './installation-requests.js';

/**
 * The argument schema of every operation, as JSON schemas (TypeBox). Main (IPC) and `serve`
 * (HTTP) run these on every call before the service sees the request, so a compromised renderer
 * or a cross-site page can only send well-formed, bounded input: every string, list and number is
 * bounded and unknown keys are refused, not ignored.
 *
 * Each entry is typed against the operation's request in `CompanionOperations`, so a schema that
 * lets through something the handler does not expect fails to compile.
 */

const text = (maxLength: number, minLength = 1) => Type.String({ minLength, maxLength });
const object = <P extends Parameters<typeof Type.Object>[0]>(properties: P) =>
  Type.Object(properties, { additionalProperties: false });
const ref = InstallationRefSchema.properties;
const repoPath = Type.String({ maxLength: 300, pattern: '^[^/\\s]+/[^/\\s]+$' });
const flowId = object({ flowId: text(200) });
const limit = Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 }));
const webhookSecret = object({ ...ref, secret: text(1024, 16) });

/** Checks the positional arguments of one operation and returns them as the handler takes them. */
type ArgumentsCheck<T> = (args: readonly unknown[], operation: string) => T;

const none: ArgumentsCheck<[]> = (args, operation) => {
  if (args[0] !== undefined)
    throw new CompanionError('INPUT_INVALID', `${operation} takes no request`);
  return [];
};

function one<S extends TSchema>(schema: S): ArgumentsCheck<[Static<S>]> {
  return (args, operation) => [checked(schema, args[0], operation)];
}

const ARGS: { readonly [K in OperationName]: ArgumentsCheck<OperationRequest<K>> } = {
  getAppInfo: none,
  probe: one(
    object({
      url: UrlTextSchema,
      caPems: Type.Optional(PemListRequestSchema),
      allowLoopback: Type.Optional(Type.Boolean()),
      allowPartialChain: Type.Optional(Type.Boolean()),
      runId: Type.Optional(text(100, 0)),
    }),
  ),
  checkCa: one(object({ pem: PemTextSchema, allowIntermediate: Type.Optional(Type.Boolean()) })),
  listInstallations: none,
  addInstallation: one(InstallationDraftSchema),
  updateInstallation: one(InstallationUpdateSchema),
  removeInstallation: one(InstallationRefSchema),
  getAuthStatus: one(InstallationRefSchema),
  signInWithPat: one(
    object({
      ...ref,
      token: text(4096),
      requireProjects: Type.Optional(Type.Array(text(128), { maxItems: 100 })),
    }),
  ),
  getOAuthRedirectUris: one(InstallationRefSchema),
  startOAuth: one(
    object({
      ...ref,
      clientId: text(512),
      clientSecret: text(4096),
      withWebhooks: Type.Optional(Type.Boolean()),
    }),
  ),
  awaitOAuth: one(flowId),
  cancelOAuth: one(flowId),
  signOut: one(InstallationRefSchema),
  testPush: one(
    object({
      ...ref,
      repo: repoPath,
      branch: text(250),
      message: text(10_000),
      author: Type.Optional(object({ name: text(200), email: text(320) })),
      put: Type.Array(object({ path: text(1024), content: text(1024 * 1024, 0) }), {
        maxItems: 200,
      }),
      delete: Type.Array(text(1024), { maxItems: 200 }),
      engine: Type.Optional(
        Type.Union([Type.Literal('auto'), Type.Literal('isomorphic-git'), Type.Literal('git')]),
      ),
      runId: Type.Optional(text(100, 0)),
    }),
  ),
  queryHistory: one(
    object({
      installation: Type.Optional(ref.installation),
      repo: Type.Optional(text(300, 0)),
      result: Type.Optional(Type.Union([Type.Literal('ok'), Type.Literal('failed')])),
      limit,
    }),
  ),
  getRelayStatus: one(InstallationRefSchema),
  getRelayEndpoint: one(InstallationRefSchema),
  startRelay: one(InstallationRefSchema),
  stopRelay: one(InstallationRefSchema),
  listDeliveries: one(
    object({
      ...ref,
      state: Type.Optional(
        Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('dead')]),
      ),
      limit,
    }),
  ),
  replayDeliveries: one(
    object({
      ...ref,
      ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 1000 })),
      dead: Type.Optional(Type.Boolean()),
    }),
  ),
  configureWatch: one(
    object({
      ...ref,
      repositories: Type.Optional(Type.Array(repoPath, { maxItems: 1000 })),
      projects: Type.Optional(Type.Array(text(255), { maxItems: 1000 })),
      // Bounded here; the exact range is the use case's, so a wrong value gets its own code
      // (WATCH_INTERVAL_INVALID) and words, as on the command line.
      intervalSeconds: Type.Optional(
        Type.Number({ minimum: 0, maximum: 10 * MAX_WATCH_INTERVAL_SECONDS }),
      ),
      off: Type.Optional(Type.Boolean()),
    }),
  ),
  listProjects: one(InstallationRefSchema),
  listRepositories: one(object({ ...ref, project: Type.Optional(text(128)) })),
  registerWebhooks: one(
    object({
      ...ref,
      repos: Type.Array(repoPath, { minItems: 1, maxItems: 200 }),
      url: UrlTextSchema,
    }),
  ),
  unregisterWebhooks: one(
    object({ ...ref, repos: Type.Array(repoPath, { minItems: 1, maxItems: 200 }) }),
  ),
  setWebhookSecret: one(webhookSecret),
  rotateWebhookSecret: one(webhookSecret),
  getBridgeStatus: one(InstallationRefSchema),
  updateBridgePolicy: one(
    object({
      ...ref,
      allowPush: Type.Optional(Type.Array(text(600), { maxItems: 50 })),
      denyPush: Type.Optional(Type.Array(text(600), { maxItems: 50 })),
      readProjects: Type.Optional(Type.Array(text(128), { maxItems: 100 })),
      allProjects: Type.Optional(Type.Boolean()),
    }),
  ),
  setBridgeToken: one(object({ ...ref, token: text(4096) })),
  getSettings: none,
  updateSettings: one(
    object({
      cacheExpiryMinutes: Type.Optional(Type.Number({ minimum: 1, maximum: 24 * 60 })),
      cacheMaxGiB: Type.Optional(Type.Number({ minimum: 0.1, maximum: 1024 })),
      fallbackThresholdMb: Type.Optional(Type.Number({ minimum: 1, maximum: 100_000 })),
    }),
  ),
  getNetwork: none,
  updateNetwork: one(
    object({
      proxy: Type.Union([
        object({ kind: Type.Literal('auto') }),
        object({ kind: Type.Literal('direct') }),
        object({ kind: Type.Literal('pac'), url: UrlTextSchema }),
        object({
          kind: Type.Literal('manual'),
          url: UrlTextSchema,
          noProxy: Type.Optional(text(NO_PROXY_MAX_CHARS, 0)),
          username: Type.Optional(text(256)),
          password: Type.Optional(text(1024, 0)),
          keepCredentials: Type.Optional(Type.Boolean()),
        }),
      ]),
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
  return ARGS[operation](args, operation);
}

/**
 * The value if it matches, without keys set to `undefined` (IPC's structured clone keeps them,
 * JSON does not: both transports must hand the handler the same request). The error names the
 * path, never the value: it may be a secret.
 */
function checked<S extends TSchema>(schema: S, value: unknown, path: string): Static<S> {
  const cleaned = withoutUndefined(value);
  if (Check(schema, cleaned)) return cleaned;
  const [first] = Errors(schema, cleaned).filter((error) => error.keyword !== 'boolean');
  if (first === undefined) throw new CompanionError('INPUT_INVALID', `${path} is not valid`);
  const at = `${path}${toPropertyPath(first.instancePath)}`;
  const extra = (first.params as { additionalProperties?: unknown }).additionalProperties;
  if (first.keyword === 'additionalProperties' && Array.isArray(extra)) {
    const field = `${at}.${String(extra[0]).slice(0, 100)}`;
    throw new CompanionError('INPUT_INVALID', `${field} must be absent`, { data: { path: field } });
  }
  throw new CompanionError('INPUT_INVALID', `${at} ${first.message}`, { data: { path: at } });
}

/** `/put/0/path` → `.put[0].path` */
function toPropertyPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part.slice(0, 100)}`))
    .join('');
}

function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUndefined);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    // defineProperty: a `__proto__` key from JSON stays a key (and is refused as unknown).
    if (entry !== undefined) {
      Object.defineProperty(out, key, {
        value: withoutUndefined(entry),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return out;
}
