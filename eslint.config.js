// ESLint flat config. The layer table of docs/architecture.md is enforced here: one `no-restricted-imports`
// block per layer, each message saying why the boundary exists.
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

/** Pattern matching a relative import into a sibling layer folder, e.g. `../core/net/x.js`. */
const layer = (name) => `^(\\.\\./)+${name}(/|$)`;

const why = {
  electronInCore: 'core/ must not import electron: it runs in the headless daemon too.',
  electronInCli: 'cli/ must not import electron: the CLI and daemon run under plain Node.',
  electronInCommon: 'common/ must not import electron: it runs everywhere, including the renderer.',
  electronInRenderer:
    'renderer/ must not import electron: it reaches the engine only through the client module (preload or HTTP).',
  nodeInCommon: 'common/ must not import Node built-ins: it is shared with the browser renderer.',
  nodeInRenderer:
    'renderer/ must not import Node built-ins: it runs sandboxed in Chromium without Node.',
  nodeInPreload:
    'preload/ must not import Node built-ins: it runs with sandbox: true and exposes the contract only.',
  reactInCommon: 'common/ must not import React: it holds the contract and models, not UI.',
  simInProduct: 'product code must never import sim/: the simulator is a test and demo stand-in.',
  envInCore:
    'core/ takes the environment as a port (an `env` input) from its adapters (CLI, desktop, serve): it never reads process.env itself, so every caller sees the same proxy and store choices and tests pass their own.',
  cliThroughUseCases:
    'cli/ reaches core/ through core/use-cases/ (one use case per user action, shared with the desktop, serve and the bridge); type imports are fine.',
  ipcMain:
    'ipcMain is imported only by main/main.ts, which hands it to main/ipc/register-ipc.ts: one place registers every channel, each checking its sender.',
  ipcRenderer:
    'ipcRenderer is imported only by preload/preload.ts, which wraps it in createBridge: the page never gets ipcRenderer itself.',
};

function restrict({ paths = [], patterns = [] }) {
  return { 'no-restricted-imports': ['error', { paths, patterns }] };
}

const builtinsWith = (message) => nodeBuiltins.map((name) => ({ name, message }));
const layerPattern = (from, to, message) => ({
  regex: layer(to),
  message:
    message ?? `${from}/ must not import ${to}/: see the layer table in docs/architecture.md.`,
});

/** What cli/ may import from core/ at run time (see the cli/ block below). */
const CLI_CORE_ENTRY_POINTS = ['use-cases/', 'logging/', 'io/', 'settings/config-home\\.js$'];

/**
 * Commands that still assemble their action from low-level parts of core/ (issue 13: each moves
 * to a use case and leaves this list; test/lint/cli-use-cases.test.ts keeps it free of files
 * that no longer need it).
 */
const CLI_NOT_YET_ON_USE_CASES = JSON.parse(
  readFileSync(new URL('./eslint/cli-not-yet-on-use-cases.json', import.meta.url), 'utf8'),
);

const mainPatterns = ['renderer', 'cli']
  .map((to) => layerPattern('main', to))
  .concat(layerPattern('main', 'sim', why.simInProduct));
const preloadPatterns = ['core', 'main', 'renderer', 'cli']
  .map((to) => layerPattern('preload', to))
  .concat(layerPattern('preload', 'sim', why.simInProduct));

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      '.tsbuild/**',
      'node_modules/**',
      'out/**',
      'test-results/**',
      'test/fixtures/**',
      '.bench-work/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ExportDefaultDeclaration',
          message: 'Use named exports (docs/architecture.md, Conventions).',
        },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', 'scripts/**', 'bin/**'],
    languageOptions: { globals: globals.node },
  },
  {
    // Tool configuration files are read by tools that expect a default export.
    files: ['eslint.config.js', '*.config.mjs', '*.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['common/**/*.ts'],
    rules: restrict({
      paths: [
        { name: 'electron', message: why.electronInCommon },
        { name: 'react', message: why.reactInCommon },
        { name: 'react-dom', message: why.reactInCommon },
        ...builtinsWith(why.nodeInCommon),
      ],
      patterns: ['core', 'main', 'preload', 'renderer', 'cli']
        .map((to) => layerPattern('common', to))
        .concat(layerPattern('common', 'sim', why.simInProduct)),
    }),
  },
  {
    files: ['core/**/*.ts'],
    rules: {
      ...restrict({
        paths: [{ name: 'electron', message: why.electronInCore }],
        patterns: ['main', 'preload', 'renderer', 'cli']
          .map((to) => layerPattern('core', to))
          .concat(layerPattern('core', 'sim', why.simInProduct)),
      }),
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: why.envInCore },
      ],
    },
  },
  {
    files: ['main/**/*.ts'],
    rules: restrict({
      paths: [{ name: 'electron', importNames: ['ipcMain'], message: why.ipcMain }],
      patterns: mainPatterns,
    }),
  },
  {
    // The composition root: the one file that takes ipcMain from electron.
    files: ['main/main.ts'],
    rules: restrict({ patterns: mainPatterns }),
  },
  {
    files: ['preload/**/*.ts'],
    rules: restrict({
      paths: [
        ...builtinsWith(why.nodeInPreload),
        { name: 'electron', importNames: ['ipcRenderer'], message: why.ipcRenderer },
      ],
      patterns: preloadPatterns,
    }),
  },
  {
    // The preload entry: the one file that takes ipcRenderer from electron.
    files: ['preload/preload.ts'],
    rules: restrict({ paths: builtinsWith(why.nodeInPreload), patterns: preloadPatterns }),
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    languageOptions: { globals: globals.browser },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...restrict({
        paths: [
          { name: 'electron', message: why.electronInRenderer },
          ...builtinsWith(why.nodeInRenderer),
        ],
        patterns: ['core', 'main', 'preload', 'cli']
          .map((to) => layerPattern('renderer', to))
          .concat(layerPattern('renderer', 'sim', why.simInProduct)),
      }),
    },
  },
  {
    files: ['cli/**/*.ts'],
    rules: restrict({
      paths: [{ name: 'electron', message: why.electronInCli }],
      patterns: ['main', 'preload', 'renderer']
        .map((to) => layerPattern('cli', to))
        .concat(layerPattern('cli', 'sim', why.simInProduct)),
    }),
  },
  {
    // cli/ is an adapter: it parses, calls a use case, renders. Its way into core/ is the use-case
    // layer (each file one user action, importable on its own), logging (the CLI is a composition
    // root and makes its logger), the bounded readers of core/io (every file and stdin it reads
    // is capped the same way) and where the config home is (how it finds its ports). Types may
    // come from anywhere: they carry no logic.
    files: ['cli/**/*.ts'],
    ignores: CLI_NOT_YET_ON_USE_CASES,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(\\.\\./)+core/(?!${CLI_CORE_ENTRY_POINTS.join('|')})`,
              allowTypeImports: true,
              message: why.cliThroughUseCases,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['sim/**/*.ts'],
    rules: restrict({
      paths: [
        {
          name: 'electron',
          message: 'sim/ must not import electron: it runs under plain Node in tests and the demo.',
        },
      ],
      patterns: ['main', 'preload', 'renderer', 'cli'].map((to) => layerPattern('sim', to)),
    }),
  },
);
