// The base a posted series is reviewed against, found as b4 shazam, `git am
// -3` and the 0-day bot find it in a repository: the `base-commit:` that `git
// format-patch --base` writes (cover letter, else after patch 1), with the
// `prerequisite-patch-id:` patches laid in first; else the pre-image blobs the
// `index <old>..<new>` lines name; else the work tree. The base commit's files
// are exported into a private directory (git archive): the user's work tree
// and index are never touched.
import { spawnSync } from 'node:child_process';
import { rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { readTreeText } from './read.js';
import { dirname, resolve } from 'node:path';
import { applyFilePatch } from './apply.js';
import { exportTree, GitInputError } from './git.js';
import { readPatchInput, type FilePatch, type Patch, type Series } from './patch.js';

/** What the mails say of their base (`git format-patch --base`). */
export interface MailBase {
  commit: string | null;
  /** `git patch-id --stable` of each patch between the base and the series, in the mail's order */
  prerequisites: string[];
}

const BASE_COMMIT = /^base-commit: ([0-9a-f]{7,64})[ \t]*$/m;
const PREREQUISITE = /^prerequisite-patch-id: ([0-9a-f]{40,64})[ \t]*$/gm;

/** The base lines of a series: the cover letter's, else those after a patch's diff (patch 1's, where format-patch puts them without a cover letter). */
export function mailBaseOf(series: Series): MailBase {
  const texts = [...(series.cover ? [`${series.cover.message}\n${series.cover.notes}`] : []), ...[...series.patches].reverse().map((p) => p.diff ?? '')];
  for (const text of texts) {
    const commit = BASE_COMMIT.exec(text)?.[1];
    if (commit) return { commit, prerequisites: [...text.matchAll(PREREQUISITE)].map((m) => m[1]!) };
  }
  return { commit: null, prerequisites: [] };
}

/** The diff of a patch as `git patch-id` reads it: without what follows its last hunk (the base lines). */
function diffForId(p: Patch): string {
  const text = p.diff ?? '';
  const tail = text.search(/^(?:base-commit|prerequisite-patch-id): /m);
  return tail >= 0 ? text.slice(0, tail) : text;
}

/**
 * `git patch-id --stable` of each patch (the id format-patch writes in
 * `prerequisite-patch-id:`), computed over the mail's own diff text.
 */
export function patchIds(patches: readonly Patch[]): Map<Patch, string> {
  const out = new Map<Patch, string>();
  const withDiff = patches.filter((p) => p.diff);
  if (!withDiff.length) return out;
  // each patch under a made-up commit id, the number of its place
  const name = (i: number): string => (i + 1).toString(16).padStart(40, '0');
  const input = withDiff.map((p, i) => `commit ${name(i)}\n${diffForId(p).replace(/\n?$/, '\n')}`).join('');
  const r = spawnSync('git', ['patch-id', '--stable'], { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) return out;
  for (const line of r.stdout.split('\n')) {
    const [id, commit] = line.split(' ');
    if (!id || !commit) continue;
    const p = withDiff[Number.parseInt(commit, 16) - 1];
    if (p) out.set(p, id);
  }
  return out;
}

/** The `index <old>..<new>` blob ids of a patch's files, by the path the diff names on its old side. */
export function indexBlobs(p: Patch): Map<string, string> {
  const out = new Map<string, string>();
  for (const chunk of (p.diff ?? '').split(/^(?=diff --git )/m)) {
    const old = /^--- a\/(.+?)\t?$/m.exec(chunk)?.[1] ?? /^diff --git a\/(\S+) b\//.exec(chunk)?.[1];
    const blob = /^index ([0-9a-f]{7,64})\.\.[0-9a-f]+/m.exec(chunk)?.[1];
    if (old && blob && !/^0+$/.test(blob)) out.set(old, blob);
  }
  return out;
}

export interface ReviewBase {
  /** the directory the series is applied to (undefined: the hunks alone) */
  tree: string | undefined;
  /** files of the base that differ from that directory (absolute path -> text) */
  files: Map<string, string>;
  /** which base, in one line: `base-commit 1a2b3c4d5e6f (from the mail)` */
  label: string;
  /** what to call `tree` in messages (a private copy is named by its commit) */
  name?: string;
  /** the series without the prerequisite patches found among the inputs */
  series: Series;
  /** missing prerequisites, prerequisites that do not apply */
  problems: string[];
  cleanup(): void;
}

export interface BaseOptions {
  /** a git repository holding (perhaps) the base commit or the blobs */
  repo?: string;
  /** the work tree to fall back to (default: the repository's) */
  tree?: string;
  /** every patch of the inputs, where prerequisites are looked for (default: the series') */
  pool?: readonly Patch[];
}

const short = (sha: string): string => sha.slice(0, 12);

function git(repo: string, args: string[]): string | null {
  const r = spawnSync('git', ['-C', repo, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return r.status === 0 ? r.stdout : null;
}

/** The base to review a series against; see the head of this file for the order. */
export async function baseOfSeries(series: Series, opts: BaseOptions): Promise<ReviewBase> {
  const mail = mailBaseOf(series);
  const problems: string[] = [];
  // the prerequisites: the inputs' patches with those patch-ids, in input order
  let prerequisites: Patch[] = [];
  let reviewed = series;
  let fromRepo = 0;
  // the base commit, when the repository has it
  const commit = opts.repo !== undefined && mail.commit ? git(opts.repo, ['rev-parse', '--verify', '--quiet', `${mail.commit}^{commit}`])?.trim() : undefined;
  if (mail.prerequisites.length) {
    const pool = [...new Set([...(opts.pool ?? []), ...series.patches])];
    const ids = patchIds(pool);
    const byId = new Map<string, Patch>();
    for (const p of pool) if (ids.has(p) && !byId.has(ids.get(p)!)) byId.set(ids.get(p)!, p);
    // the others among the repository's commits that the base lacks (a branch holding them)
    const absent = mail.prerequisites.filter((id) => !byId.has(id));
    if (absent.length && commit) {
      for (const [id, p] of await commitsById(opts.repo!, commit, new Set(absent))) {
        byId.set(id, p);
        fromRepo++;
      }
    }
    // in the order format-patch lists them: the order they apply in
    prerequisites = mail.prerequisites.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
    if (prerequisites.some((p) => series.patches.includes(p))) reviewed = { ...series, patches: series.patches.filter((p) => !prerequisites.includes(p)) };
    const missing = mail.prerequisites.filter((id) => !byId.has(id));
    if (missing.length)
      problems.push(
        `${series.source}: prerequisite-patch-id ${missing.map(short).join(', ')} not among the inputs${commit ? ` nor the repository's commits` : ''}: the series is reviewed without ${missing.length === 1 ? 'that patch' : 'those patches'} (give ${missing.length === 1 ? 'it' : 'them'} as inputs too)`,
      );
  }
  const withPrereqs = (s: string): string => {
    if (!prerequisites.length) return s;
    const n = prerequisites.length;
    const where = fromRepo === 0 ? 'from the inputs' : fromRepo === n ? 'from the repository' : `${n - fromRepo} from the inputs, ${fromRepo} from the repository`;
    return `${s}, with ${n} prerequisite patch${n === 1 ? '' : 'es'} ${where} applied first`;
  };
  const none = { files: new Map<string, string>(), series: reviewed, problems, cleanup: () => {} };
  if (opts.repo === undefined) {
    const named = mail.commit ? ` (the mail names base-commit ${short(mail.commit)}; --repo DIR reviews against it)` : '';
    return { ...none, tree: opts.tree, label: opts.tree ? `the tree ${opts.tree}${named}` : `none, the hunks alone${named}` };
  }
  const repo = opts.repo;
  const workTree = opts.tree ?? repo;
  // 1. the base commit the mail names: the base of patch 1, so only for an input that starts there
  // (a cover letter with some of the patches, a series fetched in part)
  const first = reviewed.patches[0];
  const fromOne = !first || first.index <= 1;
  if (commit && fromOne) {
    const touched = [...prerequisites, ...reviewed.patches].flatMap((p) => p.files.flatMap((f) => [f.oldPath, f.newPath])).filter((f): f is string => f !== null);
    let tree: string;
    try {
      tree = await exportTree(repo, commit, [...new Set(touched)], `base-commit ${short(commit)}`);
    } catch (e) {
      if (!(e instanceof GitInputError)) throw e;
      problems.push(e.message);
      return { ...none, tree: workTree, label: `the work tree of ${workTree} (${e.message})` };
    }
    // the prerequisites written into the private copy, in order
    for (const p of prerequisites) {
      const failed = applyInto(
        p,
        (path) => readTreeText(resolve(tree, path)),
        (path, text) => {
          mkdirSync(dirname(resolve(tree, path)), { recursive: true });
          if (text === null) rmSync(resolve(tree, path), { force: true });
          else writeFileSync(resolve(tree, path), text);
        },
      );
      if (failed) problems.push(`${series.source}: prerequisite "${p.subject}" does not apply to base-commit ${short(commit)}: ${failed}`);
    }
    return { ...none, tree, name: `base-commit ${short(commit)}`, label: withPrereqs(`base-commit ${short(commit)} (from the mail)`), cleanup: () => rmSync(tree, { recursive: true, force: true }) };
  }
  const why = !mail.commit
    ? 'the mail names no base'
    : commit
      ? `base-commit ${short(commit)} is the base of patch 1, the input starts at patch ${first!.index} of ${first!.total}`
      : `base-commit ${short(mail.commit)} is not in ${repo}`;
  // 2. the pre-image blobs of the `index` lines (git am -3), for each file's first touch in the series
  const files = new Map<string, string>();
  // the paths the series touches (their first touch decides), and those that exist before it
  const seen = new Set<string>();
  let existing = 0;
  let blobs = 0;
  let asked = 0;
  for (const p of reviewed.patches) {
    const ids = indexBlobs(p);
    for (const f of p.files) {
      const path = f.oldPath;
      if (path === null || seen.has(path)) {
        if (f.newPath !== null) seen.add(f.newPath);
        continue;
      }
      seen.add(path);
      if (f.newPath !== null) seen.add(f.newPath);
      existing++;
      const blob = ids.get(path);
      if (!blob) continue;
      asked++;
      const text = git(repo, ['cat-file', 'blob', blob]);
      if (text === null) continue;
      files.set(resolve(workTree, path), text);
      blobs++;
    }
  }
  // the prerequisites laid over the work tree, where no blob stands for their files
  for (const p of prerequisites) {
    const failed = applyInto(
      p,
      (path) => files.get(resolve(workTree, path)) ?? readTreeText(resolve(workTree, path)),
      (path, text) => {
        if (!seen.has(path)) files.set(resolve(workTree, path), text ?? '');
      },
    );
    if (failed) problems.push(`${series.source}: prerequisite "${p.subject}" does not apply to the work tree of ${workTree}: ${failed}`);
  }
  const rest = existing > blobs ? `, the others from the work tree of ${workTree}` : '';
  if (blobs) return { ...none, files, tree: workTree, label: withPrereqs(`the blobs of the index lines (${blobs} of ${existing} file${existing === 1 ? '' : 's'}${rest}; ${why})`) };
  return { ...none, files, tree: workTree, label: withPrereqs(`the work tree of ${workTree} (${why}${asked ? `; ${repo} has none of the blobs its index lines name` : ''})`) };
}

/** How many of the repository's commits the base lacks are searched for prerequisites (newest first). */
const REPO_SEARCH = 500;

/** Commits of the repository, not in `base`, whose patch-id is wanted: each as a patch, by its id. */
async function commitsById(repo: string, base: string, wanted: ReadonlySet<string>): Promise<Map<string, Patch>> {
  const out = new Map<string, Patch>();
  const log = spawnSync('git', ['-C', repo, 'log', '--no-merges', `--max-count=${REPO_SEARCH}`, '-p', '--format=commit %H', '--all', '--not', base], { maxBuffer: 1 << 30 });
  if (log.status !== 0) return out;
  const ids = spawnSync('git', ['patch-id', '--stable'], { input: log.stdout, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (ids.status !== 0) return out;
  for (const line of ids.stdout.split('\n')) {
    const [id, sha] = line.split(' ');
    if (!id || !sha || !wanted.has(id) || out.has(id)) continue;
    const mail = git(repo, ['format-patch', '-1', '--stdout', '--no-signature', sha]);
    if (mail === null) continue;
    const p = (await readPatchInput(`commit ${short(sha)}`, Buffer.from(mail))).patches[0];
    if (p) out.set(id, p);
  }
  return out;
}

/** Applies a patch through `read`/`write` (null: the file is deleted); why it did not apply, or null. */
function applyInto(p: Patch, read: (path: string) => string | null, write: (path: string, text: string | null) => void): string | null {
  const results: Array<[FilePatch, string | null]> = [];
  for (const f of p.files) {
    const before = f.oldPath === null ? '' : read(f.oldPath);
    if (before === null) return `${f.oldPath} does not exist`;
    const r = applyFilePatch(before, f);
    if (!r.ok) return `hunk ${r.hunk} (${r.header}) of ${f.oldPath ?? f.newPath} does not apply`;
    results.push([f, f.newPath === null ? null : r.text]);
  }
  for (const [f, text] of results) {
    if (f.oldPath !== null && f.oldPath !== f.newPath) write(f.oldPath, null);
    if (f.newPath !== null) write(f.newPath, text);
  }
  return null;
}
