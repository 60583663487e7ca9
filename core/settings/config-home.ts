import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Where settings, the database and logs live when running headless.
 *
 * Order (docs/architecture.md, Persistence): `--home`, then `BDC_COMPANION_HOME`, then
 * `$XDG_CONFIG_HOME/bdc-companion`, then `~/.config/bdc-companion`. The desktop app passes its
 * Electron user-data folder as the explicit home instead.
 */
export function resolveConfigHome(
  explicit: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string {
  if (explicit) return resolve(explicit);
  if (env['BDC_COMPANION_HOME']) return resolve(env['BDC_COMPANION_HOME']);
  const xdg = env['XDG_CONFIG_HOME'];
  const base = xdg && xdg.startsWith('/') ? xdg : join(env['HOME'] ?? homedir(), '.config');
  return join(base, 'bdc-companion');
}
