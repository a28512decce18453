// Shared by the benchmark scripts: timing a command (and its peak RSS) and medians.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The value after `--name` on the command line, or the fallback. */
export function option(name, fallback) {
  const args = process.argv.slice(2);
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
}

export function fail(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

const haveTime = existsSync('/usr/bin/time');

/** Runs a command; wall seconds and, with /usr/bin/time, peak RSS in MB. */
export function measure(cmd, argv, cwd) {
  const full = haveTime ? ['/usr/bin/time', ['-f', '%M', cmd, ...argv]] : [cmd, argv];
  const t = process.hrtime.bigint();
  const r = spawnSync(full[0], full[1], { cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.error) fail(`${cmd}: ${r.error.message}`);
  let rssMB = null;
  if (haveTime) {
    const last = r.stderr.trim().split('\n').pop() ?? '';
    if (/^\d+$/.test(last)) rssMB = Number(last) / 1024;
  }
  return { seconds, rssMB, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Times two commands interleaved (A B A B ...) after one warm-up of each;
 * medians, the runs, and A's peak RSS.
 */
export function compare(runs, label, a, b) {
  measure(...a.cmd);
  measure(...b.cmd);
  const ta = [];
  const tb = [];
  const rss = [];
  for (let i = 0; i < runs; i++) {
    const ra = measure(...a.cmd);
    if (a.check) a.check(ra);
    ta.push(ra.seconds);
    if (ra.rssMB !== null) rss.push(ra.rssMB);
    tb.push(measure(...b.cmd).seconds);
  }
  return { label, a: a.name, b: b.name, aMedian: median(ta), bMedian: median(tb), aRuns: ta, bRuns: tb, aPeakRssMB: rss.length ? Math.max(...rss) : null };
}
