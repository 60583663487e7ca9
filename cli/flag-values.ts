/**
 * The values of a repeatable option (`--ca-file A --ca-file B`), or of one given once; empty when
 * absent. `splitCommas` also accepts `--repo A,B`.
 */
export function listFlag(value: unknown, splitCommas = false): string[] {
  if (value === undefined) return [];
  const values = (Array.isArray(value) ? value : [value]).map(String);
  return splitCommas
    ? values.flatMap((item) => item.split(',')).filter((item) => item !== '')
    : values;
}
