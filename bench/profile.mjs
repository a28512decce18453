#!/usr/bin/env node
// Where a run spends its time (issue 14): the phases `mnlint check` marks with
// MNLINT_PROFILE=1, for the whole Linux 6.12 tree and for the files defining
// ops tables, with the bytes the prefilter and the parser see. Medians of
// --runs runs per phase.
//   node bench/profile.mjs [--runs N] [--kernel DIR] [--markdown]
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fail, option } from './lib.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(option('--runs', '5'));
const kernel = resolve(option('--kernel', resolve(repo, '.cache/kernels/linux-6.12')));
const cli = resolve(repo, 'dist/cli.js');
if (!existsSync(cli)) fail('dist/cli.js is missing: run `npm run build`');
if (!existsSync(resolve(kernel, 'MAINTAINERS'))) fail(`${kernel} is not a kernel tree: run npm run fetch-kernels`);

/** Phase name of a mark: its text without the counts. */
const phaseOf = (text) =>
  text
    .replace(/\(rss.*$/, '')
    .replace(/\d+/g, 'N')
    .trim();

function profile(args) {
  const all = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync('node', [cli, ...args], { cwd: kernel, encoding: 'utf8', env: { ...process.env, MNLINT_PROFILE: '1' }, maxBuffer: 1 << 28 });
    if (r.status === 2) fail(`mnlint ${args.join(' ')}: ${r.stderr.trim()}`);
    const marks = [...r.stderr.matchAll(/^mnlint: profile: (\d+) ms (.*?) \(rss (\d+) MB/gm)].map((m) => ({ at: Number(m[1]), text: m[2], rss: Number(m[3]) }));
    all.push(marks);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  // the phases of the first run, each a median over the runs that have it
  return all[0].map((m, k) => {
    const same = all.map((marks) => marks[k]).filter((x) => x && phaseOf(x.text) === phaseOf(m.text));
    const prev = all.map((marks) => marks[k - 1]?.at ?? 0);
    return { phase: m.text, at: median(same.map((x) => x.at)), took: median(same.map((x, j) => x.at - prev[j])), rss: median(same.map((x) => x.rss)) };
  });
}

function cBytes(dir) {
  let n = 0;
  let files = 0;
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop();
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory() && e.name !== '.git') stack.push(join(d, e.name));
      else if (e.isFile() && e.name.endsWith('.c')) {
        n += statSync(join(d, e.name)).size;
        files++;
      }
    }
  }
  return { n, files };
}

const inv = spawnSync('node', [cli, 'inventory', '--format', 'json', '.'], { cwd: kernel, encoding: 'utf8', maxBuffer: 1 << 28 });
const tableFiles = [...new Set(JSON.parse(inv.stdout).tables.map((t) => t.file))].sort();
const tree = cBytes(kernel);
const tableBytes = tableFiles.reduce((n, f) => n + statSync(join(kernel, f)).size, 0);
const md = process.argv.includes('--markdown');
for (const [label, args, bytes] of [
  [`whole tree (${tree.files} .c files, ${(tree.n / 1048576).toFixed(0)} MB read by the prefilter), IR cache warm`, ['check', '--format', 'json', '.'], tree.n],
  ['whole tree, --no-cache (every file parsed, as on a first run)', ['check', '--no-cache', '--format', 'json', '.'], tree.n],
  [`the ${tableFiles.length} files defining ops tables (${(tableBytes / 1024).toFixed(0)} KB), IR cache warm`, ['check', '--format', 'json', ...tableFiles], tableBytes],
]) {
  const rows = profile(args);
  process.stdout.write(md ? `\n${label}\n\n| ms since start | phase took | rss MB | phase |\n| ---: | ---: | ---: | --- |\n` : `\n${label}: medians of ${runs} runs\n`);
  for (const r of rows)
    process.stdout.write(md ? `| ${r.at} | ${r.took} | ${r.rss} | ${r.phase} |\n` : `  ${String(r.at).padStart(6)} ms  +${String(r.took).padStart(5)} ms  ${String(r.rss).padStart(4)} MB  ${r.phase}\n`);
  void bytes;
}
