/**
 * The one redactor. Every logger, the diagnostics bundle and anything else that writes text a
 * person may read or share passes it through here, so a secret is removed in one place whichever
 * path it took.
 *
 * Two defences, because neither alone suffices: secret values known at run time (a PAT just read
 * from the keychain, a webhook secret, an OAuth token) are registered and replaced wherever they
 * appear, even inside an unrelated message; and patterns catch secrets that were never registered
 * (an `Authorization` header in a dumped request, a `BBDC-` token pasted in a URL, a private key).
 */

export const REDACTED = '[REDACTED]';
export const REDACTED_PRIVATE_KEY = '[REDACTED PRIVATE KEY]';

/**
 * Registered values shorter than this are not replaced by value: replacing a three-letter string
 * everywhere would mangle every log line while protecting nothing real (such a secret is guessable
 * anyway). The patterns still apply to them.
 */
export const MIN_REGISTERED_SECRET_LENGTH = 4;

const MAX_DEPTH = 12;

/** Field names whose string values are secrets whatever they contain. Compared lower-cased, without `-` and `_`. */
const SENSITIVE_KEY_SUFFIXES = [
  'authorization',
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'cookie',
  'privatekey',
  'apikey',
  'credential',
  'credentials',
  'codeverifier',
];
const SENSITIVE_KEYS_EXACT = new Set(['pat', 'pwd', 'proxyauthorization', 'setcookie']);
/**
 * `code` is an OAuth authorization code in a callback, but far more often an error code
 * (`AUTH_FAILED`, `ENOENT`) that diagnostics need; upper-case identifiers are kept.
 */
const ERROR_CODE_LIKE = /^[A-Z][A-Z0-9_]{1,63}$/;

/** Query/form parameter names whose values are secrets: `token=`, `client_secret=`, `password=`… */
const SECRET_PARAM =
  /([?&;]|\b)([\w.-]*?(?:token|secret|password|passwd|pwd|api[_-]?key|code_verifier)[\w.-]*)=([^&\s#"'<>;,]+)/gi;
/** The OAuth authorization code travels as `?code=` or `&code=` only; "exit code=1" is left alone. */
const CODE_PARAM = /([?&])(code)=([^&\s#"'<>;,]+)/gi;
/** `Authorization: Basic …`, `Proxy-Authorization: Bearer …` in header dumps. */
const AUTH_HEADER = /\b((?:proxy-)?authorization)(\s*[:=]\s*)("?)([^\r\n"]+)/gi;
/** `Bearer abc…` / `Basic dXNl…` wherever they appear. */
const AUTH_SCHEME = /\b(Bearer|Basic)\s+([A-Za-z0-9._~+/=-]{6,})/g;
/** A short lower-case word after `Basic`/`Bearer` is prose ("Basic authentication"), not a credential. */
const PROSE_WORD = /^[a-z]{1,20}$/;
/** Bitbucket Data Center HTTP access tokens. */
const BBDC_TOKEN = /\bBBDC-[A-Za-z0-9+/_=-]{8,}/g;
/** JSON text inside a string: `"password": "…"`, `"access_token":"…"`. */
const JSON_SECRET_FIELD =
  /("[\w-]*(?:token|secret|password|passwd|authorization|private[_-]?key|api[_-]?key|cookie)"\s*:\s*")((?:[^"\\]|\\.)*)(")/gi;
/** `https://user:password@host` */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*):([^\s/@]+)@/gi;
/** Whole PEM private key blocks, including a block cut off before its END line. */
const PEM_PRIVATE_KEY =
  /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g;

function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[-_\s]/g, '');
}

/** True for field names such as `authorization`, `webhookSecret`, `access_token`, `X-Api-Key`. */
export function isSensitiveKey(key: string): boolean {
  const normal = normaliseKey(key);
  if (SENSITIVE_KEYS_EXACT.has(normal)) return true;
  return SENSITIVE_KEY_SUFFIXES.some((suffix) => normal.endsWith(suffix));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The string fields under sensitive names of a JSON object, e.g. `accessToken`, `refreshToken`, `secret`. */
function secretFieldsOf(value: string): string[] {
  if (!value.startsWith('{')) return [];
  try {
    const parsed = JSON.parse(value) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return [];
    return Object.entries(parsed)
      .filter(([key, field]) => typeof field === 'string' && isSensitiveKey(key))
      .map(([, field]) => field as string)
      .filter((field) => field.length >= MIN_REGISTERED_SECRET_LENGTH);
  } catch {
    return [];
  }
}

/** Forms in which a registered secret may reach text: as is, URL-encoded, Base64 of itself. */
function variantsOf(value: string): string[] {
  const variants = new Set<string>([value]);
  try {
    variants.add(encodeURIComponent(value));
  } catch {
    // Lone surrogates cannot be URL-encoded; the plain form is still covered.
  }
  variants.add(Buffer.from(value, 'utf8').toString('base64'));
  variants.add(JSON.stringify(value).slice(1, -1));
  return [...variants].filter((variant) => variant.length >= MIN_REGISTERED_SECRET_LENGTH);
}

/**
 * A redactor with its own registry of secret values. The process uses one (`defaultRedactor`);
 * tests may create their own to stay independent of what other code registered.
 */
export class Redactor {
  private readonly counts = new Map<string, number>();
  private matcher: RegExp | undefined;

  /**
   * Remembers a secret value so it is replaced wherever it appears. A JSON-valued secret (the
   * OAuth token set, a rotated webhook secret) also registers its secret fields, since those
   * travel alone. Returns a function that forgets it again.
   */
  register(value: string | null | undefined): () => void {
    if (typeof value !== 'string' || value.length < MIN_REGISTERED_SECRET_LENGTH) {
      return () => undefined;
    }
    const values = [value, ...secretFieldsOf(value)];
    for (const item of values) this.counts.set(item, (this.counts.get(item) ?? 0) + 1);
    this.matcher = undefined;
    let forgotten = false;
    return () => {
      if (forgotten) return;
      forgotten = true;
      for (const item of values) this.forget(item);
    };
  }

  /**
   * Forgets a value (for a rotated or logged-out secret, so the registry does not grow without
   * bound in a long-running relay). Registrations are counted, so two holders of one value each
   * forget their own.
   */
  forget(value: string): void {
    const count = this.counts.get(value);
    if (count === undefined) return;
    if (count <= 1) this.counts.delete(value);
    else this.counts.set(value, count - 1);
    this.matcher = undefined;
  }

  /** How many distinct values are registered (for tests and diagnostics; never the values). */
  get size(): number {
    return this.counts.size;
  }

  private knownSecretMatcher(): RegExp | undefined {
    if (this.matcher === undefined && this.counts.size > 0) {
      const all = new Set<string>();
      for (const value of this.counts.keys())
        for (const variant of variantsOf(value)) all.add(variant);
      // Longest first, so a secret that contains another is replaced whole.
      const alternatives = [...all].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.matcher = new RegExp(alternatives.join('|'), 'g');
    }
    return this.matcher;
  }

  /** Returns the text with every registered secret and every secret-looking pattern replaced. */
  text(input: string): string {
    let text = input;
    const known = this.knownSecretMatcher();
    if (known !== undefined) text = text.replace(known, REDACTED);
    text = text.replace(PEM_PRIVATE_KEY, REDACTED_PRIVATE_KEY);
    text = text.replace(
      JSON_SECRET_FIELD,
      (_m, head: string, _v: string, tail: string) => `${head}${REDACTED}${tail}`,
    );
    text = text.replace(
      AUTH_HEADER,
      (_m, name: string, separator: string, quote: string) =>
        `${name}${separator}${quote}${REDACTED}`,
    );
    text = text.replace(AUTH_SCHEME, (match: string, scheme: string, value: string) =>
      PROSE_WORD.test(value) ? match : `${scheme} ${REDACTED}`,
    );
    text = text.replace(BBDC_TOKEN, REDACTED);
    text = text.replace(URL_USERINFO, (_m, head: string) => `${head}:${REDACTED}@`);
    text = text.replace(
      SECRET_PARAM,
      (_m, lead: string, name: string) => `${lead}${name}=${REDACTED}`,
    );
    text = text.replace(
      CODE_PARAM,
      (_m, lead: string, name: string) => `${lead}${name}=${REDACTED}`,
    );
    return text;
  }

  /**
   * Returns a redacted, JSON-safe copy of any value: strings through `text`, values under
   * sensitive field names replaced whole, errors reduced to name, message, code and stack, binary
   * data summarised, cycles and excessive depth cut. The input is never modified.
   */
  value(input: unknown): unknown {
    return this.walk(input, 0, new WeakSet<object>());
  }

  private walk(input: unknown, depth: number, seen: WeakSet<object>): unknown {
    switch (typeof input) {
      case 'string':
        return this.text(input);
      case 'number':
      case 'boolean':
        return input;
      case 'bigint':
        return input.toString();
      case 'undefined':
      case 'function':
      case 'symbol':
        return undefined;
      default:
        break;
    }
    if (input === null) return null;
    const object = input as object;
    if (seen.has(object)) return '[Circular]';
    if (depth >= MAX_DEPTH) return '[Truncated]';
    if (object instanceof Date) return Number.isNaN(object.getTime()) ? null : object.toISOString();
    if (object instanceof URL) return this.text(object.href);
    if (Buffer.isBuffer(object) || ArrayBuffer.isView(object) || object instanceof ArrayBuffer) {
      return `[binary ${(object as ArrayBuffer).byteLength} bytes]`;
    }
    seen.add(object);
    try {
      if (object instanceof Error) return this.walkError(object, depth, seen);
      if (Array.isArray(object)) return object.map((item) => this.walk(item, depth + 1, seen));
      if (object instanceof Map) {
        return this.walkEntries(
          [...object.entries()].map(([k, v]) => [String(k), v]),
          depth,
          seen,
        );
      }
      if (object instanceof Set) return [...object].map((item) => this.walk(item, depth + 1, seen));
      return this.walkEntries(Object.entries(object), depth, seen);
    } finally {
      seen.delete(object);
    }
  }

  private walkEntries(
    entries: readonly (readonly [string, unknown])[],
    depth: number,
    seen: WeakSet<object>,
  ): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    for (const [key, value] of entries) {
      const safeKey = this.text(key);
      const oauthCode = key === 'code' && typeof value === 'string' && !ERROR_CODE_LIKE.test(value);
      const secretField =
        isSensitiveKey(key) && value !== null && value !== undefined && typeof value !== 'boolean';
      if (oauthCode || secretField) {
        result[safeKey] = REDACTED;
        continue;
      }
      const walked = this.walk(value, depth + 1, seen);
      if (walked !== undefined) result[safeKey] = walked;
    }
    return result;
  }

  private walkError(error: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
    const shape: Record<string, unknown> = { name: error.name, message: this.text(error.message) };
    const extra = error as Error & { code?: unknown; hint?: unknown; data?: unknown };
    if (typeof extra.code === 'string' || typeof extra.code === 'number') shape.code = extra.code;
    if (typeof extra.hint === 'string') shape.hint = this.text(extra.hint);
    if (extra.data !== undefined) shape.data = this.walk(extra.data, depth + 1, seen);
    if (typeof error.stack === 'string') shape.stack = this.text(error.stack);
    if (error.cause !== undefined) shape.cause = this.walk(error.cause, depth + 1, seen);
    return shape;
  }
}

/** The process-wide redactor every logger and the diagnostics bundle use. */
export const defaultRedactor = new Redactor();

/**
 * Registers a secret value with the process-wide redactor (call it wherever a secret is read,
 * received or created). Returns a function that forgets it again.
 */
export function registerSecret(value: string | null | undefined): () => void {
  return defaultRedactor.register(value);
}

/** Forgets one registration of a value with the process-wide redactor. */
export function forgetSecret(value: string): void {
  defaultRedactor.forget(value);
}

/** Redacts a string with the process-wide redactor. */
export function redactText(text: string): string {
  return defaultRedactor.text(text);
}

/** Redacts any value (deeply, returning a JSON-safe copy) with the process-wide redactor. */
export function redactValue(value: unknown): unknown {
  return defaultRedactor.value(value);
}
