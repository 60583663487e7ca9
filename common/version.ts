// Replaced at build time by esbuild, Vite and Vitest (`define`), so every bundle knows its version
// without reading package.json at run time.
declare const __COMPANION_VERSION__: string | undefined;

export const COMPANION_VERSION: string =
  typeof __COMPANION_VERSION__ === 'string' ? __COMPANION_VERSION__ : '0.0.0-dev';

export const PRODUCT_NAME = 'Ankra BDC Companion';
export const CLI_NAME = 'bdc-companion';
