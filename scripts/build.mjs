// One command builds every runnable part: the CLI (and the daemons it starts), the simulator,
// Electron main, the single-file preload (it must be one file to run with `sandbox: true`) and
// the renderer (Vite + React). Nothing here needs the Electron binary.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
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

/**
 * What `--help` and the parser need of every command, and the file defining it: the bundled CLI
 * starts from this list and imports a command's code only when that command runs
 * (cli/lazy-commands.ts). Read off the real registry, so it cannot drift from it.
 */
async function commandManifest() {
  const files = readdirSync(`${root}cli/commands`).filter((name) => name.endsWith('.ts'));
  const work = `${root}dist/.command-manifest`;
  await esbuild({
    absWorkingDir: root,
    stdin: {
      contents: [
        "export { commands } from './cli/command-registry.ts';",
        ...files.map((file, index) => `import * as m${index} from './cli/commands/${file}';`),
        `export const modules = [${files.map((file, index) => `[${JSON.stringify(file)}, m${index}]`).join(', ')}];`,
      ].join('\n'),
      resolveDir: root,
      loader: 'ts',
    },
    outfile: `${work}/registry.mjs`,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    define,
    logLevel: 'warning',
  });
  const { commands, modules } = await import(pathToFileURL(`${work}/registry.mjs`).href);
  rmSync(work, { recursive: true, force: true });
  return commands.map((command) => {
    const home = modules
      .flatMap(([file, exports]) =>
        Object.entries(exports).map(([exportName, value]) => ({ file, exportName, value })),
      )
      .find(({ value }) => value === command);
    if (!home)
      throw new Error(
        `command ${command.path.join(' ')} is not exported by a file of cli/commands/`,
      );
    const { run: _run, ...data } = command;
    for (const [key, value] of Object.entries(data)) {
      if (typeof value === 'function')
        throw new Error(`command ${command.path.join(' ')}: ${key} must be data`);
    }
    return { file: home.file, exportName: home.exportName, command: data };
  });
}

/** Node-side bundles: our code bundled, npm packages resolved from node_modules at run time. */
const nodeBundles = [
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

/**
 * Pure-JS packages the CLI bundles instead of resolving at run time: each is many small ES modules
 * (TypeBox ≈ 300 files; conf brings ajv and its helpers), and Node resolving, reading and compiling
 * them one by one cost a read-only command more than its own work (issue [perf], measured with
 * `npm run bench:startup` and a CPU profile). The heavy packages stay external, so the start-up
 * module test still sees whether a command loads them.
 */
const cliBundled = ['typebox', 'conf'];

/**
 * What the bundled packages carry that the CLI never runs, left out of its chunks: every process
 * that opens the settings compiled and evaluated it (~40 % of the settings chunk), and held it in
 * memory for its whole life (bench/RESULTS.md, start-up and idle daemon).
 * - conf's Ajv (+ formats, fast-uri) and semver: used only for conf's `schema` and `migrations`
 *   options, which `settingsConfOptions` never passes (a test checks); a stand-in throws if reached.
 * - TypeBox is marked free of side effects (it is: its modules only define), so the parts the
 *   companion does not import (the compiler, codecs, the many Value operations) are dropped.
 */
const cliBundleTrim = {
  name: 'cli-bundle-trim',
  setup(build) {
    const unused = `${root}scripts/cli-bundle/conf-unused.mjs`;
    build.onResolve({ filter: /^(ajv\/dist\/2020\.js|ajv-formats|semver)$/ }, (args) =>
      args.importer.includes('/node_modules/conf/') ? { path: unused } : undefined,
    );
    build.onResolve({ filter: /.*/ }, async (args) => {
      const inTypebox = args.path === 'typebox' || args.path.startsWith('typebox/');
      if (
        args.pluginData === 'trim' ||
        !(inTypebox || args.importer.includes('/node_modules/typebox/'))
      )
        return undefined;
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: 'trim',
      });
      return resolved.errors.length > 0 ? undefined : { path: resolved.path, sideEffects: false };
    });
  },
};

// The CLI in chunks beside main.js (paths relative to the bundle stay valid): main.js holds the
// parser, help and the manifest; each command and what it uses load when it runs.
await esbuild({
  absWorkingDir: root,
  entryPoints: { main: 'cli/main.ts' },
  outdir: 'dist/cli',
  splitting: true,
  chunkNames: '[name]-[hash]',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external: ['electron', ...dependencies.filter((name) => !cliBundled.includes(name))],
  sourcemap: true,
  define: { ...define, __COMMAND_MANIFEST__: JSON.stringify(await commandManifest()) },
  plugins: [cliBundleTrim],
  logLevel: 'warning',
});

/**
 * V8 keeps a module's source in memory for its whole life, as one byte per character only when
 * every character is Latin-1: a single "…" left in a comment (esbuild keeps some) doubles the
 * memory of its chunk. Such characters are written as \u escapes, which mean the same in
 * comments, strings, templates and regular expressions (bench/RESULTS.md, idle daemon).
 */
function latin1Only(folder) {
  for (const name of readdirSync(folder).filter((file) => file.endsWith('.js'))) {
    const file = join(folder, name);
    const text = readFileSync(file, 'utf8');
    const escaped = text.replace(
      /[\u0100-\uffff]/g,
      (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    if (escaped !== text) writeFileSync(file, escaped);
  }
}
latin1Only(`${root}dist/cli`);

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
