import { CompanionError } from '../errors/companion-error.js';

/**
 * A tiny schema language for requests that arrive from the renderer (IPC) or a browser (HTTP):
 * every argument is checked for type, size and unknown keys before it reaches the engine.
 * Hand-rolled because it runs in `common/` (no Node) and stays a few dozen lines.
 */
export type Schema<T> = (value: unknown, path: string) => T;

function fail(path: string, expected: string): never {
  throw new CompanionError('INPUT_INVALID', `${path} must be ${expected}`, {
    data: { path },
  });
}

export function str(
  options: { max?: number; min?: number; pattern?: RegExp } = {},
): Schema<string> {
  const max = options.max ?? 2048;
  const min = options.min ?? 0;
  return (value, path) => {
    if (typeof value !== 'string') fail(path, 'a string');
    if (value.length > max) fail(path, `at most ${max} characters`);
    if (value.length < min) fail(path, min === 1 ? 'non-empty' : `at least ${min} characters`);
    if (options.pattern && !options.pattern.test(value))
      fail(path, `of the form ${options.pattern}`);
    return value;
  };
}

export function int(options: { min?: number; max?: number } = {}): Schema<number> {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isInteger(value)) fail(path, 'an integer');
    if (options.min !== undefined && value < options.min) fail(path, `at least ${options.min}`);
    if (options.max !== undefined && value > options.max) fail(path, `at most ${options.max}`);
    return value;
  };
}

export function num(options: { min?: number; max?: number } = {}): Schema<number> {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, 'a number');
    if (options.min !== undefined && value < options.min) fail(path, `at least ${options.min}`);
    if (options.max !== undefined && value > options.max) fail(path, `at most ${options.max}`);
    return value;
  };
}

export const bool: Schema<boolean> = (value, path) =>
  typeof value === 'boolean' ? value : fail(path, 'true or false');

export function literal<const T extends string>(...values: readonly T[]): Schema<T> {
  return (value, path) =>
    typeof value === 'string' && (values as readonly string[]).includes(value)
      ? (value as T)
      : fail(path, `one of ${values.join(', ')}`);
}

export function arr<T>(
  item: Schema<T>,
  options: { max?: number; min?: number } = {},
): Schema<readonly T[]> {
  const max = options.max ?? 1000;
  const min = options.min ?? 0;
  return (value, path) => {
    if (!Array.isArray(value)) fail(path, 'a list');
    if (value.length > max) fail(path, `a list of at most ${max} items`);
    if (value.length < min) fail(path, `a list of at least ${min} item(s)`);
    return value.map((entry, index) => item(entry, `${path}[${index}]`));
  };
}

const OPTIONAL = Symbol('optional');
export type Optional<T> = Schema<T | undefined> & { readonly [OPTIONAL]: true };

export function opt<T>(schema: Schema<T>): Optional<T> {
  const wrapped = ((value: unknown, path: string) =>
    value === undefined ? undefined : schema(value, path)) as Optional<T>;
  return Object.assign(wrapped, { [OPTIONAL]: true as const });
}

type Shape = Readonly<Record<string, Schema<unknown>>>;
type RequiredKeys<S extends Shape> = {
  [K in keyof S]: S[K] extends Optional<unknown> ? never : K;
}[keyof S];
type OptionalKeys<S extends Shape> = Exclude<keyof S, RequiredKeys<S>>;
type Out<S extends Shape> = {
  readonly [K in RequiredKeys<S>]: S[K] extends Schema<infer T> ? T : never;
} & {
  readonly [K in OptionalKeys<S>]?: S[K] extends Schema<infer T> ? Exclude<T, undefined> : never;
};

/** A plain object with exactly these keys; unknown keys are refused, not ignored. */
export function obj<S extends Shape>(shape: S): Schema<Out<S>> {
  return (value, path) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      fail(path, 'an object');
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!Object.prototype.hasOwnProperty.call(shape, key)) fail(`${path}.${key}`, 'absent');
    }
    const out: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(shape)) {
      const parsed = schema(record[key], `${path}.${key}`);
      if (parsed !== undefined) out[key] = parsed;
    }
    return out as Out<S>;
  };
}

/** Discriminated union on `kind`. */
export function tagged<T>(variants: Readonly<Record<string, Schema<T>>>): Schema<T> {
  return (value, path) => {
    const kind =
      typeof value === 'object' && value !== null ? (value as { kind?: unknown }).kind : undefined;
    if (typeof kind !== 'string' || !Object.prototype.hasOwnProperty.call(variants, kind)) {
      fail(`${path}.kind`, `one of ${Object.keys(variants).join(', ')}`);
    }
    return (variants[kind] as Schema<T>)(value, path);
  };
}
