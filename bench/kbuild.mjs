#!/usr/bin/env node
// What `make C=2 CHECK=...` costs: mnlint kbuild against Debian's sparse, the
// checker kbuild is made for, and against CHECK=true (make's own cost), on a
// directory of the configured tree the kbuild test makes
// (.cache/kernels/kbuild-6.12: x86_64 defconfig plus Xen). Its objects are
// built first, so each run is the checks alone (C=2 checks every file).
// Interleaved runs, medians.
//   node bench/kbuild.mjs [--runs N] [--dir drivers/xen/]
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fail, measure, median, option } from './lib.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const build = resolve(repo, '.cache/kernels/kbuild-6.12');
const runs = Number(option('--runs', '5'));
const dir = option('--dir', 'drivers/xen/');
if (!existsSync(resolve(build, '.mnlint-configured'))) fail(`${build} is not configured: run npx vitest run test/kbuild.test.ts first`);
if (!existsSync(resolve(repo, 'dist/bin.js'))) fail('dist/bin.js is missing: run npm run build');

const first = measure('make', ['-j2', '-s', dir], build);
if (first.status !== 0) fail(`make ${dir}: ${first.stderr.slice(-500)}`);
const checkers = [
  ['CHECK=true (make alone)', 'true'],
  ['sparse', 'sparse'],
  ['mnlint kbuild', `${process.execPath} ${resolve(repo, 'dist/bin.js')} kbuild`],
];
const times = new Map(checkers.map(([label]) => [label, []]));
let checked = 0;
for (let i = 0; i <= runs; i++) {
  for (const [label, check] of checkers) {
    const r = measure('make', ['-j2', 'C=2', `CHECK=${check}`, dir], build);
    if (r.status !== 0) fail(`make C=2 CHECK=${check}: ${r.stderr.slice(-500)}`);
    checked = (r.stdout.match(/^ {2}CHECK {3}/gm) ?? []).length;
    // the first round warms the page cache
    if (i > 0) times.get(label).push(r.seconds);
  }
}
const m = (label) => median(times.get(label));
process.stdout.write(`make -j2 C=2 ${dir} (${checked} files checked) on ${build}: ${runs} interleaved runs, medians\n`);
for (const [label] of checkers) process.stdout.write(`  ${label.padEnd(26)} ${m(label).toFixed(3)} s\n`);
const base = m('CHECK=true (make alone)');
const ours = m('mnlint kbuild') - base;
const sparse = m('sparse') - base;
process.stdout.write(`  checker time over make's: mnlint ${ours.toFixed(3)} s, sparse ${sparse.toFixed(3)} s: mnlint/sparse ${(ours / sparse).toFixed(2)}x\n`);
