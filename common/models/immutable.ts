/**
 * The readonly view of a type inferred from a schema: models cross layers and are never mutated
 * (docs/architecture.md, Conventions), while TypeBox infers plain mutable objects and arrays. An optional
 * field also takes `undefined`, which JSON (the settings file, HTTP) writes as absent — the
 * schema's meaning of an optional field.
 */
export type Immutable<T> = T extends (infer Item)[]
  ? readonly Immutable<Item>[]
  : T extends object
    ? ImmutableObject<T>
    : T;

type OptionalKeys<T> = { [Key in keyof T]-?: object extends Pick<T, Key> ? Key : never }[keyof T];

type ImmutableObject<T> = {
  readonly [Key in Exclude<keyof T, OptionalKeys<T>>]: Immutable<T[Key]>;
} & { readonly [Key in OptionalKeys<T>]?: Immutable<Exclude<T[Key], undefined>> | undefined };
