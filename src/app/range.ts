// A git range reviewed commit by commit, each against its parent, as `mnlint
// git` and the send-email hook run it; and the series behind `--previous`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readInput } from '../input/read.js';
import type { Filter } from '../engine/filter.js';
import type { IrCache } from '../engine/ir-cache.js';
import { reviewSeries, type PatchReview } from '../engine/review.js';
import { GitInputError, commitPatch, commitsOf, rangeMbox } from '../input/git.js';
import { PatchInputError, readPatchInput, type Series } from '../input/patch.js';
import type { LevelChoice } from '../input/tree.js';
import type { Rule } from '../rules/rule.js';
import type { DerivedTable } from '../ir/facts-db.js';

export interface RangeOptions {
  filter: Filter;
  rules: readonly Rule[];
  /** the level of a commit's base, from its parent's tree (`where` names that tree in words), with its source */
  levelOf: (tree: string, where: string) => LevelChoice;
  /** the kernel facts the commits are judged by: the repository's own core, as its work tree holds it */
  derived?: DerivedTable;
  /** parsed IR kept between runs */
  irCache?: IrCache;
  /** a problem with one commit, in one line; the other commits are still reviewed */
  problem: (line: string) => void;
}

export interface ReviewRun {
  series: Series;
  reviews: PatchReview[];
  /** which base the series was reviewed against, in one line (`base-commit 1a2b3c4d5e6f (from the mail)`) */
  base?: string;
  /** what the base lacked (a prerequisite patch missing or not applying) */
  baseProblems?: string[];
  /** the API level the series was reviewed at, and where it came from */
  api?: LevelChoice;
}

/** Each commit of a range reviewed against its parent; null (named through `problem`) when the range is not one. */
export async function reviewRange(repo: string, range: string, opts: RangeOptions): Promise<{ runs: ReviewRun[]; problems: number } | null> {
  let commits: string[];
  try {
    commits = await commitsOf(repo, range);
  } catch (e) {
    if (e instanceof GitInputError) {
      opts.problem(e.message);
      return null;
    }
    throw e;
  }
  let problems = 0;
  const runs: ReviewRun[] = [];
  for (const commit of commits) {
    let cp: Awaited<ReturnType<typeof commitPatch>>;
    try {
      cp = await commitPatch(repo, commit);
    } catch (e) {
      problems++;
      opts.problem(e instanceof GitInputError || e instanceof PatchInputError ? e.message : (e as Error).message);
      continue;
    }
    try {
      const level = opts.levelOf(cp.tree, cp.root ? `the empty tree (${commit.slice(0, 12)} is a root commit)` : `the parent of ${commit.slice(0, 12)}`);
      const reviews = await reviewSeries(cp.series, { tree: cp.tree, filter: opts.filter, api: level.level, derived: opts.derived, rules: opts.rules, jobs: 1, irCache: opts.irCache });
      for (const r of reviews) {
        r.label = `${commit.slice(0, 12)} ("${r.patch.subject}")`;
        for (const p of r.problems) {
          problems++;
          opts.problem(p);
        }
      }
      runs.push({ series: cp.series, reviews, base: cp.root ? `the empty tree (${commit.slice(0, 12)} is a root commit)` : `the parent of ${commit.slice(0, 12)} in ${repo}`, api: level });
    } finally {
      cp.cleanup();
    }
  }
  return { runs, problems };
}

/** A path rather than a revision: a mail or patch file name, or a path with a folder. */
export function looksLikeFile(arg: string): boolean {
  return /\.(mbox|patch|eml|diff|mail|txt)$/i.test(arg) || (arg.includes('/') && !arg.includes('..'));
}

/** A series from an mbox file or a git range (`git format-patch`), for --previous. */
export async function seriesOf(arg: string, repo: string): Promise<Series> {
  if (existsSync(arg)) return readPatchInput(arg, readInput(arg, { label: `--previous ${arg}` }));
  return readPatchInput(arg, Buffer.from(await rangeMbox(repo, arg)));
}

/** The commit a format-patch mail names in its first line ("From <sha> Mon Sep 17 ..."), if this repository has it. */
export function formatPatchCommit(repo: string, bytes: Buffer): string | null {
  const sha = /^From ([0-9a-f]{40}) Mon Sep 17 00:00:00 2001$/m.exec(bytes.subarray(0, 200).toString('latin1'))?.[1];
  if (!sha) return null;
  const r = spawnSync('git', ['-C', repo, 'cat-file', '-e', `${sha}^{commit}`]);
  return r.status === 0 ? sha : null;
}
