// `npm run bench:startup`: how long the built CLI takes from process start to exit, against
// `node -e 0` measured in the same run (interleaved, so load on the machine hits both alike).
// Medians of BENCH_RUNS (default 7) runs; peak RSS through /usr/bin/time. Writes the start-up
// section of bench/RESULTS.md.
//
//   BENCH_RUNS=7 BENCH_PRINT_ONLY=1 npx tsx bench/startup.ts
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureStartup } from './startup-measure.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Math.max(5, Number(process.env['BENCH_RUNS'] ?? 7));

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadBefore = os.loadavg();
  const figures = await measureStartup(RUNS);
  const loadAfter = os.loadavg();
  const lines = [
    '| command | median ms | × `node -e 0` | target | peak RSS MiB | met |',
    '| ------- | --------: | ------------: | -----: | -----------: | --- |',
  ];
  for (const { row, ms, ratio, rssKb } of figures) {
    const rss = rssKb === undefined ? '—' : (rssKb / 1024).toFixed(0);
    const met = row.target === undefined ? '—' : ratio <= row.target ? 'met' : 'missed';
    lines.push(
      `| ${row.label} | ${ms.toFixed(0)} | ${ratio.toFixed(2)} | ${row.target === undefined ? '—' : `≤ ${row.target}×`} | ${rss} | ${met} |`,
    );
  }
  const load = (values: number[]) => values.map((value) => value.toFixed(1)).join('/');
  const cpu = os.cpus();
  const section = [
    '<!-- startup:begin -->',
    '',
    '## Start-up (`npm run bench:startup`)',
    '',
    `Measured ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpu.length} × ${cpu[0]?.model.trim() ?? 'CPU'}, Node ${process.version}. Load average ${load(loadBefore)} at the start and ${load(loadAfter)} at the end: the machine is shared with other engineers' builds and tests, so absolute times are noisy; each ratio is to \`node -e 0\` measured interleaved in the same run.`,
    '',
    `The built CLI (\`bin/bdc-companion.js\`), whole process from spawn to exit, a home holding one installation with a private CA. Medians of ${RUNS} runs after one warm-up round.`,
    '',
    ...lines,
    '',
    '<!-- startup:end -->',
  ].join('\n');
  process.stdout.write(`${section}\n`);
  if (process.env['BENCH_PRINT_ONLY']) return;
  const resultsPath = path.join(root, 'bench/RESULTS.md');
  const current = await readFile(resultsPath, 'utf8');
  const pattern = /<!-- startup:begin -->[\s\S]*?<!-- startup:end -->/;
  const next = pattern.test(current)
    ? current.replace(pattern, section)
    : `${current.trimEnd()}\n\n${section}\n`;
  await writeFile(resultsPath, next);
}

await main();
