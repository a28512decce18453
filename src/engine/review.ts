// Reviewing a series the way a maintainer does: each patch applied in order to
// its tree (a private in-memory copy of the touched files, laid over the tree),
// the touched drivers analyzed, and the findings kept to what the patch changes.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ApiLevel } from '../model/api.js';
import { identityOf, type Finding, type Rule, type Step } from '../rules/rule.js';
import { applyFilePatch, changePoints, changedLines, hunkOffsets, hunksOnly, patchLineOf, placedFilePatch, reverseFilePatch } from '../input/apply.js';
import { patchLabel, type FilePatch, type Patch, type Series } from '../input/patch.js';
import { analyze, sortFindings } from './analyze.js';
import type { IrCache } from './ir-cache.js';
import { scan, scanCache, type ScanCache } from './scan.js';

import type { Filter } from './filter.js';
import type { DerivedTable } from '../ir/facts-db.js';

export type { Filter } from './filter.js';

export interface PatchReview {
  patch: Patch;
  label: string;
  findings: Finding[];
  /** with the `new` filter: findings of the pre-image that the patch removes */
  fixed: Finding[];
  /** the patch did not apply (named hunk), or an input problem while analyzing */
  problems: string[];
  /** no tree: only what the hunks themselves contain was analyzed */
  partial: boolean;
  /** the touched files after this patch (path in the tree -> text), for quoting lines */
  postImage: ReadonlyMap<string, string>;
  /** a finding's line as the patch shows it -> the line in postImage (they differ when a hunk applied at an offset) */
  treeLine(file: string, line: number): number;
}

export interface ReviewOptions {
  tree?: string;
  filter: Filter;
  api: ApiLevel;
  /** the kernel facts of the tree reviewed against (Linux 6.12's table when absent) */
  derived?: DerivedTable;
  rules?: readonly Rule[];
  jobs?: number;
  workerScript?: URL;
  /** parsed IR kept between runs */
  irCache?: IrCache;
  /** files of the base that differ from the tree's (absolute path -> text): the blobs a patch's `index` lines name, prerequisite patches applied */
  baseFiles?: ReadonlyMap<string, string>;
}

export async function reviewSeries(series: Series, opts: ReviewOptions): Promise<PatchReview[]> {
  const reviews: PatchReview[] = [];
  // the series so far, over the tree: absolute path -> post-image text
  const overlay = new Map<string, string>(opts.baseFiles ?? []);
  for (const patch of series.patches) {
    const review: PatchReview = { patch, label: patchLabel(patch), findings: [], fixed: [], problems: [], partial: !opts.tree, postImage: new Map(), treeLine: (_f, l) => l };
    reviews.push(review);
    const root = opts.tree ? resolve(opts.tree) : resolve('/nonexistent-tree');
    // the pre-image: the tree with the series so far (without a tree, the hunks' old side)
    const base = new Map(overlay);
    const staged = new Map(overlay);
    let applies = true;
    const offsets = new Map<FilePatch, number[]>();
    for (const fp of patch.files) {
      const path = fp.newPath ?? fp.oldPath!;
      const abs = resolve(root, path);
      if (!opts.tree) {
        staged.set(abs, hunksOnly(fp));
        if (fp.oldPath !== null) base.set(resolve(root, fp.oldPath), hunksOnly(fp, 'pre'));
        continue;
      }
      const before = fp.oldPath === null ? '' : (staged.get(abs) ?? (existsSync(resolve(root, fp.oldPath)) ? readFileSync(resolve(root, fp.oldPath), 'utf8') : null));
      if (before === null) {
        review.problems.push(`${review.label}: ${fp.oldPath} does not exist in ${opts.tree}`);
        applies = false;
        break;
      }
      const result = applyFilePatch(before, fp);
      if (!result.ok) {
        // already in the tree (b4 prep, a commit in the work tree): the tree is the
        // post-image, the patch taken back out the pre-image
        const back = fp.oldPath !== null && fp.newPath !== null && !overlay.has(abs) ? applyFilePatch(before, reverseFilePatch(fp)) : null;
        if (back?.ok) {
          base.set(resolve(root, fp.oldPath!), back.text);
          staged.set(abs, before);
          offsets.set(fp, hunkOffsets(before, fp));
          continue;
        }
        review.problems.push(`${review.label}: hunk ${result.hunk} (${result.header}) of ${path} does not apply to ${opts.tree}`);
        applies = false;
        break;
      }
      staged.set(abs, result.text);
      offsets.set(fp, hunkOffsets(result.text, fp));
    }
    if (!applies) continue;
    for (const [k, v] of staged) overlay.set(k, v);
    review.postImage = new Map(patch.files.filter((f) => f.newPath).map((f) => [f.newPath!, staged.get(resolve(root, f.newPath!)) ?? '']));
    // analyzed where the hunks landed; reported with the patch's own numbers
    const placed: Patch = { ...patch, files: patch.files.map((fp) => (offsets.has(fp) ? placedFilePatch(fp, offsets.get(fp)!) : fp)) };
    const result = await analyzePatch(placed, root, staged, opts, base);
    const asPatch = (f: Finding): Finding => {
      const fp = patch.files.find((x) => x.newPath === f.file);
      const off = fp && offsets.get(fp);
      if (!fp || !off || off.every((o) => o === 0)) return f;
      const line = patchLineOf(fp, off, f.line);
      return line === f.line ? f : { ...f, line, endLine: f.endLine - (f.line - line), steps: [...f.steps, origin(f, `the line in ${opts.tree} (the hunk applies at an offset of ${f.line - line})`)] };
    };
    review.findings = result.findings.map(asPatch);
    review.fixed = result.fixed;
    review.treeLine = (file, line) => {
      const fp = patch.files.find((x) => x.newPath === file);
      const off = fp && offsets.get(fp);
      if (!fp || !off) return line;
      // the inverse of patchLineOf: the offset of the last hunk the patch numbers at or above it
      let offset = off[0] ?? 0;
      fp.hunks.forEach((h, i) => {
        if (h.newStart <= line) offset = off[i] ?? 0;
      });
      return line + offset;
    };
  }
  return reviews;
}

/**
 * A change already applied in `root` (a pull request's head checkout): the
 * touched drivers analyzed, the findings kept to the change.
 */
export async function reviewCheckedOut(patch: Patch, root: string, opts: Omit<ReviewOptions, 'tree'>): Promise<{ findings: Finding[]; fixed: Finding[] }> {
  const abs = resolve(root);
  // the pre-image: the checkout with the patch taken back out
  const base = new Map<string, string>();
  if (opts.filter === 'new') {
    for (const fp of patch.files) {
      if (fp.oldPath === null) continue;
      const post = fp.newPath === null ? '' : existsSync(resolve(abs, fp.newPath)) ? readFileSync(resolve(abs, fp.newPath), 'utf8') : null;
      if (post === null) continue;
      const back = applyFilePatch(post, reverseFilePatch(fp));
      if (back.ok) base.set(resolve(abs, fp.oldPath), back.text);
    }
  }
  return analyzePatch(patch, abs, new Map(), { ...opts, tree: root }, base);
}

async function findingsOf(patch: Patch, root: string, overlay: Map<string, string>, opts: ReviewOptions, side: 'pre' | 'post', cache: ScanCache): Promise<Finding[]> {
  const touched = patch.files.map((f) => (side === 'post' ? f.newPath : f.oldPath)).filter((f): f is string => f !== null);
  // with a tree, the touched drivers' directories (tables and callees beside
  // the changed file); without one, the changed files alone
  // headers are named on their own (a directory scan reads .c files only)
  const headers = touched.filter((f) => f.endsWith('.h')).map((f) => resolve(root, f));
  const paths = opts.tree ? [...new Set(touched.filter((f) => f.endsWith('.c')).map((f) => dirname(resolve(root, f)))), ...headers] : touched.map((f) => resolve(root, f));
  if (paths.length === 0) return [];
  // the pre-image's files may be gone from the tree (a patch creating them): those are skipped
  const present = opts.tree ? paths.filter((p) => overlay.has(p) || existsSync(p)) : paths.filter((p) => overlay.has(p));
  const result = await scan({ paths: present, cwd: root, root, overlay, jobs: opts.jobs, workerScript: opts.workerScript, cache, irCache: opts.irCache });
  return analyze(result.files, result.index, opts.rules, opts.api, opts.derived);
}

async function analyzePatch(patch: Patch, root: string, overlay: Map<string, string>, opts: ReviewOptions, base: Map<string, string>): Promise<{ findings: Finding[]; fixed: Finding[] }> {
  // the two images share the parse of every file the patch leaves alone
  const cache = scanCache();
  const post = await findingsOf(patch, root, overlay, opts, 'post', cache);
  if (opts.filter !== 'new') return { findings: sortFindings(filterToPatch(post, patch, opts.filter)), fixed: [] };
  const pre = (await findingsOf(patch, root, base, opts, 'pre', cache)).map((f) => renamed(f, patch));
  const { added, removed } = compareFindings(pre, post);
  return { findings: sortFindings(added.map((f) => anchorToChange(f, patch))), fixed: sortFindings(removed) };
}

/** A pre-image finding under the name the patch gives its file. */
function renamed(f: Finding, patch: Patch): Finding {
  const fp = patch.files.find((x) => x.oldPath === f.file && x.newPath !== null && x.newPath !== x.oldPath);
  return fp ? { ...f, file: fp.newPath! } : f;
}

/**
 * The same finding before and after a patch, wherever its line moved: the
 * rule, the file, the function and the message with its numbers blanked (line
 * numbers, counts of sites), then the occurrence among equal ones.
 */
export function findingKey(f: Finding): string {
  return `${identityOf(f)}\0${f.severity}`;
}

export function compareFindings(pre: readonly Finding[], post: readonly Finding[]): { added: Finding[]; removed: Finding[] } {
  const keyed = (fs: readonly Finding[]): Map<string, Finding[]> => {
    const m = new Map<string, Finding[]>();
    for (const f of sortFindings([...fs])) {
      const k = findingKey(f);
      m.set(k, [...(m.get(k) ?? []), f]);
    }
    return m;
  };
  const before = keyed(pre);
  const after = keyed(post);
  const added: Finding[] = [];
  const removed: Finding[] = [];
  for (const [k, fs] of after) added.push(...fs.slice(before.get(k)?.length ?? 0));
  for (const [k, fs] of before) removed.push(...fs.slice(after.get(k)?.length ?? 0));
  return { added, removed };
}

/** A step at the finding's own place, kept in its trace when the finding is shown elsewhere. */
function origin(f: Finding, text: string): Step {
  return { file: f.file, line: f.line, column: f.column, text, role: 'origin' };
}

/**
 * A new finding is shown where the patch caused it: on itself when it sits on
 * an added line; else on the added line its trace names; else on the nearest
 * change of its file (an added line, or the line after a deletion); else on
 * the patch's first change. The finding's own place goes to the trace.
 */
export function anchorToChange(f: Finding, patch: Patch): Finding {
  const byFile = new Map(patch.files.filter((x) => x.newPath).map((x) => [x.newPath!, x]));
  const fp = byFile.get(f.file);
  if (fp && changedLines(fp).added.has(f.line)) return f;
  const moved = filterToPatch([f], patch, 'added')[0];
  if (moved) return moved;
  const at = (file: string, line: number): Finding => ({ ...f, file, line, column: 1, endLine: line, steps: [origin(f, 'where the finding is'), ...f.steps] });
  const points = fp ? changePoints(fp) : [];
  if (points.length)
    return at(
      f.file,
      points.reduce((best, p) => (Math.abs(p - f.line) < Math.abs(best - f.line) ? p : best)),
    );
  const first = patch.files.find((x: FilePatch) => x.newPath && changePoints(x).length);
  return first ? at(first.newPath!, changePoints(first)[0]!) : f;
}

/**
 * reviewdog's filter modes. A finding located outside the change but caused by
 * an added line (its trace points at one) is reported on that added line.
 */
export function filterToPatch(findings: readonly Finding[], patch: Patch, filter: Filter): Finding[] {
  if (filter === 'nofilter') return [...findings];
  const byFile = new Map(patch.files.filter((f) => f.newPath).map((f) => [f.newPath!, changedLines(f)]));
  const out: Finding[] = [];
  for (const f of findings) {
    const changed = byFile.get(f.file);
    if (filter === 'file') {
      if (changed) out.push(f);
      continue;
    }
    const inChange = (file: string, line: number): boolean => {
      const c = byFile.get(file);
      if (!c) return false;
      return filter === 'added' ? c.added.has(line) : c.context.some(([a, b]) => line >= a && line <= b);
    };
    if (inChange(f.file, f.line)) {
      out.push(f);
      continue;
    }
    // caused by a changed line elsewhere: report it there
    const cause = f.steps.find((s) => s.file !== undefined && s.line !== undefined && inChange(s.file, s.line));
    if (cause) out.push({ ...f, file: cause.file!, line: cause.line!, column: 1, endLine: cause.line!, steps: [origin(f, 'where the finding is'), ...f.steps] });
  }
  return out;
}
