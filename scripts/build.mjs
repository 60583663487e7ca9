// One command builds every runnable part: the CLI (and the daemons it starts), the simulator,
// Electron main, the single-file preload (it must be one file to run with `sandbox: true`) and
// the renderer (Vite + React). Nothing here needs the Electron binary.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';

const root = new URL('..', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
const { version } = manifest;
const define = { __COMPANION_VERSION__: JSON.stringify(version) };

/**
 * Whether `require(name)` from our code would load an ES module. Electron main is CommonJS, and
 * esbuild's interop for a required ES module makes its `default` export the whole namespace: a
 * default import of an ESM-only package (conf, electron-store) is then "not a constructor" and the
 * desktop app dies at start. Such packages are bundled into main.cjs instead, converted to CJS.
 */
function loadsAsEsm(name) {
  const require = createRequire(`${root}package.json`);
  let file;
  try {
    file = require.resolve(name);
  } catch {
    return false;
  }
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs')) return false;
  for (let folder = dirname(file); folder !== dirname(folder); folder = dirname(folder)) {
    const candidate = join(folder, 'package.json');
    if (existsSync(candidate)) return JSON.parse(readFileSync(candidate, 'utf8')).type === 'module';
  }
  return false;
}

const dependencies = Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies });
/** main.cjs: CommonJS packages stay external; ESM-only ones are bundled (see loadsAsEsm). */
const mainExternal = ['electron', ...dependencies.filter((name) => !loadsAsEsm(name))];

/** Node-side bundles: our code bundled, npm packages resolved from node_modules at run time. */
const nodeBundles = [
  { entry: 'cli/main.ts', out: 'dist/cli/main.js', format: 'esm' },
  { entry: 'sim/index.ts', out: 'dist/sim/index.js', format: 'esm', optional: true },
  {
    entry: 'core/git/iso-worker.ts',
    out: 'dist/core/iso-worker.js',
    format: 'esm',
    optional: true,
  },
  { entry: 'main/main.ts', out: 'dist/main/main.cjs', format: 'cjs', external: mainExternal },
];

rmSync(`${root}dist`, { recursive: true, force: true });

await Promise.all(
  nodeBundles
    .filter(({ entry, optional }) => !optional || existsSync(`${root}${entry}`))
    .map(({ entry, out, format, external }) =>
      esbuild({
        absWorkingDir: root,
        entryPoints: [entry],
        outfile: out,
        bundle: true,
        platform: 'node',
        target: 'node20',
        format,
        ...(external ? { external } : { packages: 'external', external: ['electron'] }),
        sourcemap: true,
        define,
        logLevel: 'warning',
      }),
    ),
);

// The preload runs sandboxed: no require of our own files, so everything but `electron` is inlined.
await esbuild({
  absWorkingDir: root,
  entryPoints: ['preload/preload.ts'],
  outfile: 'dist/preload/preload.cjs',
  bundle: true,
  platform: 'node',
  target: 'chrome120',
  format: 'cjs',
  external: ['electron'],
  define,
  logLevel: 'warning',
});

await viteBuild({ configFile: `${root}vite.config.mjs`, logLevel: 'warn' });
process.stdout.write(`built bdc-companion ${version} into dist/\n`);
