// Issue 6 figures: `mnlint checklist` on seed 004 against Linux 6.12, and
// `mnlint watch` over a public-inbox v2 archive of 100 series (the drv v2
// series, 4 mails each, with fresh Message-IDs), first run and an idle re-run.
//   npx tsx bench/checklist.ts [--runs N] [--kernel DIR]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fail, measure, median, option } from './lib.mjs';
import { seed004Mbox } from '../test/seeds.js';
import { kernelDir } from '../test/kernel-trees.js';

const runs = Number(option('--runs', '5'));
const kernel = resolve(option('--kernel', kernelDir('6.12')));
const repoRoot = resolve(import.meta.dirname, '..');
const cli = join(repoRoot, 'dist', 'cli.js');
const SERIES = 100;

const dir = mkdtempSync(join(tmpdir(), 'mnlint-bench-checklist-'));
try {
  const mbox = join(dir, 'seed-004.mbox');
  writeFileSync(mbox, seed004Mbox().mbox);
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const r = measure(process.execPath, [cli, 'checklist', '--format', 'json', '--tree', kernel, '--api', 'two-pass-v2', mbox], repoRoot);
    if (r.status === 2) fail(`checklist failed: ${r.stderr.trim()}`);
    if (i) times.push(r.seconds); // the first run warms the page cache
  }
  console.log(`checklist, seed 004 v2 1/4 on Linux 6.12: median ${median(times).toFixed(3)} s over ${runs} runs`);

  // the archive: one epoch, a commit per message
  const epoch = join(dir, 'inbox', 'git', '0.git');
  mkdirSync(join(dir, 'inbox', 'git'), { recursive: true });
  spawnSync('git', ['init', '-q', '--bare', epoch]);
  const split = join(dir, 'mails');
  mkdirSync(split);
  spawnSync('git', ['mailsplit', `-o${split}`, join(repoRoot, 'fixtures/patches/drv-v2.mbox')]);
  const mails = readdirSync(split)
    .sort()
    .map((f) => readFileSync(join(split, f), 'utf8'));
  const stream: string[] = [];
  let mark = 0;
  for (let s = 0; s < SERIES; s++) {
    for (const m of mails) {
      const raw = m.replace(/<([^>@]+)@/g, `<s${s}-$1@`);
      stream.push(
        `commit refs/heads/master\nmark :${++mark}\ncommitter pi <pi@example.invalid> ${1795300000 + mark} +0000\ndata 8\nmessage\n${mark > 1 ? `from :${mark - 1}\n` : ''}M 644 inline m\ndata ${Buffer.byteLength(raw)}\n${raw}\n`,
      );
    }
  }
  const imported = spawnSync('git', ['--git-dir', epoch, 'fast-import', '--quiet'], { input: stream.join('') });
  if (imported.status !== 0) fail(`git fast-import: ${imported.stderr.toString().trim()}`);
  spawnSync('git', ['--git-dir', epoch, 'symbolic-ref', 'HEAD', 'refs/heads/master']);
  const outbox = join(dir, 'outbox');
  const args = [cli, 'watch', '--public-inbox', join(dir, 'inbox'), '--outbox', outbox, '--tree', join(repoRoot, 'fixtures/trees/drv')];
  const first = measure(process.execPath, args, repoRoot);
  if (first.status !== 0) fail(`watch failed: ${first.stderr.trim()}`);
  const idle = measure(process.execPath, args, repoRoot);
  console.log(
    `watch, ${SERIES * mails.length} messages (${SERIES} series): first run ${first.seconds.toFixed(2)} s (${((SERIES * mails.length) / first.seconds).toFixed(0)} messages/s, peak RSS ${first.rssMB?.toFixed(0) ?? '?'} MB), ${first.stdout.trim().split('\n').pop()}`,
  );
  console.log(`watch, idle re-run: ${idle.seconds.toFixed(3)} s, ${idle.stdout.trim().split('\n').pop()}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
