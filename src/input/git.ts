// Commits as patches: each commit of a range, as `git format-patch` writes it,
// with a private copy of the parent's version of the touched directories to
// review it against. The user's work tree and index are never touched.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { simpleGit } from 'simple-git';
import { MnlintError } from './read.js';
import { parseMaintainers, type MaintainerEntry } from './maintainers.js';
import { readPatchInput, type Series } from './patch.js';

export class GitInputError extends MnlintError {}

export interface CommitPatch {
  commit: string;
  series: Series;
  /** the parent's files, for --tree; remove with cleanup() */
  tree: string;
  /** a commit without a parent: reviewed against the empty tree */
  root: boolean;
  cleanup(): void;
}

/** Files the API level is read from, exported beside the touched directories. */
const CORE_FILES = ['include/linux/mmu_notifier.h', 'mm/mmu_notifier.c', 'Makefile'];

export async function commitsOf(repo: string, range: string): Promise<string[]> {
  const git = simpleGit(repo);
  try {
    if (!(await git.checkIsRepo())) throw new GitInputError(`${repo}: not a git repository`);
    const out = await git.raw(['rev-list', '--reverse', '--no-merges', range.includes('..') ? range : `${range}^!`]);
    const commits = out.split('\n').filter(Boolean);
    // an empty range (`A..A`, `...`) reviews nothing: said, not a silent success
    if (!commits.length) throw new GitInputError(`${range}: no commit to review in the range (merges are not reviewed)`);
    return commits;
  } catch (e) {
    if (e instanceof GitInputError) throw e;
    throw new GitInputError(`${range}: not a revision range of ${repo} (${(e as Error).message.split('\n')[0]})`);
  }
}

export async function commitPatch(repo: string, commit: string): Promise<CommitPatch> {
  const git = simpleGit(repo);
  const mail = await git.raw(['format-patch', '-1', '--stdout', '--no-signature', commit]);
  const series = await readPatchInput(`commit ${commit.slice(0, 12)}`, Buffer.from(mail));
  // a root commit is reviewed against the empty tree (of the repository's hash)
  const root = (await git.raw(['rev-list', '--parents', '-n', '1', commit])).trim().split(' ').length === 1;
  const parent = root ? (await git.raw(['hash-object', '-t', 'tree', '/dev/null'])).trim() : (await git.raw(['rev-parse', `${commit}^`])).trim();
  const touched = series.patches.flatMap((p) => p.files.map((f) => f.oldPath ?? f.newPath!));
  const tree = await exportTree(repo, parent, touched, commit.slice(0, 12));
  return { commit, series, tree, root, cleanup: () => rmSync(tree, { recursive: true, force: true }) };
}

/**
 * A private copy of `rev`'s version of the directories of `files`, with the
 * files the API level and the core facts are read from; its path (the caller
 * removes it). Nothing of the work tree or the index is touched.
 */
export async function exportTree(repo: string, rev: string, files: readonly string[], label: string): Promise<string> {
  // only what the commit has: a patch may add a directory
  const wanted = [...new Set(files.map((f) => dirname(f))), ...CORE_FILES];
  const present = (await simpleGit(repo).raw(['ls-tree', '--name-only', rev, '--', ...wanted])).split('\n').filter(Boolean);
  const tree = mkdtempSync(join(tmpdir(), 'mnlint-git-'));
  // no path at all would archive the whole commit
  if (!present.length) return tree;
  // git archive is binary: piped straight into tar, not through simple-git's strings
  const archive = spawnSync('git', ['-C', repo, 'archive', '--format=tar', rev, '--', ...present], { maxBuffer: 1 << 30 });
  if (archive.status !== 0) {
    rmSync(tree, { recursive: true, force: true });
    throw new GitInputError(`${label}: cannot export ${rev.slice(0, 12)} (${archive.stderr.toString().trim().split('\n')[0]})`);
  }
  const untar = spawnSync('tar', ['-x', '-C', tree], { input: archive.stdout });
  if (untar.status !== 0) {
    rmSync(tree, { recursive: true, force: true });
    throw new GitInputError(`${label}: cannot unpack the files of ${rev.slice(0, 12)} (${untar.stderr.toString().trim()})`);
  }
  return tree;
}

/** What the checklist asks a repository: commits by id, the history of files, MAINTAINERS. */

/** What a repository can tell; absent without `--repo`. */
export interface RepoFacts {
  /** the subject of a commit, or null when it does not exist */
  commitSubject(sha: string): Promise<string | null>;
  /** subjects of recent commits touching a file */
  subjectsTouching(file: string): Promise<string[]>;
  maintainers: readonly MaintainerEntry[] | null;
}

export async function repoFacts(repo: string): Promise<RepoFacts> {
  const git = simpleGit(repo);
  if (!(await git.checkIsRepo().catch(() => false))) throw new GitInputError(`${repo}: not a git repository`);
  const maintainersFile = join(repo, 'MAINTAINERS');
  const history = new Map<string, Promise<string[]>>();
  return {
    maintainers: existsSync(maintainersFile) ? parseMaintainers(readFileSync(maintainersFile, 'utf8')) : null,
    commitSubject: async (sha) => {
      try {
        return (await git.raw(['log', '-1', '--format=%s', `${sha}^{commit}`])).trim();
      } catch {
        return null;
      }
    },
    // a series touches the same files in several patches: one log per file
    subjectsTouching: (file) => {
      if (!history.has(file))
        history.set(
          file,
          git
            .raw(['log', '-n', '30', '--no-merges', '--format=%s', '--', file])
            .catch(() => '')
            .then((out) => out.split('\n').filter(Boolean)),
        );
      return history.get(file)!;
    },
  };
}

/** A range (or one commit) as `git format-patch` would mail it. */
export async function rangeMbox(repo: string, range: string): Promise<string> {
  try {
    return await simpleGit(repo).raw(['format-patch', '--stdout', '--no-signature', range.includes('..') ? range : '-1', ...(range.includes('..') ? [] : [range])]);
  } catch (e) {
    throw new GitInputError(`${range}: not a revision range of ${repo} (${(e as Error).message.split('\n')[0]})`);
  }
}
