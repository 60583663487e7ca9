import type { BdcClient } from '../bdc/bdc-client.js';
import type { Logger } from '../logging/logger.js';

/**
 * The repository's size as BDC reports it, without cloning: `GET {base}/projects/{KEY}/repos/
 * {slug}/sizes` → `{"repository": bytes, "attachments": bytes}` (docs/push-engine-choice.md).
 * The resource is not in BDC's published REST reference, so anything but a well-formed answer —
 * 404, a proxy's refusal, a missing permission, another shape — gives undefined and the push
 * falls back to choosing by what the clone cache knows.
 */
export async function remoteRepositorySize(
  client: Pick<BdcClient, 'getJson'>,
  repo: string,
  logger?: Logger,
): Promise<number | undefined> {
  const [project, slug] = repo.split('/') as [string, string];
  try {
    const sizes = await client.getJson<{ repository?: unknown }>(
      `/projects/${encodeURIComponent(project)}/repos/${encodeURIComponent(slug)}/sizes`,
    );
    const bytes = sizes.repository;
    return typeof bytes === 'number' && Number.isSafeInteger(bytes) && bytes >= 0
      ? bytes
      : undefined;
  } catch (error) {
    logger?.info('repository size not available; choosing the engine without it', {
      code: (error as { code?: string }).code,
    });
    return undefined;
  }
}
