// Reviewing a series the way a maintainer does: each patch applied in order to
// its tree (a private in-memory copy of the touched files, laid over the tree),
// the touched drivers analyzed, and the findings kept to what the patch changes.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ApiLevel } from '../model/api.js';
import { identityOf, subjectNames, type Finding, type Rule, type Step } from '../rules/rule.js';
import { appliedPart, applyFilePatch, applyHunks, changePoints, hunkHeader, changedLines, hunkOffsets, hunksOnly, patchLineOf, placedFilePatch, reverseFilePatch, type RejectReason } from '../input/apply.js';
import { patchLabel, type FilePatch, type Patch, type Series } from '../input/patch.js';
import { analyze, sortFindings } from './analyze.js';
import type { IrCache } from './ir-cache.js';
import { scan, scanCache, type ScanCache } from './scan.js';

import type { Filter } from './filter.js';
import type { DerivedTable } from '../ir/facts-db.js';
import type { FileIR } from '../ir/types.js';
import { maskForScan } from '../parser/derive-facts.js';
import { definedFunctions, lineStartCalls, topLevelItems } from '../parser/slice.js';

export type { Filter } from './filter.js';

export interface PatchReview {
  patch: Patch;
  label: string;
  findings: Finding[];
  /** with the `new` filter: findings of the pre-image that the patch removes */
  fixed: Finding[];
  /** nothing of the patch applied (each hunk named), or an input problem while analyzing */
  problems: string[];
  /** the hunks that did not apply to the tree while others did: not in the image, not reviewed */
  rejected: RejectedHunk[];
  /** no tree (only what the hunks themselves contain was analyzed), or hunks rejected */
  partial: boolean;
  /** the touched files after this patch (path in the tree -> text), for quoting lines */
  postImage: ReadonlyMap<string, string>;
  /** a finding's line as the patch shows it -> the line in postImage (they differ when a hunk applied at an offset) */
  treeLine(file: string, line: number): number;
}

/** A hunk of a patch that did not apply. */
export interface RejectedHunk {
  file: string;
  /** 1-based, among the file's hunks */
  hunk: number;
  total: number;
  /** `@@ -a,b +c,d @@` */
  header: string;
  reason: RejectReason | 'file not found' | 'conflicts with an earlier patch of the series' | 'already in the tree';
  /** the earlier hunk of the same file it overlaps */
  conflictsWith?: number;
}

function reasonText(r: RejectedHunk): string {
  return r.conflictsWith ? `${r.reason} (hunk ${r.conflictsWith})` : r.reason;
}

/** A rejected hunk in one line: `hunk 2/14 (@@ -40,7 +40,9 @@) of F: context not found`. */
export function describeRejected(r: RejectedHunk): string {
  return `hunk ${r.hunk}/${r.total} (${r.header}) of ${r.file}: ${reasonText(r)}`;
}

/** Why a review is partial, in a few words; null when it is whole. */
export function partialNote(r: Pick<PatchReview, 'partial' | 'rejected'>): string | null {
  if (!r.partial) return null;
  if (r.rejected.length) {
    const n = r.rejected.length;
    return `${n} ${n === 1 ? 'hunk' : 'hunks'} did not apply and ${n === 1 ? 'was' : 'were'} not reviewed`;
  }
  return 'no --tree, only what the hunks contain';
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
    const review: PatchReview = { patch, label: patchLabel(patch), findings: [], fixed: [], problems: [], rejected: [], partial: !opts.tree, postImage: new Map(), treeLine: (_f, l) => l };
    reviews.push(review);
    const root = opts.tree ? resolve(opts.tree) : resolve('/nonexistent-tree');
    // the pre-image: the tree with the series so far (without a tree, the hunks' old side)
    const base = new Map(overlay);
    const staged = new Map(overlay);
    const offsets = new Map<FilePatch, number[]>();
    // each file patch as far as it applied (the rejected hunks left out)
    const applied = new Map<FilePatch, FilePatch>();
    let hunks = 0;
    for (const fp of patch.files) {
      const path = fp.newPath ?? fp.oldPath!;
      const abs = resolve(root, path);
      hunks += fp.hunks.length;
      if (!opts.tree) {
        staged.set(abs, hunksOnly(fp));
        if (fp.oldPath !== null) base.set(resolve(root, fp.oldPath), hunksOnly(fp, 'pre'));
        continue;
      }
      const reject = (hunk: number, header: string, reason: RejectedHunk['reason'], conflictsWith?: number): void => {
        review.rejected.push({ file: path, hunk, total: fp.hunks.length, header, reason, ...(conflictsWith ? { conflictsWith } : {}) });
      };
      const pristine = fp.oldPath === null ? null : existsSync(resolve(root, fp.oldPath)) ? readFileSync(resolve(root, fp.oldPath), 'utf8') : null;
      const before = fp.oldPath === null ? '' : (staged.get(abs) ?? pristine);
      if (before === null) {
        for (const [i, h] of fp.hunks.entries()) reject(i + 1, hunkHeader(h), 'file not found');
        applied.set(fp, { ...fp, hunks: [], sections: [], inputLines: [] });
        continue;
      }
      const result = applyHunks(before, fp);
      if (result.hunks.some((h) => !h.applied)) {
        // already in the tree (b4 prep, a commit in the work tree): the tree is the
        // post-image, the patch taken back out the pre-image
        const back = fp.oldPath !== null && fp.newPath !== null && !overlay.has(abs) ? applyFilePatch(before, reverseFilePatch(fp)) : null;
        if (back?.ok) {
          base.set(resolve(root, fp.oldPath!), back.text);
          staged.set(abs, before);
          offsets.set(fp, hunkOffsets(before, fp));
          continue;
        }
        for (const h of result.hunks) {
          if (h.applied) continue;
          // over the series so far it does not fit, over the tree it does: an earlier patch changed its lines
          const alone: FilePatch = { ...fp, hunks: [fp.hunks[h.hunk - 1]!], sections: [''] };
          const earlierPatch = overlay.has(abs) && pristine !== null && h.reason === 'context not found' && applyHunks(pristine, alone).hunks[0]!.applied;
          // its new side is already there (patch(1): "Reversed (or previously applied) patch detected")
          const there = !earlierPatch && h.reason === 'context not found' && applyHunks(before, reverseFilePatch(alone), 0).hunks[0]!.applied;
          reject(h.hunk, h.header, earlierPatch ? 'conflicts with an earlier patch of the series' : there ? 'already in the tree' : h.reason, h.conflictsWith);
        }
      }
      const part = appliedPart(fp, result.hunks);
      applied.set(fp, part);
      staged.set(abs, result.text);
      offsets.set(
        part,
        result.hunks.flatMap((h) => (h.applied ? [h.offset] : [])),
      );
    }
    // a rejected hunk never hides the rest: nothing reviewed only when no hunk applied
    if (review.rejected.length && review.rejected.length === hunks) {
      for (const r of review.rejected) {
        const line =
          r.reason === 'file not found' ? `${review.label}: ${r.file} does not exist in ${opts.tree}` : `${review.label}: hunk ${r.hunk} (${r.header}) of ${r.file} does not apply to ${opts.tree}: ${reasonText(r)}`;
        if (!review.problems.includes(line)) review.problems.push(line);
      }
      continue;
    }
    if (review.rejected.length) review.partial = true;
    for (const [k, v] of staged) overlay.set(k, v);
    review.postImage = new Map(patch.files.filter((f) => f.newPath).map((f) => [f.newPath!, staged.get(resolve(root, f.newPath!)) ?? '']));
    // what applied: the rejected hunks are not in the image, nothing is found on them
    const done: Patch = { ...patch, files: patch.files.map((fp) => applied.get(fp) ?? fp).filter((fp) => fp.hunks.length || !applied.has(fp)) };
    // analyzed where the hunks landed; reported with the patch's own numbers
    const placed: Patch = { ...done, files: done.files.map((fp) => (offsets.has(fp) ? placedFilePatch(fp, offsets.get(fp)!) : fp)) };
    const result = await analyzePatch(placed, root, staged, opts, base);
    const asPatch = (f: Finding): Finding => {
      const fp = done.files.find((x) => x.newPath === f.file);
      const off = fp && offsets.get(fp);
      if (!fp || !off || off.every((o) => o === 0)) return f;
      const line = patchLineOf(fp, off, f.line);
      return line === f.line ? f : { ...f, line, endLine: f.endLine - (f.line - line), steps: [...f.steps, origin(f, `the line in ${opts.tree} (the hunk applies at an offset of ${f.line - line})`)] };
    };
    review.findings = result.findings.map(asPatch);
    review.fixed = result.fixed;
    review.treeLine = (file, line) => {
      const fp = done.files.find((x) => x.newPath === file);
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

async function findingsOf(patch: Patch, root: string, overlay: Map<string, string>, opts: ReviewOptions, side: 'pre' | 'post', cache: ScanCache, want?: ReadonlyMap<string, readonly string[]>): Promise<Finding[]> {
  const touched = patch.files.map((f) => (side === 'post' ? f.newPath : f.oldPath)).filter((f): f is string => f !== null);
  // with a tree, the touched drivers' directories (tables and callees beside
  // the changed file); without one, the changed files alone
  // headers are named on their own (a directory scan reads .c files only)
  const headers = touched.filter((f) => f.endsWith('.h')).map((f) => resolve(root, f));
  const paths = opts.tree ? [...new Set(touched.filter((f) => f.endsWith('.c')).map((f) => dirname(resolve(root, f)))), ...headers] : touched.map((f) => resolve(root, f));
  if (paths.length === 0) return [];
  // the pre-image's files may be gone from the tree (a patch creating them): those are skipped
  const present = opts.tree ? paths.filter((p) => overlay.has(p) || existsSync(p)) : paths.filter((p) => overlay.has(p));
  const result = await scan({ paths: present, cwd: root, root, overlay, jobs: opts.jobs, workerScript: opts.workerScript, cache, irCache: opts.irCache, ...(want?.size ? { want } : {}) });
  const findings = analyze(result.files, result.index, opts.rules, opts.api, opts.derived);
  if (opts.tree) return findings;
  const text = (file: string): string => overlay.get(resolve(root, file)) ?? '';
  return seenInPart(findings, result.files, shownLines(patch, side), text);
}

/** Without a tree: the lines each file's hunks show, on one side of the patch. */
export function shownLines(patch: Patch, side: 'pre' | 'post'): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  for (const fp of patch.files) {
    const file = side === 'post' ? fp.newPath : fp.oldPath;
    if (file === null) continue;
    const lines = out.get(file) ?? new Set<number>();
    for (const h of fp.hunks) {
      const [start, count] = side === 'post' ? [h.newStart, h.newLines] : [h.oldStart, h.oldLines];
      for (let l = start; l < start + count; l++) lines.add(l);
    }
    out.set(file, lines);
  }
  return out;
}

/**
 * The last line of the body of the function named on line `from` (1-based),
 * by its braces in the masked image; the image's end when they never close
 * (a hunk that ends inside the function).
 */
function bodyEnd(masked: readonly string[], from: number): number {
  let depth = 0;
  let opened = false;
  for (let i = from - 1; i < masked.length; i++) {
    for (const c of masked[i]!) {
      if (c === '{') {
        depth++;
        opened = true;
      } else if (c === '}' && opened && --depth === 0) return i + 1;
    }
  }
  return Math.max(from, masked.length);
}

/** `18-27, 31-43`: runs of line numbers. */
function runs(lines: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < lines.length; ) {
    let j = i;
    while (j + 1 < lines.length && lines[j + 1] === lines[j]! + 1) j++;
    parts.push(i === j ? `${lines[i]}` : `${lines[i]}-${lines[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/**
 * Without a tree a function split across hunks (or cut by one) was seen in
 * part: what the gaps hold (a blockable test, an unlock) is unknown, so it is
 * never the subject of an error. A finding about such a function, or whose
 * trace passes through one, becomes a warning that names the lines seen.
 */
export function seenInPart(findings: readonly Finding[], files: readonly FileIR[], shown: ReadonlyMap<string, ReadonlySet<number>>, text: (file: string) => string): Finding[] {
  const partial: Array<{ file: string; name: string; from: number; to: number; seen: number[] }> = [];
  for (const f of files) {
    const lines = shown.get(f.file);
    if (!lines) continue;
    const masked = maskForScan(text(f.file)).split('\n');
    for (const fn of f.functions) {
      const end = bodyEnd(masked, fn.loc.line);
      const all = Array.from({ length: end - fn.loc.line + 1 }, (_, i) => fn.loc.line + i);
      const seen = all.filter((l) => lines.has(l));
      if (seen.length < all.length) partial.push({ file: f.file, name: fn.name, from: fn.loc.line, to: fn.loc.endLine, seen });
    }
  }
  if (!partial.length) return [...findings];
  const inside = (file: string | undefined, line: number | undefined) => partial.find((p) => p.file === file && line !== undefined && line >= p.from && line <= p.to);
  return findings.map((f) => {
    if (f.severity === 'info') return f;
    const fn = partial.find((p) => p.file === f.file && p.name === f.function) ?? inside(f.file, f.line) ?? f.steps.map((s) => inside(s.file, s.line)).find((p) => p !== undefined);
    if (!fn) return f;
    return { ...f, severity: 'warning', message: `${f.message} (seen in part, no --tree: only lines ${runs(fn.seen)} of ${fn.name}() are in the patch)` };
  });
}

async function analyzePatch(patch: Patch, root: string, overlay: Map<string, string>, opts: ReviewOptions, base: Map<string, string>): Promise<{ findings: Finding[]; fixed: Finding[] }> {
  // the two images share the parse of every file the patch leaves alone
  const cache = scanCache();
  const want = opts.tree ? changedHeaderFunctions(patch, root, overlay, base) : undefined;
  const post = await findingsOf(patch, root, overlay, opts, 'post', cache, want);
  if (opts.filter !== 'new') return { findings: sortFindings(filterToPatch(post, patch, opts.filter)), fixed: [] };
  const pre = (await findingsOf(patch, root, base, opts, 'pre', cache, want)).map((f) => renamed(f, patch));
  const { added, removed } = compareFindings(pre, post);
  return { findings: sortFindings(added.map((f) => anchorToChange(f, patch))), fixed: sortFindings(removed) };
}

/**
 * The static inline functions of each touched header whose body the patch
 * changes, in either image (absolute path of both names -> function names).
 * A header is named to the scan on its own, and a parse walks only what an
 * ops table needs; the functions a patch edits there (the core's
 * mmu_notifier_invalidate_range_start_nonblock() in include/linux/mmu_notifier.h)
 * are code under review: both images walk them, so a finding in one is
 * matched against the other.
 */
function changedHeaderFunctions(patch: Patch, root: string, post: ReadonlyMap<string, string>, pre: ReadonlyMap<string, string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const fp of patch.files) {
    const names = new Set<string>();
    const sides = [
      { path: fp.newPath, image: post, points: () => changePoints(fp) },
      { path: fp.oldPath, image: pre, points: () => changePoints(reverseFilePatch(fp)) },
    ];
    for (const { path, image, points } of sides) {
      if (path === null || !path.endsWith('.h')) continue;
      const abs = resolve(root, path);
      const text = image.get(abs) ?? (existsSync(abs) ? readFileSync(abs, 'utf8') : null);
      if (text === null) continue;
      const lines = points();
      const masked = maskForScan(text);
      const maskedLines = masked.split('\n');
      for (const d of definedFunctions(masked, topLevelItems(masked), lineStartCalls(masked))) {
        if (!d.isStatic) continue;
        const end = bodyEnd(maskedLines, d.line);
        if (lines.some((l) => l >= d.line && l <= end)) names.add(d.name);
      }
    }
    if (!names.size) continue;
    for (const path of [fp.newPath, fp.oldPath]) if (path !== null) out.set(resolve(root, path), [...names].sort());
  }
  return out;
}

/** A pre-image finding under the names the patch gives its file and its table's file. */
function renamed(f: Finding, patch: Patch): Finding {
  const to = (file: string): string => patch.files.find((x) => x.oldPath === file && x.newPath !== null && x.newPath !== x.oldPath)?.newPath ?? file;
  const tableFile = f.about?.tableFile;
  if (to(f.file) === f.file && (tableFile === undefined || to(tableFile) === tableFile)) return f;
  return { ...f, file: to(f.file), ...(tableFile !== undefined ? { about: { ...f.about, tableFile: to(tableFile) } } : {}) };
}

/**
 * The findings that may be the same one before and after a patch: the same
 * rule, message id, file, callback (`table.member`, so a renamed callback
 * function stays the same), kind of subject and severity.
 */
export function findingKey(f: Finding): string {
  return `${identityOf(f)}\0${f.severity}`;
}

/** The names of `a` that `b` lacks, each site counted (two calls of x against one: x). */
function extraNames(a: readonly string[], b: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const n of b) left.set(n, (left.get(n) ?? 0) + 1);
  return a.filter((n) => {
    const k = left.get(n) ?? 0;
    if (k > 0) left.set(n, k - 1);
    return k === 0;
  });
}

/**
 * The findings a patch adds and removes. Findings of one key (findingKey) are
 * paired by their subjects, in line order: first those naming the same
 * subjects (the n-th with these names pairs with the n-th: the occurrence),
 * then those sharing one (a finding grouping several sites whose first site
 * changed). A paired finding is neither added nor removed, however its line
 * or message moved; one that names a subject its pair did not (a second
 * sleeping call in a callback that had one) is added, with a note naming what
 * is new, and its pair is not removed (it still holds). A finding that lost
 * some of its subjects but not all is still there: not removed.
 */
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
  for (const [k, qs] of after) {
    const ps = before.get(k) ?? [];
    const pairOf = new Map<Finding, Finding>();
    const taken = new Set<Finding>();
    const pair = (same: (q: readonly string[], p: readonly string[]) => boolean): void => {
      for (const q of qs) {
        if (pairOf.has(q)) continue;
        const p = ps.find((x) => !taken.has(x) && same(subjectNames(q), subjectNames(x)));
        if (!p) continue;
        pairOf.set(q, p);
        taken.add(p);
      }
    };
    pair((q, p) => q.length === p.length && q.every((n, i) => n === p[i]));
    pair((q, p) => q.some((n) => p.includes(n)));
    for (const q of qs) {
      const p = pairOf.get(q);
      if (!p) {
        added.push(q);
        continue;
      }
      const extra = extraNames(subjectNames(q), subjectNames(p));
      if (extra.length) added.push(withNewSubjects(q, extra, subjectNames(p)));
    }
    removed.push(...ps.filter((p) => !taken.has(p)));
  }
  for (const [k, ps] of before) if (!after.has(k)) removed.push(...ps);
  return { added, removed };
}

/** A finding that was there before with fewer subjects: what the patch adds to it leads its trace. */
function withNewSubjects(f: Finding, extra: readonly string[], had: readonly string[]): Finding {
  const kind = f.about?.subject?.kind ?? 'call';
  const name = (n: string): string => (kind === 'call' ? `${n}()` : n);
  const list = (ns: readonly string[]): string => [...new Set(ns)].map(name).join(', ');
  const text = `new in this patch: ${list(extra)}; the finding was there before for ${list(had)}`;
  return { ...f, steps: [{ text, role: 'note' }, ...f.steps] };
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
