/**
 * Runtime shape checks whose specs are typed against Atlassian's documented types (the npm
 * package `@coderabbitai/bitbucket`, generated from BDC's OpenAPI description and its event
 * payload page; docs/bdc-rest-reference.md). `Spec<T>` demands exactly one entry for every
 * documented property of `T` and the right kind for it, so a spec cannot silently drift from the
 * documentation: when the documented type changes, the typecheck fails.
 */
type Primitive<V> = [V] extends [string]
  ? string extends V
    ? 'string'
    : readonly V[]
  : [V] extends [number]
    ? 'number'
    : [V] extends [boolean]
      ? 'boolean'
      : never;

export type SpecOf<V> =
  | 'skip'
  | ([NonNullable<V>] extends [readonly (infer Item)[]]
      ? readonly [SpecOf<Item>]
      : [NonNullable<V>] extends [string | number | boolean]
        ? Primitive<NonNullable<V>>
        : Spec<NonNullable<V>>);

export type Spec<T> = { readonly [K in keyof T]-?: SpecOf<T[K]> };

/** What the simulator sends beyond (or against) the documentation, and why: path → reason. */
export type Deviations = Readonly<Record<string, string>>;

/**
 * Problems of `value` against `spec`: a wrong kind, a value outside an enum, or a property the
 * documentation does not have (unless `deviations` names its path with a reason). Paths look
 * like `values[].author.name`.
 */
export function shapeProblems(
  value: unknown,
  spec: SpecOf<unknown>,
  deviations: Deviations = {},
  path = '',
): string[] {
  if (spec === 'skip' || path in deviations) return [];
  if (spec === 'string' || spec === 'number' || spec === 'boolean') {
    return typeof value === spec ? [] : [`${path}: expected ${spec}, got ${JSON.stringify(value)}`];
  }
  if (Array.isArray(spec)) {
    if (spec.length === 1 && typeof spec[0] !== 'string') {
      if (!Array.isArray(value)) return [`${path}: expected an array`];
      return value.flatMap((item) =>
        shapeProblems(item, spec[0] as SpecOf<unknown>, deviations, `${path}[]`),
      );
    }
    if (spec.length === 1 && Array.isArray(value)) {
      // A one-element spec of a string enum vs a one-element array spec of strings.
      return value.flatMap((item) =>
        shapeProblems(item, spec[0] as SpecOf<unknown>, deviations, `${path}[]`),
      );
    }
    return (spec as readonly unknown[]).includes(value)
      ? []
      : [`${path}: ${JSON.stringify(value)} is not one of ${spec.join(', ')}`];
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [`${path}: expected an object, got ${JSON.stringify(value)}`];
  }
  const problems: string[] = [];
  const known = spec as Readonly<Record<string, SpecOf<unknown>>>;
  for (const [key, item] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    const entry = known[key];
    if (entry === undefined) {
      if (!(at in deviations)) problems.push(`${at}: not in the documented shape`);
      continue;
    }
    problems.push(...shapeProblems(item, entry, deviations, at));
  }
  return problems;
}
