#!/usr/bin/env node
// Benchmarks for the analyzer foundation (issue 2), as ratios measured in one run:
//   - whole-tree `mnlint check` on Linux 6.12 vs `grep -rlE 'mmu_(interval_)?notifier' --include='*.c' .`
//     (goal: at most 3x the grep), and its peak RSS (goal: under 400 MB);
//   - `mnlint check` on the 20 files that define notifier ops tables vs `spatch`
//     with a one-rule semantic patch locating mmu_interval_notifier_ops tables
//     (goal: at least 5x faster).
// Runs are interleaved (A B A B ...) after one warm-up of each, medians reported;
// the warm-up fills mnlint's IR cache, so the whole tree is timed with it and,
// as a first run would be, with --no-cache.
//   node bench/run.mjs [--runs N] [--kernel DIR] [--json]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compare, fail, measure, option } from './lib.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const runs = Number(option('--runs', '7'));
const kernel = resolve(option('--kernel', resolve(repo, '.cache/kernels/linux-6.12')));
const cli = resolve(repo, 'dist/cli.js');
const cocci = resolve(repo, 'bench/find-interval-ops.cocci');

if (!existsSync(cli)) fail('dist/cli.js is missing: run `npm run build`');
if (!existsSync(resolve(kernel, 'MAINTAINERS'))) fail(`${kernel} is not a kernel tree: run scripts/fetch-kernels.sh`);
const haveSpatch = spawnSync('sh', ['-c', 'command -v spatch'], { encoding: 'utf8' }).status === 0;

// the files that define ops tables, from mnlint's own inventory
const inv = measure('node', [cli, 'inventory', '--format', 'json', '.'], kernel);
if (inv.status !== 0) fail(`mnlint inventory failed: ${inv.stderr.trim()}`);
const tableFiles = [...new Set(JSON.parse(inv.stdout).tables.map((t) => t.file))].sort();

const results = [];
results.push(
  compare(
    runs,
    'whole Linux 6.12 tree',
    {
      name: 'mnlint check .',
      cmd: ['node', [cli, 'check', '--format', 'json', '.'], kernel],
      check: (r) => {
        if (r.status === 2) fail(`mnlint check failed: ${r.stderr.trim()}`);
      },
    },
    { name: "grep -rlE 'mmu_(interval_)?notifier' --include='*.c' .", cmd: ['grep', ['-rlE', 'mmu_(interval_)?notifier', '--include=*.c', '.'], kernel] },
  ),
);
// the same without the IR cache: every file parsed, as on a first run
results.push(
  compare(
    runs,
    'whole Linux 6.12 tree, --no-cache',
    { name: 'mnlint check --no-cache .', cmd: ['node', [cli, 'check', '--no-cache', '--format', 'json', '.'], kernel] },
    { name: "grep -rlE 'mmu_(interval_)?notifier' --include='*.c' .", cmd: ['grep', ['-rlE', 'mmu_(interval_)?notifier', '--include=*.c', '.'], kernel] },
  ),
);
if (haveSpatch) {
  results.push(
    compare(
      runs,
      `the ${tableFiles.length} files defining ops tables`,
      { name: `mnlint check (${tableFiles.length} files)`, cmd: ['node', [cli, 'check', '--format', 'json', ...tableFiles], kernel] },
      { name: 'spatch --sp-file bench/find-interval-ops.cocci --no-includes', cmd: ['spatch', ['--sp-file', cocci, '--very-quiet', '--no-includes', ...tableFiles], kernel] },
    ),
  );
}

if (args.includes('--json')) {
  process.stdout.write(`${JSON.stringify({ runs, kernel, results }, null, 2)}\n`);
} else {
  process.stdout.write(`mnlint benchmarks: ${runs} interleaved runs each, medians; ${kernel}\n\n`);
  for (const r of results) {
    process.stdout.write(`${r.label}\n`);
    process.stdout.write(`  ${r.a.padEnd(62)} ${r.aMedian.toFixed(3)} s${r.aPeakRssMB !== null ? `  (peak RSS ${r.aPeakRssMB.toFixed(0)} MB)` : ''}\n`);
    process.stdout.write(`  ${r.b.padEnd(62)} ${r.bMedian.toFixed(3)} s\n`);
    const ratio = r.aMedian / r.bMedian;
    process.stdout.write(`  ratio mnlint/peer ${ratio.toFixed(2)}x  (peer/mnlint ${(1 / ratio).toFixed(2)}x)\n\n`);
  }
  const tree = results[0];
  const treeRatio = tree.aMedian / tree.bMedian;
  process.stdout.write(`goal whole tree <= 3x grep (issue 2): ${treeRatio.toFixed(2)}x ${treeRatio <= 3 ? 'met' : 'NOT met'}\n`);
  process.stdout.write(
    `goal whole tree <= 2.5x grep and < 300 MB (issue 9): ${treeRatio.toFixed(2)}x, ${tree.aPeakRssMB === null ? 'RSS not measured' : `${tree.aPeakRssMB.toFixed(0)} MB`}: ${treeRatio <= 2.5 && (tree.aPeakRssMB ?? 0) < 300 ? 'met' : 'NOT met'}\n`,
  );
  process.stdout.write(
    `goal whole tree <= 1.5x grep and < 200 MB (issue 14): ${treeRatio.toFixed(2)}x, ${tree.aPeakRssMB === null ? 'RSS not measured' : `${tree.aPeakRssMB.toFixed(0)} MB`}: ${treeRatio <= 1.5 && (tree.aPeakRssMB ?? 0) < 200 ? 'met' : 'NOT met'}\n`,
  );
  if (tree.aPeakRssMB !== null) process.stdout.write(`goal peak RSS < 400 MB: ${tree.aPeakRssMB.toFixed(0)} MB ${tree.aPeakRssMB < 400 ? 'met' : 'NOT met'}\n`);
  else process.stdout.write('peak RSS not measured: /usr/bin/time is missing (Debian package `time`)\n');
  if (results[2]) {
    const s = results[2].bMedian / results[2].aMedian;
    process.stdout.write(`goal >= 5x faster than spatch: ${s.toFixed(2)}x ${s >= 5 ? 'met' : 'NOT met'}\n`);
    process.stdout.write(`goal >= 10x faster than spatch (issue 14): ${s.toFixed(2)}x ${s >= 10 ? 'met' : 'NOT met'}\n`);
  } else {
    process.stdout.write('spatch comparison not run: spatch is missing (Debian package `coccinelle`)\n');
  }
}
