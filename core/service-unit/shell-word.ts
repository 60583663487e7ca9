/**
 * One word for a POSIX shell command line the admin copies from a comment (`sudo install -d …`).
 * Words made only of characters no shell treats specially are left as they are; anything else is
 * single-quoted, where nothing expands, and a single quote inside is written `'\''`. A path with
 * a space, `$(…)` or `;` therefore stays one argument instead of running something.
 */
export function shellWord(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
