// The commands that review patches rather than a tree: `patch`, `git`,
// `checklist` and `watch`, with the printing of their reviews. Their mail, diff
// and git libraries are loaded when they run (`check` never evaluates them).
import { spawnSync } from 'node:child_process';
import { mkdirSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import pkg from '../../package.json' with { type: 'json' };
import type { ReviewRun } from '../app/range.js';
import { applyConfig } from '../engine/config.js';
import type { Filter } from '../engine/filter.js';
import { mark } from '../engine/profile.js';
import type { PatchReview } from '../engine/review.js';
import { missingPathReason } from '../input/files.js';
import { InputError, notDirectory, readInput } from '../input/read.js';
import type { Series } from '../input/patch.js';
import type { Reproduce } from '../report/email.js';
import type { LevelChoice } from '../input/tree.js';
import { apiUsed } from '../report/assumed.js';
import { failsAt } from '../report/findings.js';
import { NO_SCAN_STATS, renderFindings } from '../report/formats.js';
import { apiOf, configOf, levelOf } from './config.js';
import { derivedOf, failOnOf, filterOf, formatOf, irCacheOf, patchFormat, rulesOf, type PatchFormat, type Values } from './options.js';
import { lineReader, sarifBase } from './render-context.js';
import { fail } from './usage.js';

export async function patchCommand(inputs: string[], values: Values): Promise<number> {
  mark('started');
  const { readPatchInputs } = await import('../input/patch.js');
  const { describeRejected, reviewSeries } = await import('../engine/review.js');
  const { baseOfSeries } = await import('../input/base.js');
  mark('patch libraries loaded');
  const format = patchFormat(values, 'patch');
  const filter = filterOf(values);
  if (!inputs.length) fail('patch takes one or more files, or - for standard input');
  if (values.tree !== undefined) directoryOf('--tree', values.tree);
  if (values.repo !== undefined) repoOf(values.repo);
  outputDirOf(values);
  failOnOf(values); // named before any work
  // the kernel facts of the work tree (a base commit's private copy holds only the touched directories and the core)
  const workTree = values.tree ?? values.repo;
  const derived = workTree === undefined ? undefined : derivedOf(values, workTree);
  let problems = 0;
  // inputs (files, messages, hunks) that could not be read: the review is incomplete, exit 2
  let unread = 0;
  const runs: ReviewRun[] = [];
  // the files are one input: several files of one series (git format-patch, b4) are gathered and ordered
  const files: Array<{ source: string; bytes: Buffer }> = [];
  for (const input of inputs) {
    try {
      files.push({ source: input === '-' ? '<stdin>' : input, bytes: readInput(input) });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      problems++;
      unread++;
      process.stderr.write(`mnlint: ${e.message}\n`);
    }
  }
  const read = await readPatchInputs(files);
  for (const e of read.errors) {
    problems++;
    unread++;
    process.stderr.write(`mnlint: ${e}\n`);
  }
  // prerequisite patches are looked for among all the inputs
  const pool = read.series.flatMap((s) => s.patches);
  for (const whole of read.series) {
    mark(`read ${whole.patches.length} patches`);
    for (const p of whole.problems ?? []) {
      problems++;
      unread++;
      process.stderr.write(`mnlint: ${p}\n`);
    }
    const base = await baseOfSeries(whole, { repo: values.repo, tree: values.tree, pool });
    const series = base.series;
    try {
      for (const p of base.problems) process.stderr.write(`mnlint: ${p}\n`);
      // a private copy of the base is named as the base, not by its temporary path
      const level = levelOf(values, base.tree ?? process.cwd(), base.tree && base.name ? base.name : undefined, notedIn(format));
      const reviews = await reviewSeries(series, { tree: base.tree, baseFiles: base.files, filter, api: level.level, derived, rules: rulesOf(values), jobs: 1, irCache: irCacheOf(values) });
      for (const r of reviews) {
        r.problems = r.problems.map((p) => namedBase(p, base));
        for (const p of r.problems) {
          problems++;
          process.stderr.write(`mnlint: ${p}\n`);
        }
        // reviewed in part: the hunks left out named, as patch(1) names them
        for (const x of r.problems.length ? [] : r.rejected) process.stderr.write(`mnlint: ${r.label}: ${describeRejected(x)}; the rest reviewed\n`);
      }
      if (!base.tree) process.stderr.write(`mnlint: note: ${series.source}: no --tree, the review is partial (only functions wholly inside the hunks)\n`);
      runs.push({ series, reviews, base: base.label, baseProblems: base.problems, api: level });
    } finally {
      base.cleanup();
    }
  }
  const status = await printReviews(runs, values, format, problems, workTree);
  return unread ? 2 : status;
}

/** A message naming a private copy of the base by its temporary path, with the base's name instead. */
function namedBase(message: string, base: { tree: string | undefined; name?: string }): string {
  return base.tree && base.name ? message.split(base.tree).join(base.name) : message;
}

/** A directory option (--tree DIR), checked before anything runs. */
function directoryOf(option: string, dir: string): string {
  const why = notDirectory(dir);
  return why === null ? dir : fail(`${option} ${dir}: ${why}`);
}

/** --output-dir DIR: made when missing, so only something else there is refused. */
function outputDirOf(values: Values): void {
  const dir = values['output-dir'];
  if (dir !== undefined && existsSync(dir)) directoryOf('--output-dir', dir);
}

/** --repo DIR, checked before anything runs: a directory, and a git repository. */
function repoOf(repo: string): string {
  directoryOf('--repo', repo);
  const r = spawnSync('git', ['-C', repo, 'rev-parse', '--git-dir'], { encoding: 'utf8' });
  return r.status === 0 ? repo : fail(`--repo ${repo}: not a git repository`);
}

/** Prints the reviews of `patch` and `git` in the chosen format; the exit status. */
async function printReviews(runs: readonly ReviewRun[], values: Values, format: PatchFormat, problems: number, tree: string | undefined): Promise<number> {
  const { formatPatchJson, formatPatchText, patchSarifNotes } = await import('../report/patch.js');
  const { emailMbox, emailReplies } = await import('../report/email.js');
  const config = configOf(values);
  for (const r of runs) for (const x of r.reviews) x.findings = applyConfig(x.findings, config);
  const findings = runs.flatMap((r) => r.reviews.flatMap((x) => x.findings));
  if (format === 'json') process.stdout.write(formatPatchJson(runs, pkg.version));
  else if (format === 'sarif' || format === 'rdjsonl') {
    process.stdout.write(
      renderFindings(format, {
        findings,
        stats: NO_SCAN_STATS,
        rules: rulesOf(values),
        version: pkg.version,
        lineText: () => undefined,
        sarifBase: format === 'sarif' ? sarifBase(values, tree ?? process.cwd()) : undefined,
        sarifNotes: patchSarifNotes(runs),
        // which base each series was reviewed against
        runProperties: runs.some((r) => r.base !== undefined)
          ? { bases: runs.map((r) => ({ source: r.series.source, base: r.base ?? null, ...(r.baseProblems?.length ? { problems: r.baseProblems } : {}), ...(r.api ? { api: apiUsed(r.api) } : {}) })) }
          : undefined,
      }),
    );
  } else if (format === 'email') {
    const replies = runs.flatMap((r) =>
      emailReplies(r.reviews, {
        version: pkg.version,
        reproduce: reproduceOf(values, r.series),
        ...(r.api ? { api: apiUsed(r.api) } : {}),
      }),
    );
    if (values['output-dir']) {
      mkdirSync(values['output-dir'], { recursive: true });
      const { writeReply } = await import('../app/watch.js');
      for (const reply of replies) writeReply(resolve(values['output-dir']), reply);
      process.stderr.write(`mnlint: ${replies.length} replies written to ${values['output-dir']}\n`);
    } else {
      process.stdout.write(emailMbox(replies));
    }
  } else process.stdout.write(formatPatchText(runs, lineReader(tree ?? process.cwd()), { terse: format === 'terse', checkpatch: format === 'checkpatch', summary: !values['no-summary'] }));
  // problems are named on stderr; exit 2 only when nothing could be reviewed
  const reviewed = runs.reduce((n, r) => n + r.reviews.filter((x) => !x.problems.length).length, 0);
  if (problems && reviewed === 0) return 2;
  return failsAt(findings, failOnOf(values)) ? 1 : 0;
}

/** The e-mail footer's run: the options that shape the findings, and the inputs (email.ts keeps local paths out). */
function reproduceOf(values: Values, series: Series): Reproduce {
  const options = [
    ...(values.kernel ? ['--kernel', values.kernel] : []),
    ...(values.api ? ['--api', values.api] : []),
    ...(values.filter ? ['--filter', values.filter] : []),
    ...(values.rule ?? []).flatMap((id) => ['--rule', id]),
  ];
  // `git` runs in the reader's clone: no --repo
  if (series.source.startsWith('commit ')) return { command: 'git', options, revision: series.source.slice('commit '.length) };
  const inputs = [...new Set([...(series.cover ? [series.cover] : []), ...series.patches].map((p) => p.source))];
  return { command: 'patch', options, tree: values.tree !== undefined, repo: values.repo !== undefined, inputs };
}

export async function gitCommand(args: string[], values: Values): Promise<number> {
  const format = patchFormat(values, 'git');
  const filter = filterOf(values);
  if (args.length !== 1) fail(`git takes one revision range (A..B) or one commit${givenArgs(args)}`);
  if (values.repo !== undefined) repoOf(values.repo);
  outputDirOf(values);
  failOnOf(values); // named before any work
  const range = await rangeReview(values.repo ?? '.', args[0]!, values, filter, notedIn(format));
  if (!range) return 2;
  return printReviews(range.runs, values, format, range.problems, undefined);
}

/** `git`'s and the checklist's range review, its problems on stderr. */
/**
 * Whether the fallback to the newest level is noted on stderr: not in the
 * shapes b4 reads (checkpatch's, terse, and the b4 check protocol), where
 * every stderr line is taken for a failed check.
 */
function notedIn(format: string): boolean {
  return !['checkpatch', 'terse', 'b4'].includes(format);
}

async function rangeReview(repo: string, range: string, values: Values, filter: Filter, note = true): Promise<{ runs: ReviewRun[]; problems: number } | null> {
  const { reviewRange } = await import('../app/range.js');
  return reviewRange(repo, range, {
    filter,
    rules: rulesOf(values),
    irCache: irCacheOf(values),
    levelOf: (tree, where) => levelOf(values, tree, where, note),
    derived: derivedOf(values, repo),
    problem: (line) => process.stderr.write(`mnlint: ${line}\n`),
  });
}

export async function watchCommand(args: string[], values: Values): Promise<number> {
  const { WatchInputError, defaultStatePath, watchInbox } = await import('../app/watch.js');
  if (args.length) fail('watch takes no arguments: --public-inbox DIR --outbox DIR');
  const inbox = values['public-inbox'] ?? fail('watch needs --public-inbox DIR (a public-inbox v2 archive)');
  const outbox = values.outbox ?? fail('watch needs --outbox DIR (where the replies go)');
  directoryOf('--public-inbox', inbox);
  if (existsSync(outbox)) directoryOf('--outbox', outbox);
  if (values.tree !== undefined) directoryOf('--tree', values.tree);
  const crash = process.env.MNLINT_WATCH_CRASH_AFTER;
  try {
    const r = await watchInbox({
      inbox,
      outbox,
      state: values.state ?? defaultStatePath(outbox),
      tree: values.tree,
      api: apiOf(values, values.tree ?? process.cwd()),
      derived: values.tree === undefined ? undefined : derivedOf(values, values.tree),
      rules: rulesOf(values),
      config: configOf(values),
      version: pkg.version,
      log: (line) => process.stdout.write(`${line}\n`),
      // the tests' kill: exit as SIGKILL would, between the replies and the state
      afterReplies: crash ? (n) => n >= Number(crash) && process.exit(3) : undefined,
    });
    process.stdout.write(`mnlint: ${r.messages} new messages, ${r.reviewed} series reviewed, ${r.skipped} skipped (no notifier code), ${r.replies} replies, ${r.pending} series incomplete\n`);
    return 0;
  } catch (e) {
    if (e instanceof WatchInputError) {
      process.stderr.write(`mnlint: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

export async function checklistCommand(args: string[], values: Values): Promise<number> {
  const { readPatchInput } = await import('../input/patch.js');
  const { repoFacts } = await import('../input/git.js');
  const { reviewSeries } = await import('../engine/review.js');
  const { buildChecklist, worst } = await import('../app/checklist.js');
  const { formatPatchCommit, looksLikeFile, seriesOf } = await import('../app/range.js');
  const { formatB4, formatChecklistJson, formatChecklistMarkdown } = await import('../report/checklist.js');
  const format = formatOf('checklist', values.format);
  if (args.length !== 1) fail(`checklist takes one mbox file, - for standard input, or one git range${givenArgs(args)}`);
  const arg = args[0]!;
  if (values.repo !== undefined) repoOf(values.repo);
  if (values.tree !== undefined) directoryOf('--tree', values.tree);
  // a path is a file (regular, or named), else a revision range
  const isFile = arg === '-' || existsSync(arg);
  if (!isFile && looksLikeFile(arg)) throw new InputError(arg, missingPathReason(arg));
  if (values.previous !== undefined && !existsSync(values.previous) && looksLikeFile(values.previous)) throw new InputError(`--previous ${values.previous}`, missingPathReason(values.previous));
  const bytes = isFile ? readInput(arg) : null;
  // --hunks-only (kept for hooks installed before): the work tree holds the commit
  const tree = values.tree ?? values.repo;
  const repo = values.repo !== undefined ? await repoFacts(values.repo) : undefined;
  const previous = values.previous !== undefined ? await seriesOf(values.previous, values.repo ?? '.') : undefined;
  let series: Series;
  let reviews: PatchReview[];
  let base: { label: string; problems: string[] } | undefined;
  // the API levels the reviews used, with their sources
  let levels: LevelChoice[] = [];
  // a mail git format-patch wrote in this repository ("From <sha> ..."): that commit
  // against its parent, as `mnlint git` reviews it (the send-email hook's case)
  const commit = arg !== '-' && bytes && values.repo !== undefined ? formatPatchCommit(values.repo, bytes) : null;
  if (commit) {
    const range = await rangeReview(values.repo!, commit, values, filterOf(values), notedIn(format));
    if (!range) return 2;
    reviews = range.runs.flatMap((r) => r.reviews);
    levels = range.runs.flatMap((r) => (r.api ? [r.api] : []));
    base = { label: `the parent of ${commit.slice(0, 12)} in ${values.repo}`, problems: [] };
    const mail = await readPatchInput(arg, bytes!);
    // the mail's own headers and trailers (To, Cc as sent), the commit's review
    series = mail;
    reviews.forEach((r, i) => {
      if (mail.patches[i]) r.patch = mail.patches[i]!;
    });
  } else if (bytes) {
    series = await readPatchInput(arg === '-' ? '<stdin>' : arg, bytes);
    // with --repo, the base the mail names (b4's and the send-email hook's case for a mail not written here)
    const { baseOfSeries } = await import('../input/base.js');
    const found = await baseOfSeries(series, { repo: values.repo, tree });
    try {
      series = found.series;
      base = { label: found.label, problems: found.problems };
      const level = levelOf(values, found.tree ?? process.cwd(), found.tree && found.name ? found.name : undefined, notedIn(format));
      levels = [level];
      reviews = await reviewSeries(series, {
        tree: found.tree,
        baseFiles: found.files,
        filter: filterOf(values),
        api: level.level,
        derived: tree === undefined ? undefined : derivedOf(values, tree),
        rules: rulesOf(values),
        jobs: 1,
        irCache: irCacheOf(values),
      });
      for (const r of reviews) r.problems = r.problems.map((p) => namedBase(p, found));
    } finally {
      found.cleanup();
    }
  } else {
    const range = await rangeReview(values.repo ?? '.', arg, values, filterOf(values), notedIn(format));
    // named on stderr; with --format json or b4, main prints the document saying so
    if (!range) return 2;
    reviews = range.runs.flatMap((r) => r.reviews);
    levels = range.runs.flatMap((r) => (r.api ? [r.api] : []));
    // each commit against its parent
    const bases = [...new Set(range.runs.flatMap((r) => (r.base ? [r.base] : [])))];
    if (bases.length) base = { label: bases.length === 1 ? bases[0]! : `each commit's parent in ${values.repo ?? '.'}`, problems: [] };
    series = { source: arg, version: 1, cover: null, patches: reviews.map((r) => r.patch), dropped: [], replies: [] };
  }
  const config = configOf(values);
  for (const r of reviews) r.findings = applyConfig(r.findings, config);
  const list = await buildChecklist({ series, reviews, previous, repo, base, levels });
  process.stdout.write(format === 'json' ? formatChecklistJson([list], pkg.version) : format === 'b4' ? formatB4(list) : formatChecklistMarkdown([list]));
  return worst(list) === 'fail' ? 1 : 0;
}

/** What was given in place of one argument, for the usage error: none, or the words. */
function givenArgs(args: readonly string[]): string {
  return args.length ? `, not ${args.length} (${args.join(' ')})` : ' (none given)';
}
