import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli-harness.js';
import {
  CHAIN_INSPECTION_MARKER,
  isMarkedChainInspection,
  scanSource,
  scanText,
  type Violation,
} from './source-rules.js';

const PRODUCT_AND_TOOLS = [
  'common',
  'core',
  'cli',
  'main',
  'preload',
  'renderer',
  'sim',
  'scripts',
  'bin',
  'bench',
];
const SOURCE = /\.(ts|tsx|js|mjs|cjs)$/;

function filesUnder(directory: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(directory);
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) return [];
    const full = path.join(directory, entry);
    if (statSync(full).isDirectory()) return filesUnder(full);
    return SOURCE.test(entry) && !entry.endsWith('.d.ts') ? [full] : [];
  });
}

function scanTree(): Violation[] {
  const violations: Violation[] = [];
  for (const top of PRODUCT_AND_TOOLS) {
    for (const file of filesUnder(path.join(repoRoot, top))) {
      violations.push(
        ...scanSource(path.relative(repoRoot, file), readFileSync(file, 'utf8'), {
          forcePush: true,
        }),
      );
    }
  }
  // Tests may push --force to prove the server refuses it, but never switch TLS checks off.
  for (const file of filesUnder(path.join(repoRoot, 'test'))) {
    const relative = path.relative(repoRoot, file);
    if (relative.startsWith(`test${path.sep}rules${path.sep}`)) continue;
    violations.push(...scanSource(relative, readFileSync(file, 'utf8'), { forcePush: false }));
  }
  return violations;
}

/** Shell, CI and packaging files: checked as text, since they have no AST worth the name. */
const TEXT_FILES = /\.(sh|ya?ml|json)$/;
function textFiles(): string[] {
  const roots = ['scripts', '.github', 'bin'].map((top) => path.join(repoRoot, top));
  const top = readdirSync(repoRoot)
    .filter((entry) => TEXT_FILES.test(entry) && entry !== 'package-lock.json')
    .map((entry) => path.join(repoRoot, entry));
  const walk = (directory: string): string[] => {
    let entries: string[];
    try {
      entries = readdirSync(directory);
    } catch {
      return [];
    }
    return entries.flatMap((entry) => {
      const full = path.join(directory, entry);
      if (statSync(full).isDirectory()) return walk(full);
      return TEXT_FILES.test(entry) ? [full] : [];
    });
  };
  return [...top, ...roots.flatMap(walk)];
}

describe('rules never bent in scripts, CI and packaging files', () => {
  it('no script disables TLS verification or force-pushes', () => {
    const files = textFiles();
    expect(files.some((file) => file.endsWith('setup.sh'))).toBe(true);
    const violations = files.flatMap((file) =>
      scanText(path.relative(repoRoot, file), readFileSync(file, 'utf8')),
    );
    expect(violations.map((v) => `${v.file}:${v.line} ${v.rule}: ${v.text}`)).toEqual([]);
  });

  it.each([
    'export NODE_TLS_REJECT_UNAUTHORIZED=0',
    'GIT_SSL_NO_VERIFY=1 git clone x',
    'git -c http.sslVerify=false fetch',
    'git config --global http.sslverify false',
    'curl -k https://x',
    'wget --no-check-certificate https://x',
    'git push --force origin main',
    'git push -f origin main',
    'git push origin +main:main',
    '  env: { NODE_TLS_REJECT_UNAUTHORIZED: "0" }',
  ])('catches %s', (line) => {
    expect(scanText('x.sh', line)).not.toEqual([]);
  });

  it.each([
    '# never use curl -k',
    'curl -fsSL https://x',
    'git push --porcelain origin HEAD:refs/heads/main',
    'git config http.sslVerify true',
  ])('leaves %s alone', (line) => {
    expect(scanText('x.sh', line)).toEqual([]);
  });
});

describe('rules never bent (docs/architecture.md)', () => {
  const violations = scanTree();

  it('no code disables TLS verification or force-pushes', () => {
    const unexpected = violations.filter((violation) => !isMarkedChainInspection(violation));
    expect(unexpected.map((v) => `${v.file}:${v.line} ${v.rule}: ${v.text}`)).toEqual([]);
  });

  it('the probe chain inspection is the single marked exception, and it sends nothing', () => {
    const marked = violations.filter(isMarkedChainInspection);
    expect(marked).toHaveLength(1);
    const source = readFileSync(path.join(repoRoot, 'core/probe/tls-handshakes.ts'), 'utf8');
    const inspection = source.slice(
      source.indexOf('export function inspectPresentedChain'),
      source.indexOf('export interface VerifyOptions'),
    );
    expect(inspection).toContain(CHAIN_INSPECTION_MARKER);
    expect(inspection).not.toMatch(/\.write\(|\.end\(|authorization|request\(/i);
  });
});

describe('the scanner itself', () => {
  const scan = (source: string, forcePush = true): string[] =>
    scanSource('x.ts', source, { forcePush }).map((violation) => violation.rule);

  it.each([
    'tls.connect({ host, rejectUnauthorized: false });',
    "new Agent({ connect: { 'rejectUnauthorized': false } });",
    'const o = { rejectUnauthorized: !strict };',
    'const o = { rejectUnauthorized };',
    'options.rejectUnauthorized = false;',
    "process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';",
    "process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = '0';",
    "spawn('node', [], { env: { ...process.env, NODE_TLS_REJECT_UNAUTHORIZED: '0' } });",
    "spawn('git', [], { env: { GIT_SSL_NO_VERIFY: '1' } });",
    "spawn('git', ['-c', 'http.sslVerify=false', 'push']);",
    "const entries = [['http.sslVerify', 'false']];",
    "const entries = [['http.https://bdc.corp/.sslVerify', false]];",
    'const o = { checkServerIdentity: () => undefined };',
    'const o = { strictSSL: false };',
    'const o = { insecure: true };',
    "execFile('curl', ['--insecure', url]);",
  ])('catches TLS bypass: %s', (source) => {
    expect(scan(source).some((rule) => rule.startsWith('tls:'))).toBe(true);
  });

  it.each([
    'await git.push({ fs, http, dir, force: true });',
    'await git.push({ fs, http, dir, force });',
    "spawn('git', ['push', '--force', 'origin', 'main']);",
    "spawn('git', ['push', '--force-with-lease=main', 'origin']);",
    "spawn('git', ['push', '-f', 'origin', 'main']);",
    "const refspec = '+refs/heads/main:refs/heads/main';",
    'const refspec = `+${branch}:${branch}`;',
    "const refspec = '+main:main';",
  ])('catches force push: %s', (source) => {
    expect(scan(source).some((rule) => rule.startsWith('push:'))).toBe(true);
  });

  it.each([
    'await rm(dir, { recursive: true, force: true });',
    'rmSync(file, { force: true });',
    'tls.connect({ host, rejectUnauthorized: true });',
    '// never write rejectUnauthorized: false here',
    "const doc = 'do not use http.sslVerify';",
    "const entries = [['http.sslVerify', 'true']];",
    "const unsafe = ['GIT_SSL_NO_VERIFY'];",
    "if (process.env.NODE_TLS_REJECT_UNAUTHORIZED === '0') warn();",
    "tlsEnvironmentNotes({ NODE_TLS_REJECT_UNAUTHORIZED: '0' });",
    "spawn('node', [], { env: { NODE_TLS_REJECT_UNAUTHORIZED: '1' } });",
    "spawn('git', ['push', '--porcelain', 'origin', 'HEAD:refs/heads/main']);",
    'const sum = a + b;',
  ])('leaves harmless code alone: %s', (source) => {
    expect(scan(source)).toEqual([]);
  });

  it('lets tests push --force to prove refusal, but not disable TLS', () => {
    expect(scan("git(['push', '--force', 'origin', 'main']);", false)).toEqual([]);
    expect(scan('const o = { rejectUnauthorized: false };', false)).not.toEqual([]);
  });
});
