import { readFileSync } from 'node:fs';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

// The renderer is served from `app://` in Electron and over HTTP by `serve`: relative asset paths
// work under both.
export default defineConfig({
  root: new URL('./renderer', import.meta.url).pathname,
  base: './',
  plugins: [react()],
  define: { __COMPANION_VERSION__: JSON.stringify(version) },
  build: {
    outDir: new URL('./dist/renderer', import.meta.url).pathname,
    emptyOutDir: true,
    target: 'chrome120',
    sourcemap: true,
  },
});
