import type Conf from 'conf';
import type {
  SettingsConfOptions,
  SettingsData,
  SettingsStoreFactory,
} from '../core/settings/settings-file.js';

/** The electron-store constructor (conf's Electron subclass), passed in so tests need no Electron. */
export type ElectronStoreClass = new (
  options: SettingsConfOptions & { readonly name: string },
) => Conf<SettingsData>;

/**
 * The desktop's settings store: electron-store over the options the headless conf store uses —
 * the same file, schema, migrations and lock (`openSettings` wraps both alike). electron-store
 * names the file from its own `name` option (default `config`) and overwrites conf's
 * `configName` with it, so the name is passed again: otherwise the desktop would write
 * `config.json` next to the CLI's `settings.json` and the two would no longer share settings.
 */
export function desktopSettingsStore(ElectronStore: ElectronStoreClass): SettingsStoreFactory {
  return (options) => new ElectronStore({ ...options, name: options.configName });
}
