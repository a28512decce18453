// The real-file benchmark of the real-bug set: every fix's pre-fix and
// post-fix files inside their release trees, scanned as a user would scan the
// directory (the API level read from the tree's own header and Makefile).
// Recall: the bug's rule fires in the pre-fix file at the fixed function (or a
// helper the fix touched). Post-fix clean: no error of that rule there after
// the fix. Used by bench/history.ts (the catalogue test reads its function finder).
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { analyze } from '../../src/engine/analyze.js';
import { derivedFactsFor } from '../../src/engine/derived-facts.js';
import { scan } from '../../src/engine/scan.js';
import { apiOfTree } from '../../src/input/tree.js';
import type { Finding } from '../../src/rules/rule.js';
import { REPO } from '../helpers.js';
import { kernelDir } from '../kernel-trees.js';
import { BUGS, type HistoricBug, type ReleaseSite } from './bugs.js';

/** The tree of a release: `<x.y>-debian` is the unpacked Debian source, anything else a directory of .cache/releases. */
export function releaseRoot(release: string): string {
  const debian = /^(\d+\.\d+)-debian$/.exec(release);
  if (debian) return kernelDir(debian[1]!);
  return join(process.env.MNLINT_RELEASE_CACHE ?? join(REPO, '.cache', 'releases'), release);
}

/** A release tree is there when its top Makefile and notifier header are. */
export function haveRelease(release: string): boolean {
  const root = releaseRoot(release);
  return existsSync(join(root, 'Makefile')) && existsSync(join(root, 'include', 'linux', 'mmu_notifier.h'));
}

/** Lines [first, last] of the definitions of `fn` in a C text (a name at the start of a line, or after its return type there, then its body). */
export function functionSpans(text: string, fn: string): [number, number][] {
  const lines = text.split('\n');
  const head = new RegExp(`^(?:[A-Za-z_][\\w\\s\\*]*?[\\s\\*])?${fn}\\s*\\(`);
  const spans: [number, number][] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!head.test(lines[i]!)) continue;
    // the parameter list may run over lines; a prototype ends with ';' before any '{'
    let depth = 0;
    let opened = false;
    let end = -1;
    for (let j = i; j < lines.length && end === -1; j++) {
      for (const ch of lines[j]!) {
        if (!opened && ch === ';' && depth === 0) {
          end = -2;
          break;
        }
        if (ch === '{') {
          depth++;
          opened = true;
        } else if (ch === '}') {
          depth--;
          if (opened && depth === 0) {
            end = j;
            break;
          }
        }
      }
    }
    if (end >= 0) spans.push([i + 1, end + 1]);
  }
  return spans;
}

export interface SiteResult {
  release: string;
  /** findings of the bug's rule at the fix (any severity) */
  atFix: Finding[];
  /** of those, errors */
  errors: Finding[];
  /** every finding of the rule anywhere in the directory (for the diagnosis) */
  elsewhere: number;
  /** the fixed function was not found in the file */
  missingFunction?: string;
}

export interface RealResult {
  bug: HistoricBug;
  /** why the bug has no real-file measure (no release carries it, no rule, a tree not cached) */
  skipped?: string;
  pre?: SiteResult;
  post?: SiteResult;
  /** the rule fires at the fix in the pre-fix file */
  found?: boolean;
  /** no error of the rule at the fix in the post-fix file */
  clean?: boolean;
  /** no finding of the rule at the fix in the post-fix file, warnings included: the fix tells the two apart */
  quiet?: boolean;
}

const scans = new Map<string, Promise<Finding[]>>();

/** All findings of a directory of a release (memoized: several bugs share a tree and directory). */
export function findingsOf(release: string, dir: string | readonly string[]): Promise<Finding[]> {
  const dirs = typeof dir === 'string' ? [dir] : dir;
  const key = `${release}\0${dirs.join('\0')}`;
  let p = scans.get(key);
  if (!p) {
    p = (async () => {
      const root = releaseRoot(release);
      const r = await scan({ paths: dirs.map((d) => join(root, d)), root, jobs: 1 });
      const files = r.files;
      // the facts derived from that release's own code, as `mnlint check` in its tree uses them
      return analyze(files, r.index, undefined, apiOfTree(root), derivedFactsFor(root, 'history-bench', join(REPO, '.cache', 'history')));
    })();
    scans.set(key, p);
  }
  return p;
}

function atSite(findings: readonly Finding[], site: ReleaseSite, rule: string, match?: string): SiteResult {
  const root = releaseRoot(site.release);
  const text = readFileSync(join(root, site.file), 'utf8');
  const spans = site.fns.flatMap((fn) => functionSpans(text, fn));
  const fileOf = (f: Finding): string => relative(root, join(root, f.file));
  const path = match === undefined ? undefined : new RegExp(match);
  const ofRule = findings.filter((f) => f.rule === rule && (!path || path.test([f.message, ...f.steps.map((s) => s.text)].join('\n'))));
  const named = (f: Finding): boolean => site.fns.some((fn) => f.function === fn || new RegExp(`\\b${fn}\\(\\)`).test(f.message));
  const atFix = ofRule.filter((f) => (fileOf(f) === site.file && spans.some(([a, b]) => f.line >= a && f.line <= b)) || named(f));
  const result: SiteResult = { release: site.release, atFix, errors: atFix.filter((f) => f.severity === 'error'), elsewhere: ofRule.length - atFix.length };
  if (functionSpans(text, site.fns[0]!).length === 0) result.missingFunction = site.fns[0];
  return result;
}

export async function evaluateReal(bug: HistoricBug): Promise<RealResult> {
  const real = bug.real;
  if ('none' in real) return { bug, skipped: `no release: ${real.none}` };
  if (bug.rule === null) return { bug, skipped: `no rule: ${bug.why ?? ''}` };
  const absent = [real.pre.release, real.post.release].filter((r) => !haveRelease(r));
  if (absent.length) return { bug, skipped: `not cached: ${absent.join(', ')}` };
  const pre = atSite(await findingsOf(real.pre.release, real.pre.dir), real.pre, bug.rule, real.match);
  const post = atSite(await findingsOf(real.post.release, real.post.dir), real.post, bug.rule, real.match);
  return { bug, pre, post, found: pre.atFix.length > 0, clean: post.errors.length === 0, quiet: post.atFix.length === 0 };
}

const pct = (a: number, b: number): string => (b === 0 ? '-' : `${Math.round((100 * a) / b)}%`);

/** The per-bug table and the totals; deterministic (catalogue order, sorted findings). */
export function realTable(results: readonly RealResult[]): string {
  const measured = results.filter((r) => r.found !== undefined);
  const found = measured.filter((r) => r.found).length;
  const clean = measured.filter((r) => r.clean).length;
  const quiet = measured.filter((r) => r.quiet).length;
  const strict = measured.filter((r) => r.found && r.quiet).length;
  const releases = new Set(measured.flatMap((r) => [r.pre!.release, r.post!.release]));
  const lines = [
    `real pre-fix/post-fix files: recall ${found}/${measured.length} (${pct(found, measured.length)}), post-fix clean ${clean}/${measured.length} (${pct(clean, measured.length)}), quiet ${quiet}/${measured.length} (no warning either); found and quiet after the fix ${strict}/${measured.length} (${pct(strict, measured.length)}); ${results.length - measured.length} of ${results.length} fixes not measured; ${releases.size} release trees`,
  ];
  for (const r of results) {
    const b = r.bug;
    if (r.found === undefined) {
      lines.push(`  skip   ${b.id.padEnd(28)} ${r.skipped}`);
      continue;
    }
    const where = (s: SiteResult): string =>
      s.atFix.length
        ? s.atFix
            .map((f) => `${f.severity} ${f.file}:${f.line}`)
            .sort()
            .join(', ')
        : `none at the fix${s.elsewhere ? ` (${s.elsewhere} elsewhere)` : ''}${s.missingFunction ? ` [${s.missingFunction}() not found]` : ''}`;
    lines.push(
      `  ${r.found ? 'found ' : 'missed'} ${r.clean ? 'clean ' : 'DIRTY '} ${b.id.padEnd(28)} ${(b.rule ?? '').padEnd(28)} ${b.invariant.padEnd(3)} ${r.pre!.release} -> ${r.post!.release}`,
      `         pre:  ${where(r.pre!)}`,
      `         post: ${where(r.post!)}`,
    );
    if (!r.found) lines.push(`         why missed: ${b.miss ?? '(no diagnosis recorded)'}`);
  }
  return lines.join('\n');
}

export async function evaluateAllReal(bugs: readonly HistoricBug[] = BUGS): Promise<RealResult[]> {
  const out: RealResult[] = [];
  for (const b of bugs) out.push(await evaluateReal(b));
  return out;
}
