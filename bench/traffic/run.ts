// The traffic bench (issue 22 item 6): every posting of bench/traffic/manifest.json
// reviewed as `mnlint patch --tree <its base> --format json` on its own mail.
// A Fixes target counts as found when a finding lands on the bug's function or
// lines; a good posting has a false error / false warning when a finding of
// that severity lands on a line it changes. Also: how each patch applied.
//   node scripts/build.mjs && npx tsx bench/traffic/fetch-mails.ts && npx tsx bench/traffic/run.ts [KEY...]
// Needs the release trees (bench/releases/build-cache.sh) and the mail cache.
// Writes the per-posting results to .cache/traffic/results.json.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CACHE, loadTrafficManifest, mailPath, type Posting, REPO_ROOT } from './manifest.js';

interface Finding {
  rule: string;
  severity: string;
  file: string;
  line: number;
  function?: string;
  message: string;
}

/** the post-image of one file in a patch: every line's text, and the lines the patch adds or deletes at */
interface FileImage {
  lines: Map<number, string>;
  changed: Set<number>;
}

/** the unified diff git mailinfo takes out of a mail (decoding base64 and quoted-printable) */
function extractDiff(mail: string): string {
  const dir = join(CACHE, '.mailinfo');
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('git', ['mailinfo', join(dir, 'msg'), join(dir, 'patch')], { input: readFileSync(mail), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git mailinfo ${mail}: ${r.stderr}`);
  return readFileSync(join(dir, 'patch'), 'utf8');
}

/** post-image line numbers (in the mail's coordinates) of every file a diff touches */
function postImage(diff: string): Map<string, FileImage> {
  const files = new Map<string, FileImage>();
  let cur: FileImage | undefined;
  let line = 0;
  let inHunk = false;
  for (const raw of diff.split('\n')) {
    const plus = /^\+\+\+ (?:b\/)?(\S+)/.exec(raw);
    if (plus && !inHunk) {
      cur = { lines: new Map(), changed: new Set() };
      files.set(plus[1]!, cur);
      continue;
    }
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(raw);
    if (hunk) {
      line = Number(hunk[1]);
      inHunk = true;
      continue;
    }
    if (!cur || !inHunk) continue;
    if (raw.startsWith('diff ') || raw.startsWith('--- ') || raw === '-- ' || raw === '--') {
      inHunk = false;
      continue;
    }
    if (raw.startsWith('+')) {
      cur.lines.set(line, raw.slice(1));
      cur.changed.add(line);
      line++;
    } else if (raw.startsWith('-')) cur.changed.add(line);
    else if (raw.startsWith(' ') || raw === '') {
      cur.lines.set(line, raw.slice(1));
      line++;
    } else if (!raw.startsWith('\\')) inHunk = false;
  }
  return files;
}

function touchedFiles(diff: string): string[] {
  return [...diff.matchAll(/^(?:\+\+\+|---) (?:[ab]\/)?(\S+)/gm)].map((m) => m[1]!).filter((f) => f !== '/dev/null');
}

/** GNU patch --dry-run: hunks that apply and those that do not (the tool a maintainer would try) */
function dryRun(diff: string, tree: string, reverse = false): { hunks: number; failed: string[]; inTree?: boolean } {
  const r = spawnSync('patch', ['-p1', '--dry-run', '-f', '-d', tree, ...(reverse ? ['-R'] : [])], { input: diff, encoding: 'utf8' });
  const out = `${r.stdout}${r.stderr}`;
  const hunks = (diff.match(/^@@ /gm) ?? []).length;
  const failed = [...out.matchAll(/Hunk #(\d+) FAILED at (\d+)/g)].map((m) => `hunk ${m[1]} (at ${m[2]})`);
  for (const m of out.matchAll(/can't find file to patch[\s\S]*?\n\|(?:---|diff)[^\n]*\n/g)) failed.push(`a file absent (${m[0].split('\n')[0]})`);
  const missingFiles = [...out.matchAll(/No file to patch\.\s+Skipping patch\.\s*\n(\d+) out of (\d+) hunks? ignored/g)];
  for (const m of missingFiles) failed.push(`${m[1]} hunks of a file absent from the tree`);
  if (failed.length && !reverse && dryRun(diff, tree, true).failed.length === 0) return { hunks, failed: [], inTree: true };
  return { hunks, failed };
}

/** the tree a posting is reviewed against: its base, or a hard-linked copy with the prepare steps applied
 * (hard links, not symlinks: mnlint's directory scan does not follow symlinks) */
function treeFor(p: Posting, diffs: Map<string, string>): string {
  const base = resolve(REPO_ROOT, '.cache', p.base.tree);
  if (!existsSync(base)) throw new Error(`${p.key}: no tree ${base} (bench/releases/build-cache.sh)`);
  const steps = p.base.prepare ?? [];
  if (!steps.length) return base;
  const dir = join(CACHE, 'trees', p.key);
  const stamp = JSON.stringify({ base: p.base.tree, steps });
  if (existsSync(join(dir, '.prepared')) && readFileSync(join(dir, '.prepared'), 'utf8') === stamp) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  const cp = spawnSync('cp', ['-al', base, dir], { encoding: 'utf8' });
  if (cp.status !== 0) throw new Error(`${p.key}: cp -al ${base}: ${cp.stderr}`);
  for (const s of steps) {
    const diff = diffs.get(s.mail);
    if (diff === undefined) throw new Error(`${p.key}: prepare mail ${s.mail} is not cached`);
    // the files the step writes become copies of their own, so the base tree is never touched
    for (const f of touchedFiles(diff)) {
      const at = join(dir, f);
      if (existsSync(at) && lstatSync(at).nlink > 1) {
        unlinkSync(at);
        copyFileSync(join(base, f), at);
      }
    }
    const r = spawnSync('patch', ['-p1', '-f', '-s', '--no-backup-if-mismatch', '-d', dir, ...(s.reverse ? ['-R'] : [])], { input: diff, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${p.key}: prepare step ${s.reverse ? 'reverse ' : ''}${s.mail} does not apply: ${r.stdout}${r.stderr}`);
  }
  writeFileSync(join(dir, '.prepared'), stamp);
  return dir;
}

interface Result {
  key: string;
  kind: Posting['kind'];
  subject: string;
  base: string;
  patchTool: { hunks: number; failed: string[]; inTree?: boolean };
  applied: 'applied' | 'partial' | 'failed';
  rejected: string[];
  problems: string[];
  findings: Finding[];
  found?: { rule: string; severity: string; line: number; function?: string; expected: boolean }[];
  inChanged: Finding[];
  error?: string;
}

function review(p: Posting, tree: string): { findings: Finding[]; problems: string[]; rejected: string[]; partial: boolean; reviewed: boolean } {
  const r = spawnSync(process.execPath, [resolve(REPO_ROOT, 'dist', 'cli.js'), 'patch', '--tree', tree, '--format', 'json', '--fail-on', 'never', mailPath(p.key)], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0 && !r.stdout.trim()) throw new Error(`mnlint patch exited ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const json = JSON.parse(r.stdout) as { partial?: boolean; series: { patches: Record<string, unknown>[] }[] };
  const findings: Finding[] = [];
  const problems: string[] = [];
  const rejected: string[] = [];
  let partial = false;
  let reviewed = false;
  for (const s of json.series) {
    for (const patch of s.patches) {
      findings.push(...((patch.findings as Finding[] | undefined) ?? []));
      problems.push(...((patch.problems as string[] | undefined) ?? []));
      // fields the partial-application work adds; read when present
      for (const name of ['rejected', 'rejectedHunks']) {
        const v = patch[name];
        if (Array.isArray(v)) rejected.push(...v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))));
      }
      if (patch.partial === true) partial = true;
      if (patch.findings !== undefined || patch.fixed !== undefined) reviewed = true;
    }
  }
  if (json.partial === true) partial = true;
  return { findings, problems, rejected, partial, reviewed };
}

const APPLY_PROBLEM = /does not apply|does not exist|already applied|cannot apply|rejected/;

function near(line: number, lines: number[]): boolean {
  return lines.some((l) => Math.abs(l - line) <= 1);
}

function run(): void {
  const m = loadTrafficManifest();
  const wanted = process.argv.slice(2);
  if (!existsSync(resolve(REPO_ROOT, 'dist', 'cli.js'))) {
    console.error('traffic: no dist/cli.js: run node scripts/build.mjs');
    process.exit(2);
  }
  const diffs = new Map<string, string>();
  for (const p of m.postings) if (existsSync(mailPath(p.key))) diffs.set(p.key, extractDiff(mailPath(p.key)));
  const results: Result[] = [];
  for (const p of m.postings) {
    if (wanted.length && !wanted.includes(p.key)) continue;
    const diff = diffs.get(p.key);
    const base: Result = { key: p.key, kind: p.kind, subject: p.subject, base: p.base.tree, patchTool: { hunks: 0, failed: [] }, applied: 'failed', rejected: [], problems: [], findings: [], inChanged: [] };
    if (diff === undefined) {
      results.push({ ...base, error: 'mail not cached (bench/traffic/fetch-mails.ts)' });
      continue;
    }
    try {
      const tree = treeFor(p, diffs);
      const patchTool = dryRun(diff, tree);
      const rv = review(p, tree);
      const applyProblems = rv.problems.filter((x) => APPLY_PROBLEM.test(x));
      const rejected = rv.rejected.length ? rv.rejected : applyProblems;
      const applied: Result['applied'] = !applyProblems.length && !rv.rejected.length ? 'applied' : (rv.partial || rv.rejected.length) && rv.reviewed ? 'partial' : 'failed';
      const image = postImage(diff);
      const r: Result = { ...base, patchTool, applied, rejected, problems: rv.problems, findings: rv.findings };
      if (p.kind === 'fixes-target' && p.bug) {
        const bug = p.bug;
        const bugLines: number[] = [];
        for (const [file, img] of image) {
          if (file !== bug.file && !bug.functions.length) continue;
          for (const [n, text] of img.lines) if (bug.lines.some((l) => text.trim() === l.trim() || text.includes(l))) bugLines.push(n);
        }
        r.found = rv.findings
          .filter((f) => (f.function !== undefined && bug.functions.includes(f.function)) || (f.file === bug.file && near(f.line, bugLines)))
          .map((f) => ({ rule: f.rule, severity: f.severity, line: f.line, function: f.function, expected: bug.expectedRules.includes(f.rule) }));
      }
      r.inChanged = rv.findings.filter((f) => (f.severity === 'error' || f.severity === 'warning') && image.get(f.file)?.changed.has(f.line));
      results.push(r);
    } catch (e) {
      results.push({ ...base, error: e instanceof Error ? e.message : String(e) });
    }
    const last = results.at(-1)!;
    process.stderr.write(`${last.key} ${last.applied}${last.error ? ` (${last.error})` : ''}\n`);
  }
  writeFileSync(join(CACHE, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  report(results, m.llmBotRecall, m.postings);
}

function report(results: Result[], llm: number, postings: Posting[]): void {
  const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : 'n/a');
  console.log('key  kind          applied  patch(1)    findings  result');
  for (const r of results) {
    const p = postings.find((q) => q.key === r.key)!;
    const tool = r.patchTool.inTree ? 'in tree' : `${r.patchTool.hunks - r.patchTool.failed.length}/${r.patchTool.hunks}`;
    let what: string;
    if (r.error) what = `error: ${r.error}`;
    else if (r.kind === 'fixes-target') {
      const hit = r.found ?? [];
      what = hit.length
        ? `FOUND ${hit.map((h) => `${h.rule}${h.expected ? '' : '(unexpected rule)'} ${h.severity} line ${h.line} in ${h.function ?? '?'}`).join('; ')}`
        : `missed (expected ${p.bug?.expectedRules.join(', ') || 'no rule: out of scope'} in ${p.bug?.functions.join(', ')})`;
    } else {
      const e = r.inChanged.filter((f) => f.severity === 'error');
      const w = r.inChanged.filter((f) => f.severity === 'warning');
      const tag = (f: Finding) => (p.triaged?.some((t) => t.rule === f.rule && t.file === f.file) ? 'TRUE (triaged)' : 'FALSE');
      what = e.length || w.length ? [...e, ...w].map((f) => `${tag(f)} ${f.severity} ${f.rule} ${f.file}:${f.line}`).join('; ') : 'clean on its changed lines';
    }
    const rej = r.applied !== 'applied' && r.rejected.length ? ` [${r.rejected.join('; ')}]` : '';
    console.log(`${r.key.padEnd(4)} ${r.kind.padEnd(13)} ${r.applied.padEnd(8)} ${tool.padEnd(11)} ${String(r.findings.length).padEnd(9)} ${what}${rej}`);
  }
  const ok = results.filter((r) => !r.error);
  const count = (a: Result['applied']) => ok.filter((r) => r.applied === a).length;
  console.log(`\napplication (mnlint): ${count('applied')} applied, ${count('partial')} partial, ${count('failed')} failed, ${results.length - ok.length} not run`);
  const toolFull = ok.filter((r) => !r.patchTool.failed.length && !r.patchTool.inTree).length;
  const inTree = ok.filter((r) => r.patchTool.inTree).length;
  console.log(`application (GNU patch --dry-run on the same trees): ${toolFull}/${ok.length} apply fully, ${inTree} already in the tree (reverse applies)`);
  const targets = results.filter((r) => r.kind === 'fixes-target');
  const found = targets.filter((r) => r.found?.length);
  const inScope = targets.filter((r) => postings.find((p) => p.key === r.key)?.bug?.inScope);
  const foundInScope = inScope.filter((r) => r.found?.length);
  const reviewed = targets.filter((r) => r.applied !== 'failed' && !r.error);
  const strict = targets.filter((r) => r.found?.some((f) => f.expected));
  console.log(`recall on Fixes targets: ${found.length}/${targets.length} = ${pct(found.length, targets.length)} (LLM review bot: ${(llm * 100).toFixed(1)}%)`);
  console.log(`  with the rule the fix calls for: ${strict.length}/${targets.length} = ${pct(strict.length, targets.length)}`);
  console.log(`  of those mnlint could review (applied or partial): ${found.length}/${reviewed.length}; in the rules' scope: ${foundInScope.length}/${inScope.length}`);
  const good = results.filter((r) => r.kind === 'good' && !r.error);
  // a finding triage found true (the manifest's `triaged`, each with its reason) is not false
  const isTrue = (r: Result, f: Finding) => postings.find((p) => p.key === r.key)?.triaged?.some((t) => t.rule === f.rule && t.file === f.file) ?? false;
  const withSeverity = (sev: string, triaged: boolean) => good.filter((r) => r.inChanged.some((f) => f.severity === sev && !(triaged && isTrue(r, f))));
  const goodReviewed = good.filter((r) => r.applied !== 'failed');
  for (const sev of ['error', 'warning']) {
    const any = withSeverity(sev, false);
    const fals = withSeverity(sev, true);
    console.log(`good postings with a false ${sev} on their changed lines: ${fals.length}/${good.length} = ${pct(fals.length, good.length)} (${fals.length}/${goodReviewed.length} of those reviewed)`);
    const real = any.filter((r) => !fals.includes(r));
    if (real.length) console.log(`  and with a ${sev} there that triage found true: ${real.map((r) => r.key).join(', ')} (${any.length}/${good.length} = ${pct(any.length, good.length)} with any ${sev})`);
  }
}

run();
