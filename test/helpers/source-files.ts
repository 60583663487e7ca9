import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from './cli-harness.js';

/** The product's own source folders (not tests, the simulator or benchmarks). */
export const PRODUCT_LAYERS = ['common', 'core', 'main', 'preload', 'renderer', 'cli'] as const;

export interface SourceFile {
  readonly path: string;
  readonly text: string;
}

function walk(directory: string, out: string[]): void {
  for (const name of readdirSync(directory)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const full = join(directory, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (/\.(ts|tsx|js|mjs|cjs)$/.test(name)) out.push(full);
  }
}

export function readSourceFiles(folders: readonly string[]): SourceFile[] {
  const files: string[] = [];
  for (const folder of folders) {
    try {
      walk(join(repoRoot, folder), files);
    } catch {
      // a layer may not exist yet
    }
  }
  return files.map((file) => ({
    path: relative(repoRoot, file),
    text: readFileSync(file, 'utf8'),
  }));
}
