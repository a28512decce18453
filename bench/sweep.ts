// The release sweep (issue 21): every notifier user of each release tree of
// bench/releases/manifest.json (the fetched ones, rebuilt into
// .cache/releases by bench/releases/build-cache.sh, and Debian's 6.1 and
// 6.12), grouped by directory, each directory checked whole with the built
// CLI from the release's own tree, as a user would:
//   cd TREE && mnlint check --kernel VERSION --format json DIR
// Prints a table per release (user files, directories, errors, warnings,
// time) and every error; writes the raw JSON to .cache/sweep/<version>/.
//   npx tsx bench/sweep.ts [versions...] [--cache]
// --cache keeps mnlint's IR cache (default --no-cache: the times are of a
// cold run). A release whose tree is missing is named with the command that
// makes it, and the run exits 2 after the others.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, resolve } from 'node:path';
import { API_LEVELS, apiForKernel } from '../src/model/api.js';
import { CheckReportSchema, type CheckReport } from '../src/report/schema.js';
import { compareVersions, loadManifest, REPO_ROOT, type Release, releaseTree } from './releases/manifest.js';

/** what makes a file a notifier user: an ops table, or a call of the registration API */
const USER =
  /\b(mmu_notifier_ops|mmu_interval_notifier_ops|mmu_interval_notifier_insert(_locked)?|(__)?mmu_notifier_register|mmu_notifier_get(_locked)?|mmu_notifier_unregister(_no_release)?|mmu_notifier_put|mmu_interval_notifier_remove)\b/;
/** the core defines the API; it is no user */
const CORE = new Set(['mm/mmu_notifier.c', 'include/linux/mmu_notifier.h']);

const cli = resolve(REPO_ROOT, 'dist', 'cli.js');
const outRoot = resolve(REPO_ROOT, '.cache', 'sweep');

interface DirResult {
  dir: string;
  users: string[];
  report: CheckReport | null;
  exit: number | null;
  stderr: string;
  seconds: number;
}

interface ErrorRow {
  release: string;
  rule: string;
  file: string;
  function: string;
  line: number;
  message: string;
}

function fail(message: string): never {
  process.stderr.write(`sweep: ${message}\n`);
  process.exit(2);
}

/** every user file of a tree, tree-relative, sorted (grep -l over the C files) */
function usersOf(tree: string): string[] {
  const r = spawnSync('grep', ['-rlE', '--include=*.c', USER.source, '.'], { cwd: tree, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0 && r.status !== 1) fail(`grep in ${tree}: ${r.stderr.trim()}`);
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => normalize(l))
    .filter((f) => !CORE.has(f))
    .sort();
}

/** the --kernel the CLI takes for a release: its own, else (a release older than every level) the oldest level, said why */
function kernelFlag(version: string): { flag: string; note: string } {
  if (apiForKernel(version) !== undefined) return { flag: version, note: '' };
  const oldest = API_LEVELS[0]!.id;
  return { flag: oldest, note: `--kernel ${version} is not modelled: checked at level ${oldest}` };
}

function checkDir(tree: string, dir: string, kernel: string, cache: boolean): Omit<DirResult, 'users'> {
  const args = [cli, 'check', '--kernel', kernel, '--format', 'json', '--fail-on', 'never', '-q', ...(cache ? [] : ['--no-cache']), dir];
  const t = process.hrtime.bigint();
  const r = spawnSync('node', args, { cwd: tree, encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  let report: CheckReport | null = null;
  try {
    report = CheckReportSchema.parse(JSON.parse(r.stdout));
  } catch {
    report = null;
  }
  return { dir, report, exit: r.status, stderr: r.stderr, seconds };
}

const args = process.argv.slice(2);
const cache = args.includes('--cache');
const wanted = args.filter((a) => !a.startsWith('--'));
if (!existsSync(cli)) fail('dist/cli.js is missing: run `npm run build`');
const manifest = loadManifest();
for (const w of wanted) if (!manifest.releases.some((r) => r.version === w)) fail(`no release ${w} in bench/releases/manifest.json`);
const releases = manifest.releases.filter((r) => wanted.length === 0 || wanted.includes(r.version)).sort((a, b) => compareVersions(a.version, b.version));

const missing: string[] = [];
const summary: { release: string; makefile: string; level: string; users: number; dirs: number; errors: number; warnings: number; seconds: number; problems: number }[] = [];
const errors: ErrorRow[] = [];
const problems: string[] = [];

function missingHow(r: Release): string {
  return r.source === 'debian' ? 'scripts/fetch-kernels.sh --unpack-only' : `bench/releases/build-cache.sh ${r.version} (after the fetch tool with github:${r.repo})`;
}

for (const rel of releases) {
  const tree = releaseTree(rel);
  if (!existsSync(join(tree, 'Makefile'))) {
    missing.push(`${rel.version}: no tree at ${tree}: run ${missingHow(rel)}`);
    continue;
  }
  const users = usersOf(tree);
  const byDir = new Map<string, string[]>();
  for (const f of users) {
    const d = dirname(f);
    byDir.set(d, [...(byDir.get(d) ?? []), f]);
  }
  const { flag, note } = kernelFlag(rel.version);
  const out = join(outRoot, rel.version);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const results: DirResult[] = [];
  for (const dir of [...byDir.keys()].sort()) {
    const r = { ...checkDir(tree, dir, flag, cache), users: byDir.get(dir)! };
    results.push(r);
    writeFileSync(join(out, `${dir.replaceAll('/', '__')}.json`), `${JSON.stringify({ dir, users: r.users, exit: r.exit, stderr: r.stderr, report: r.report }, null, 2)}\n`);
  }
  // a user directory inside another (drivers/gpu/drm and its drivers) is
  // checked twice: a finding counts once a release
  const seen = new Set<string>();
  let errs = 0;
  let warns = 0;
  let probs = 0;
  for (const r of results) {
    if (r.report === null) {
      probs++;
      problems.push(`${rel.version} ${r.dir}: no JSON report (exit ${r.exit}): ${r.stderr.trim().split('\n')[0] ?? ''}`);
      continue;
    }
    if (r.exit === 2) {
      probs++;
      for (const l of r.stderr.trim().split('\n')) if (l !== '') problems.push(`${rel.version} ${r.dir}: ${l}`);
    }
    for (const f of r.report.findings) {
      const file = normalize(join(r.dir, f.file));
      const key = [f.severity, f.rule, file, f.line, f.function, f.message].join('\0');
      if (seen.has(key)) continue;
      seen.add(key);
      if (f.severity === 'warning') warns++;
      if (f.severity !== 'error') continue;
      errs++;
      errors.push({ release: rel.version, rule: f.rule, file, function: f.function ?? '-', line: f.line, message: f.message });
    }
  }
  const seconds = results.reduce((s, r) => s + r.seconds, 0);
  summary.push({ release: rel.version, makefile: rel.makefile, level: flag, users: users.length, dirs: results.length, errors: errs, warnings: warns, seconds, problems: probs });
  console.log(`\n## ${rel.version} (Makefile ${rel.makefile}, --kernel ${flag}${note ? `; ${note}` : ''}): ${users.length} user files in ${results.length} directories`);
  console.log(`| directory | user files | files | parsed | tables | errors | warnings | time (s) |`);
  console.log(`| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`);
  for (const r of results) {
    const s = r.report?.stats;
    const e = r.report?.findings.filter((f) => f.severity === 'error').length ?? '?';
    const w = r.report?.findings.filter((f) => f.severity === 'warning').length ?? '?';
    console.log(`| ${r.dir} | ${r.users.length} | ${s?.files ?? '?'} | ${s?.parsedFiles ?? '?'} | ${s?.tables ?? '?'} | ${e} | ${w} | ${r.seconds.toFixed(1)} |`);
  }
  console.log(`| **total** (distinct findings) | ${users.length} | | | | ${errs} | ${warns} | ${seconds.toFixed(1)} |`);
}

errors.sort((a, b) => compareVersions(a.release, b.release) || a.file.localeCompare(b.file) || a.line - b.line || a.rule.localeCompare(b.rule) || a.message.localeCompare(b.message));
console.log('\n## Summary');
console.log('| release | Makefile | --kernel | user files | directories | errors | warnings | time (s) |');
console.log('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |');
for (const s of summary) console.log(`| ${s.release} | ${s.makefile} | ${s.level} | ${s.users} | ${s.dirs} | ${s.errors} | ${s.warnings} | ${s.seconds.toFixed(1)} |`);
const total = summary.reduce((t, s) => ({ e: t.e + s.errors, w: t.w + s.warnings }), { e: 0, w: 0 });
console.log(`| **total** | | | | | ${total.e} | ${total.w} | |`);
console.log('\n## Errors');
console.log('| release | rule | file | function | line | message |');
console.log('| --- | --- | --- | --- | ---: | --- |');
for (const e of errors) console.log(`| ${e.release} | ${e.rule} | ${e.file} | ${e.function} | ${e.line} | ${e.message.replaceAll('|', '\\|')} |`);
if (problems.length > 0) {
  console.log('\n## Input problems (exit 2: results incomplete)');
  for (const p of problems.sort()) console.log(`- ${p}`);
}
mkdirSync(outRoot, { recursive: true });
writeFileSync(join(outRoot, 'errors.json'), `${JSON.stringify(errors, null, 2)}\n`);
writeFileSync(join(outRoot, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
console.log(`\nraw results: ${outRoot}/ (${readdirSync(outRoot).length} entries)`);
for (const m of missing) console.error(`sweep: ${m}`);
if (missing.length > 0) process.exit(2);
