import { readFileSync } from 'node:fs';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

// One runner for unit, integration, component and end-to-end tests (the latter drive Debian's
// Chromium through playwright-core). Forks, not threads: native modules (better-sqlite3, keytar)
// and process-wide state (signals, env) stay isolated per file.
export default defineConfig({
  plugins: [react()],
  define: { __COMPANION_VERSION__: JSON.stringify(version) },
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/fixtures/**', 'node_modules/**'],
    environment: 'node',
    pool: 'forks',
    // Vitest's default is one worker less than the cores: one worker on CI's 2 cores, so the suite
    // ran serially (650 s). Most files wait on servers and child processes, not the CPU, so two run
    // well side by side; they are written for a loaded machine (bounds set between the expected
    // time and the hang they rule out).
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
