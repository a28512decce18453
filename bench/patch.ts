// Issue 4 figure: reviewing seed 004 (the two-pass v2 1/4, as a format-patch
// mail followed by the replies quoting it) against Linux 6.12 with
// `mnlint patch --tree`, versus the kernel's own scripts/checkpatch.pl on the
// same mbox, run from the tree (goal: mnlint not slower).
//   npx tsx bench/patch.ts [--runs N] [--kernel DIR]
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { compare, fail, option } from './lib.mjs';
import { seed004Mbox } from '../test/seeds.js';
import { kernelDir } from '../test/kernel-trees.js';

const runs = Number(option('--runs', '9'));
const kernel = resolve(option('--kernel', kernelDir('6.12')));
const cli = resolve(import.meta.dirname, '..', 'dist', 'cli.js');
if (!existsSync(cli)) fail('dist/cli.js is missing: run `npm run build`');
if (!existsSync(join(kernel, 'scripts', 'checkpatch.pl'))) fail(`${kernel} has no scripts/checkpatch.pl: run scripts/fetch-kernels.sh`);

const dir = mkdtempSync(join(tmpdir(), 'mnlint-bench-'));
const mbox = join(dir, 'seed-004.mbox');
writeFileSync(mbox, seed004Mbox().mbox);
try {
  const r = compare(
    runs,
    'seed 004 v2 1/4 mbox on Linux 6.12',
    {
      name: 'mnlint patch seed-004.mbox --tree linux-6.12',
      cmd: ['node', [cli, 'patch', '--format', 'json', mbox, '--tree', kernel], kernel],
      // a review that did not happen must not be timed as a fast one
      check: (x: { status: number | null; stderr: string }) => {
        if (x.status === 2) fail(`mnlint patch failed: ${x.stderr.trim()}`);
      },
    },
    { name: 'scripts/checkpatch.pl seed-004.mbox', cmd: ['perl', ['scripts/checkpatch.pl', mbox], kernel] },
  );
  const ratio = r.aMedian / r.bMedian;
  console.log(`${r.label}: ${runs} interleaved runs, medians`);
  console.log(`  ${r.a.padEnd(48)} ${r.aMedian.toFixed(3)} s  (peak RSS ${r.aPeakRssMB?.toFixed(0) ?? '?'} MB)`);
  console.log(`  ${r.b.padEnd(48)} ${r.bMedian.toFixed(3)} s`);
  console.log(`goal mnlint not slower than checkpatch: ratio ${ratio.toFixed(2)}x ${ratio <= 1 ? 'met' : 'NOT met'}`);
  console.log(`goal >= 4x faster than checkpatch, both images analyzed (issue 14): ${(1 / ratio).toFixed(2)}x ${ratio <= 0.25 ? 'met' : 'NOT met'}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
