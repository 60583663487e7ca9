import { describe, expect, it } from 'vitest';
import { settingsConfOptions } from '../../../core/settings/settings-file.js';

// The CLI bundle leaves conf's Ajv and semver out (scripts/build.mjs, `cliBundleTrim`): conf uses
// them only for its `schema` and `migrations` options. Passing either would make every CLI run
// that opens the settings fail on the stand-in, so the options must never carry them.
describe('conf options of the settings file', () => {
  it('ask conf for neither schema validation nor migrations', () => {
    const options: Record<string, unknown> = settingsConfOptions('/tmp/home');
    for (const key of ['schema', 'rootSchema', 'ajvOptions', 'migrations', 'projectVersion'])
      expect(options).not.toHaveProperty(key);
  });
});
