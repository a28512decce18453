// The list bot: reads a public-inbox v2 archive (git/N.git epochs, each
// message a commit whose tree holds it as `m`), gathers the patch series that
// arrived since the last run by thread, reviews each complete series that
// touches notifier code, and writes the e-mail replies to an outbox folder.
// The state (last commit per epoch, series still incomplete, series done) is a
// small JSON file, replaced atomically after each series, so a run can be
// stopped at any point: the next one redoes at most the series it was on, and
// reply file names are fixed by content, so nothing is written twice.
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { simpleGit } from 'simple-git';
import { describeFsError, isDirectory } from '../input/files.js';
import { InputError, MnlintError, readJsonInput } from '../input/read.js';
import * as z from 'zod/mini';
import type { ApiLevel } from '../model/api.js';
import { atLeast, type Rule } from '../rules/rule.js';
import { applyConfig, type Config } from '../engine/config.js';
import { parseSubjectTag, readPatchInput, threadHeaders, type Series } from '../input/patch.js';
import { emailReplies } from '../report/email.js';
import { reviewSeries } from '../engine/review.js';
import type { DerivedTable } from '../ir/facts-db.js';

export class WatchInputError extends MnlintError {}

const WatchState = z.object({
  version: z.literal(1),
  /** epoch number -> last commit read */
  epochs: z.record(z.string(), z.string()),
  /** thread root -> the patch mails seen so far, as `epoch:commit` */
  pending: z.record(z.string(), z.array(z.string())),
  /** thread roots reviewed (or skipped), so a resent copy is not reviewed again */
  done: z.array(z.string()),
});
type WatchState = z.infer<typeof WatchState>;

export interface WatchOptions {
  inbox: string;
  outbox: string;
  state: string;
  tree?: string;
  api: ApiLevel;
  /** the kernel facts of --tree */
  derived?: DerivedTable;
  rules?: readonly Rule[];
  config: Config;
  version: string;
  log: (line: string) => void;
  /** called when a series' replies are written and its state not yet saved: where a kill must lose nothing */
  afterReplies?: (reviewed: number) => void;
}

export interface WatchResult {
  messages: number;
  reviewed: number;
  skipped: number;
  replies: number;
  pending: number;
}

const NOTIFIER = /mmu_(interval_)?notifier/;

function readState(path: string): WatchState {
  // nothing there is the first run; a link to nowhere or a loop is named by the read
  let there: unknown;
  try {
    there = lstatSync(path, { throwIfNoEntry: false });
  } catch (e) {
    throw new WatchInputError(`--state ${path}: ${describeFsError(e)}`);
  }
  if (!there) return { version: 1, epochs: {}, pending: {}, done: [] };
  let json: unknown;
  try {
    json = readJsonInput(path, { label: `--state ${path}` });
  } catch (e) {
    // one line, the text never echoed, and what to do
    if (e instanceof InputError && e.reason.startsWith('not JSON')) throw new WatchInputError(`${path}: the state file is ${e.reason}; remove it to start over`);
    throw e;
  }
  const parsed = WatchState.safeParse(json);
  if (!parsed.success) throw new WatchInputError(`${path}: not a mnlint watch state file; remove it to start over`);
  return parsed.data;
}

function saveState(path: string, state: WatchState): void {
  // write then rename: a kill leaves the old state or the new one, never half
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, path);
}

function epochsOf(inbox: string): Array<{ n: string; dir: string }> {
  const gitDir = join(inbox, 'git');
  if (!existsSync(gitDir)) throw new WatchInputError(`${inbox}: not a public-inbox v2 archive (no git/ folder)`);
  return readdirSync(gitDir)
    .map((name) => /^(\d+)\.git$/.exec(name)?.[1])
    .filter((n): n is string => n !== undefined)
    .sort((a, b) => Number(a) - Number(b))
    .map((n) => {
      const dir = join(gitDir, `${n}.git`);
      // an epoch is a bare repository: a file or a dangling link there is a damaged archive, named
      if (!isDirectory(dir)) throw new WatchInputError(`${dir}: not a git repository (a public-inbox epoch is a directory)`);
      return { n, dir };
    });
}

async function rawMessage(inbox: string, ref: string): Promise<Buffer> {
  const [n, commit] = ref.split(':') as [string, string];
  const out = await simpleGit(join(inbox, 'git', `${n}.git`)).raw(['cat-file', 'blob', `${commit}:m`]);
  return Buffer.from(out, 'utf8');
}

function mboxOf(raws: readonly Buffer[]): Buffer {
  return Buffer.from(
    raws
      .map(
        (r) =>
          `From mboxrd@z Thu Jan  1 00:00:00 1970\n${r
            .toString('utf8')
            .replace(/\r\n/g, '\n')
            .replace(/^(>*From )/gm, '>$1')}\n`,
      )
      .join(''),
  );
}

/** The series is whole: patches 1..T of its newest version are all there. */
function complete(series: Series): boolean {
  const total = series.patches[0]?.total ?? 0;
  const have = new Set(series.patches.map((p) => p.index));
  return total > 0 && Array.from({ length: total }, (_, i) => i + 1).every((i) => have.has(i));
}

function touchesNotifiers(series: Series, raws: readonly Buffer[], paths: readonly string[]): boolean {
  const files = series.patches.flatMap((p) => p.files.map((f) => f.newPath ?? f.oldPath!));
  if (paths.length && !files.some((f) => paths.some((p) => f.startsWith(p)))) return false;
  return files.some((f) => f.endsWith('mmu_notifier.c') || f.endsWith('mmu_notifier.h')) || raws.some((r) => NOTIFIER.test(r.toString('utf8')));
}

export async function watchInbox(opts: WatchOptions): Promise<WatchResult> {
  const state = readState(opts.state);
  const result: WatchResult = { messages: 0, reviewed: 0, skipped: 0, replies: 0, pending: 0 };
  const done = new Set(state.done);
  // messages read in this run, so a series that completes now is not read twice
  const read = new Map<string, Buffer>();
  const message = async (ref: string): Promise<Buffer> => {
    let raw = read.get(ref);
    if (!raw) {
      raw = await rawMessage(opts.inbox, ref);
      read.set(ref, raw);
    }
    return raw;
  };

  // 1. new patch mails, by thread root
  for (const epoch of epochsOf(opts.inbox)) {
    const git = simpleGit(epoch.dir);
    const last = state.epochs[epoch.n];
    const head = (await git.raw(['rev-parse', '--verify', '-q', 'HEAD']).catch(() => '')).trim();
    if (!head) continue;
    const commits = (await git.raw(['rev-list', '--reverse', last ? `${last}..${head}` : head])).split('\n').filter(Boolean);
    for (const commit of commits) {
      state.epochs[epoch.n] = commit;
      const ref = `${epoch.n}:${commit}`;
      let raw: Buffer;
      try {
        raw = await message(ref);
      } catch {
        continue; // a deletion (`d`) or a commit without a message
      }
      result.messages++;
      const h = await threadHeaders(raw, ref).catch(() => null);
      if (!h || /^(re|aw|fwd):/i.test(h.subject) || !parseSubjectTag(h.subject)) continue;
      const root = h.thread[0] ?? h.messageId ?? ref;
      if (done.has(root)) continue;
      const waiting = state.pending[root] ?? [];
      waiting.push(ref);
      state.pending[root] = waiting;
    }
  }

  // 2. each complete series: reviewed, replies written, then the state saved
  for (const root of Object.keys(state.pending).sort()) {
    const refs = state.pending[root]!;
    const raws = await Promise.all(refs.map(message));
    let series: Series;
    try {
      series = await readPatchInput(`thread ${root}`, mboxOf(raws));
    } catch (e) {
      opts.log(`mnlint: ${(e as Error).message}`);
      continue;
    }
    if (!complete(series)) continue;
    const title = series.cover?.subject ?? series.patches[0]?.subject ?? root;
    if (!touchesNotifiers(series, raws, opts.config.watch.paths)) {
      result.skipped++;
    } else {
      const reviews = await reviewSeries(series, { tree: opts.tree, filter: 'added', api: opts.api, derived: opts.derived, rules: opts.rules, jobs: 1 });
      for (const r of reviews) {
        r.findings = applyConfig(r.findings, opts.config).filter((f) => atLeast(f.severity, opts.config.watch.minSeverity));
        for (const p of r.problems) opts.log(`mnlint: ${p}`);
      }
      const replies = opts.config.watch.mute ? [] : emailReplies(reviews, { version: opts.version, reproduce: { command: 'patch', options: ['--filter', 'added'], tree: opts.tree !== undefined, inputs: ['-'] } });
      try {
        mkdirSync(opts.outbox, { recursive: true });
        for (const reply of replies) writeReply(opts.outbox, reply);
      } catch (e) {
        throw new WatchInputError(`--outbox ${opts.outbox}: ${describeFsError(e)}`);
      }
      const findings = reviews.reduce((n, r) => n + r.findings.length, 0);
      opts.log(`mnlint: reviewed v${series.version} "${title}" (${series.patches.length} patches): ${findings} findings, ${replies.length} replies${opts.config.watch.mute ? ' (muted)' : ''}`);
      result.reviewed++;
      result.replies += replies.length;
      opts.afterReplies?.(result.reviewed);
    }
    delete state.pending[root];
    state.done.push(root);
    done.add(root);
    saveState(opts.state, state);
  }
  result.pending = Object.keys(state.pending).length;
  saveState(opts.state, state);
  return result;
}

export function defaultStatePath(outbox: string): string {
  return resolve(outbox, '.mnlint-watch-state.json');
}

/**
 * Writes a reply file without ever overwriting one: the same text again is
 * left as it is, a different text under a taken name gets `-2`, `-3`...
 */
export function writeReply(dir: string, reply: { name: string; text: string }): string {
  const dot = reply.name.lastIndexOf('.');
  for (let n = 1; ; n++) {
    const name = n === 1 ? reply.name : `${reply.name.slice(0, dot)}-${n}${reply.name.slice(dot)}`;
    const path = join(dir, name);
    if (existsSync(path)) {
      if (readFileSync(path, 'utf8') === reply.text) return path;
      continue;
    }
    writeFileSync(path, reply.text, { flag: 'wx' });
    return path;
  }
}
