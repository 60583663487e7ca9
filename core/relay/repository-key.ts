/**
 * The repository a delivery is about (`PROJECT/slug`), the unit of ordering. Read from the
 * payload without changing the stored bytes; deliveries whose payload names no repository share
 * one lane (`-`), which keeps them in arrival order too.
 */
export function repositoryKey(body: Buffer): string {
  try {
    const payload: unknown = JSON.parse(body.toString('utf8'));
    if (typeof payload !== 'object' || payload === null) return '-';
    const repository = (payload as { repository?: unknown }).repository;
    if (typeof repository !== 'object' || repository === null) return '-';
    const { slug, project } = repository as { slug?: unknown; project?: unknown };
    const key =
      typeof project === 'object' && project !== null
        ? (project as { key?: unknown }).key
        : undefined;
    if (typeof slug !== 'string' || typeof key !== 'string') return '-';
    return `${key}/${slug}`;
  } catch {
    return '-';
  }
}
