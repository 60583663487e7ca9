// Static Electron security scan (Doyensec electronegativity) of the desktop shell: main, preload
// and the renderer's HTML. Fails (exit 1) on any HIGH-severity finding; prints every finding.
// Runs offline: the check that downloads Electron's release list is excluded.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const repo = new URL('..', import.meta.url).pathname;
// A different tree to scan may be named (the test's negative control); the repository by default.
const root = process.argv[2] ? `${process.argv[2].replace(/\/+$/, '')}/` : repo;
const run =
  require('@doyensec/electronegativity').default ?? require('@doyensec/electronegativity');

const workDir = mkdtempSync(join(tmpdir(), 'electronegativity-'));
try {
  const scanDir = join(workDir, 'app');
  mkdirSync(join(scanDir, 'renderer'), { recursive: true });
  cpSync(join(root, 'main'), join(scanDir, 'main'), { recursive: true });
  cpSync(join(root, 'preload'), join(scanDir, 'preload'), { recursive: true });
  cpSync(join(root, 'renderer/index.html'), join(scanDir, 'renderer/index.html'));
  const { devDependencies } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
  const electronVersion = String(devDependencies.electron).replace(/^[^\d]*/, '');
  writeFileSync(
    join(scanDir, 'package.json'),
    JSON.stringify({ devDependencies: { electron: electronVersion } }),
  );

  const originalLog = console.log;
  console.log = () => undefined; // the runner prints a banner; we print our own summary
  let result;
  try {
    result = await run(
      {
        input: scanDir,
        output: undefined,
        isSarif: false,
        customScan: [],
        excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
        isRelative: true,
        isVerbose: false,
        electronVersionOverride: electronVersion,
        parserPlugins: [],
      },
      false,
    );
  } finally {
    console.log = originalLog;
  }
  const { issues, errors, atomicChecks, globalChecks } = result;
  for (const issue of issues) {
    const where = `${issue.file.replace(scanDir, '')}:${issue.location?.line ?? '?'}`;
    process.stdout.write(`${issue.severity.name}\t${issue.id}\t${where}\n`);
  }
  // A file that did not parse was not scanned: that is a failure, not a pass.
  const unparsed = errors.filter((error) => !error.tolerable);
  for (const error of unparsed)
    process.stdout.write(`PARSE ERROR\t${error.file}: ${error.message}\n`);
  const high = issues.filter((issue) => issue.severity.name === 'HIGH');
  process.stdout.write(
    `electronegativity: ${atomicChecks} atomic + ${globalChecks} global checks, ${issues.length} findings, ${high.length} high, ${unparsed.length} unparsed files\n`,
  );
  process.exitCode = high.length > 0 || unparsed.length > 0 ? 1 : 0;
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
