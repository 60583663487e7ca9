/** How many project keys are named before the rest are counted ("and 3 more"). */
const NAMED_PROJECTS = 8;

/**
 * The projects a token can read, by key: "1 project: DEMO", "3 projects: A, B, C", "12 projects:
 * A, …, H and 4 more". The wizard and `auth pat` say the same.
 */
export function readableProjectsText(keys: readonly string[]): string {
  const count = `${keys.length} project${keys.length === 1 ? '' : 's'}`;
  if (keys.length === 0) return count;
  const named = keys.slice(0, NAMED_PROJECTS).join(', ');
  const rest = keys.length - NAMED_PROJECTS;
  return `${count}: ${named}${rest > 0 ? ` and ${rest} more` : ''}`;
}
