// Reviewing a series the way a maintainer does: each patch applied in order to
// its tree (a private in-memory copy of the touched files, laid over the tree),
// the touched drivers analyzed, and the findings kept to what the patch changes.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ApiLevel } from '../model/api.js';
import type { Finding, Rule } from '../rules/rule.js';
import { applyFilePatch, changedLines, hunksOnly } from '../input/apply.js';
import { patchLabel, type Patch, type Series } from '../input/patch.js';
import { analyze, sortFindings } from './analyze.js';
import { scan } from './scan.js';

import type { Filter } from './filter.js';

export type { Filter } from './filter.js';

export interface PatchReview {
  patch: Patch;
  label: string;
  findings: Finding[];
  /** the patch did not apply (named hunk), or an input problem while analyzing */
  problems: string[];
  /** no tree: only what the hunks themselves contain was analyzed */
  partial: boolean;
  /** the touched files after this patch (path in the tree -> text), for quoting lines */
  postImage: ReadonlyMap<string, string>;
}

export interface ReviewOptions {
  tree?: string;
  filter: Filter;
  api: ApiLevel;
  rules?: readonly Rule[];
  jobs?: number;
  workerScript?: URL;
}

export async function reviewSeries(series: Series, opts: ReviewOptions): Promise<PatchReview[]> {
  const reviews: PatchReview[] = [];
  // the series so far, over the tree: absolute path -> post-image text
  const overlay = new Map<string, string>();
  for (const patch of series.patches) {
    const review: PatchReview = { patch, label: patchLabel(patch), findings: [], problems: [], partial: !opts.tree, postImage: new Map() };
    reviews.push(review);
    const root = opts.tree ? resolve(opts.tree) : resolve('/nonexistent-tree');
    const staged = new Map(overlay);
    let applies = true;
    for (const fp of patch.files) {
      const path = fp.newPath ?? fp.oldPath!;
      const abs = resolve(root, path);
      if (!opts.tree) {
        staged.set(abs, hunksOnly(fp));
        continue;
      }
      const before = fp.oldPath === null ? '' : staged.get(abs) ?? (existsSync(resolve(root, fp.oldPath)) ? readFileSync(resolve(root, fp.oldPath), 'utf8') : null);
      if (before === null) {
        review.problems.push(`${review.label}: ${fp.oldPath} does not exist in ${opts.tree}`);
        applies = false;
        break;
      }
      const result = applyFilePatch(before, fp);
      if (!result.ok) {
        review.problems.push(`${review.label}: hunk ${result.hunk} (${result.header}) of ${path} does not apply to ${opts.tree}`);
        applies = false;
        break;
      }
      staged.set(abs, result.text);
    }
    if (!applies) continue;
    for (const [k, v] of staged) overlay.set(k, v);
    review.postImage = new Map(patch.files.filter((f) => f.newPath).map((f) => [f.newPath!, staged.get(resolve(root, f.newPath!)) ?? '']));
    review.findings = await analyzePatch(patch, root, staged, opts);
  }
  return reviews;
}

/**
 * A change already applied in `root` (a pull request's head checkout): the
 * touched drivers analyzed, the findings kept to the change.
 */
export function reviewCheckedOut(patch: Patch, root: string, opts: Omit<ReviewOptions, 'tree'>): Promise<Finding[]> {
  return analyzePatch(patch, resolve(root), new Map(), { ...opts, tree: root });
}

async function analyzePatch(patch: Patch, root: string, overlay: Map<string, string>, opts: ReviewOptions): Promise<Finding[]> {
  const touched = patch.files.filter((f) => f.newPath).map((f) => f.newPath!);
  // with a tree, the touched drivers' directories (tables and callees beside
  // the changed file); without one, the changed files alone
  // headers are named on their own (a directory scan reads .c files only)
  const headers = touched.filter((f) => f.endsWith('.h')).map((f) => resolve(root, f));
  const paths = opts.tree
    ? [...new Set(touched.filter((f) => f.endsWith('.c')).map((f) => dirname(resolve(root, f)))), ...headers]
    : touched.map((f) => resolve(root, f));
  const result = await scan({ paths, cwd: root, root, overlay, jobs: opts.jobs, workerScript: opts.workerScript });
  const all = analyze(result.files, result.index, opts.rules, opts.api);
  return sortFindings(filterToPatch(all, patch, opts.filter));
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
    for (const t of f.trace) {
      const m = /^\s*(?:\S+ )?([\w./-]+\.[ch]):(\d+):/.exec(t) ?? /\[([\w./-]+\.[ch]):(\d+):/.exec(t);
      if (m && inChange(m[1]!, Number(m[2]))) {
        out.push({ ...f, file: m[1]!, line: Number(m[2]), column: 1, endLine: Number(m[2]), trace: [`${f.file}:${f.line}: where the finding is`, ...f.trace] });
        break;
      }
    }
  }
  return out;
}
