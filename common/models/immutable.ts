/**
 * The readonly view of a type inferred from a schema: models cross layers and are never mutated
 * (DESIGN.md, Conventions), while TypeBox infers plain mutable objects and arrays.
 */
export type Immutable<T> = T extends (infer Item)[]
  ? readonly Immutable<Item>[]
  : T extends object
    ? { readonly [Key in keyof T]: Immutable<T[Key]> }
    : T;
