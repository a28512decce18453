// mnlint's command line: argument parsing and wiring only.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism, homedir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pkg from '../../package.json' with { type: 'json' };
import { analyze } from '../engine/analyze.js';
import { exploreFiles } from '../engine/explore-files.js';
import { formatExplore, formatExploreJson } from '../report/explore.js';
import { scan, type ScanProgress, type ScanResult } from '../engine/scan.js';
import { mark } from '../engine/profile.js';
import { IrCache } from '../engine/ir-cache.js';
import { describeFsError, isDirectory } from '../input/files.js';
// patch and git review: loaded when those commands run (mail, diff and git
// libraries are not worth evaluating for every `check`)
import type { Series } from '../input/patch.js';
import { DEFAULT_FILTER, FILTERS, type Filter } from '../engine/filter.js';
import type { PatchReview } from '../engine/review.js';
import type { ReviewRun } from '../app/range.js';
import { applyConfig, ConfigError, loadConfig, NO_CONFIG, type Config } from '../engine/config.js';
import { FAIL_ON, failsAt, type FailOn } from '../report/findings.js';
import { type FORMATS, formatFor, NO_SCAN_STATS, renderFindings, type FormatCommand } from '../report/formats.js';
import { buildInventory, formatInventoryText } from '../report/inventory.js';
import { buildSurvey, formatSurveyMarkdown } from '../report/survey.js';
import { formatExplain, formatRules, formatRulesJson } from '../report/rules.js';
import { RULES, findRule } from '../rules/index.js';
import { API_LEVELS, apiById, type ApiLevel } from '../model/api.js';
import { apiOfKernelOrTree } from '../input/tree.js';
import type { Rule } from '../rules/rule.js';

const USAGE = `usage: mnlint <command> [options] [PATH...]

commands:
  check [PATH...]       analyze C files and directories (default .) and report findings
  inventory [PATH...]   list notifier ops tables, their callbacks and the callbacks' facts;
                        with --survey, a markdown table of every notifier user (callbacks, non-blockable
                        handling, read side, two-pass, lifetime, findings)
  rules                 list the rules
  explain RULE          print a rule's documentation
  patch FILE...|-       review a unified diff, a git format-patch mail or an mbox series;
                        with --tree DIR, each patch is applied in order and the touched drivers analyzed
  git RANGE             review each commit of a range (A..B, or one commit) against its parent
  checklist MBOX|RANGE  the pre-send checklist of a series (markdown; --format json, b4), with --repo DIR
                        for Fixes:, subject prefixes and MAINTAINERS, --previous MBOX|RANGE for dropped trailers
  watch --public-inbox DIR --outbox DIR
                        review each new series touching notifier code in a public-inbox v2 archive
                        and write the replies to the outbox (state kept in --state FILE)
  hook install          write the repository's git send-email sendemail-validate hook: each outgoing
                        patch gets the checklist, and a failing item stops the send
  kbuild [FLAGS] FILE.c  what kbuild's CHECK runs (make C=1 CHECK="mnlint kbuild"): the compiler's -D, -U,
                        -I and -include decide each #if with the build's autoconf.h; findings on stderr as
                        sparse prints them; exit 0 unless --fail-on LEVEL comes before the flags
  model explore [PATH...]
                        run the reference model's explorer on the notifiers of each file and print the
                        invariant violations with their traces

options:
  --format FORMAT       check: text (default), terse, json, sarif, rdjsonl, html; patch, git: those but
                        html, checkpatch (the bare checkpatch block) and email; --terse, --no-summary,
                        --show-types as in checkpatch (types are always shown);
                        inventory: text, json; rules: text, json; checklist: markdown, json, b4
  --fail-on LEVEL       exit 1 on findings at or above error (default), warning, info; never
  --rule ID             run only this rule (repeatable)
  --tree DIR            patch: the kernel tree the series applies to
  --repo DIR            git, checklist, hook: the repository (default .)
  --filter MODE         patch, git, checklist: new (default: what the post-image has and the pre-image
                        has not, wherever it sits), added, diff_context, file, nofilter
                        (patch and git exit 2 only when no patch could be reviewed; problems are named on stderr)
  --output-dir DIR      patch --format email: one .eml reply per patch in DIR instead of an mbox on stdout
  --kernel VERSION      check against this kernel's API (6.12, 6.1, 5.11...); default: detected from the
                        tree's include/linux/mmu_notifier.h, else the newest level
  --api LEVEL           check against an API level by name (see \`mnlint rules --levels\`), e.g. two-pass-v2
  --config FILE         check, patch, git: a JSON file turning rules off or changing their severity,
                        excluding path prefixes, fixing the kernel version (see the README)
  --sarif-root DIR      sarif: URIs relative to DIR (default: the git top of the scanned tree)
  --jobs N              parse threads (default: the number of cores for a directory, 1 for files)
  -q, --quiet           no progress line (shown on a terminal while a directory is scanned)
  --no-cache            parse every file (default: reuse the IR of files whose text this build parsed
                        before, kept in $MNLINT_CACHE_DIR, else ~/.cache/mnlint)
  -h, --help            this help
  -v, --version         the version

exit status: 0 no findings at or above --fail-on, 1 findings, 2 usage or input errors`;

class UsageError extends Error {}

function fail(message: string): never {
  throw new UsageError(message);
}

export async function main(argv: string[]): Promise<number> {
  mark('main');
  // kbuild's flags are the compiler's (-D, -include ...), not mnlint's
  if (argv[0] === 'kbuild') {
    const { runKbuild } = await import('../app/kbuild.js');
    return runKbuild({ argv: argv.slice(1), cwd: process.cwd(), irCache: irCacheOf({}), write: (t) => process.stderr.write(t) });
  }
  // biome-ignore lint/suspicious/noImplicitAnyLet: parseArgs types the values from its options, on assignment
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string' },
        'fail-on': { type: 'string' },
        rule: { type: 'string', multiple: true },
        kernel: { type: 'string' },
        previous: { type: 'string' },
        'public-inbox': { type: 'string' },
        outbox: { type: 'string' },
        state: { type: 'string' },
        'hunks-only': { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        'no-cache': { type: 'boolean' },
        terse: { type: 'boolean' },
        'no-summary': { type: 'boolean' },
        'show-types': { type: 'boolean' },
        'sarif-root': { type: 'string' },
        config: { type: 'string' },
        api: { type: 'string' },
        levels: { type: 'boolean' },
        survey: { type: 'boolean' },
        tree: { type: 'string' },
        filter: { type: 'string' },
        'output-dir': { type: 'string' },
        repo: { type: 'string' },
        jobs: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (e) {
    process.stderr.write(`mnlint: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    process.stdout.write(`mnlint ${pkg.version}\n`);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    (values.help ? process.stdout : process.stderr).write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  try {
    switch (command) {
      case 'check':
        return await check(rest, values);
      case 'inventory':
        return await inventory(rest, values);
      case 'rules': {
        if (values.levels) {
          process.stdout.write(API_LEVELS.map((l) => `${l.id.padEnd(12)} ${l.description}\n`).join(''));
          return 0;
        }
        const format = formatOf('rules', values.format);
        process.stdout.write(format === 'json' ? formatRulesJson(RULES) : formatRules(RULES));
        return 0;
      }
      case 'patch':
        return await patchCommand(rest, values);
      case 'checklist':
        return await checklistCommand(rest, values);
      case 'watch':
        return await watchCommand(rest, values);
      case 'hook': {
        if (rest[0] !== 'install' || rest.length !== 1) fail('hook takes a subcommand: hook install [--repo DIR]');
        return await hookInstall(values.repo ?? '.');
      }
      case 'git':
        return await gitCommand(rest, values);
      case 'model': {
        if (rest[0] !== 'explore') fail('model takes a subcommand: model explore [PATH...]');
        return await modelExplore(rest.slice(1), values);
      }
      case 'explain': {
        if (rest.length !== 1) fail('explain takes one rule id (see `mnlint rules`)');
        const rule = findRule(rest[0]!);
        if (!rule) fail(`explain: no rule ${rest[0]} (see \`mnlint rules\`)`);
        process.stdout.write(formatExplain(rule));
        return 0;
      }
      default:
        fail(`unknown command ${command}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`mnlint: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

interface Values {
  repo?: string;
  'output-dir'?: string;
  tree?: string;
  filter?: string;
  kernel?: string;
  previous?: string;
  'public-inbox'?: string;
  outbox?: string;
  state?: string;
  'hunks-only'?: boolean;
  quiet?: boolean;
  'no-cache'?: boolean;
  survey?: boolean;
  terse?: boolean;
  'no-summary'?: boolean;
  'show-types'?: boolean;
  'sarif-root'?: string;
  config?: string;
  api?: string;
  levels?: boolean;
  format?: string;
  'fail-on'?: string;
  rule?: string[];
  jobs?: string;
}

/** Parse threads: all cores for a directory scan; for a list of files starting workers costs more than it saves. */
function jobsOf(values: Values, paths: string[]): number {
  if (values.jobs === undefined) return paths.some((p) => isDirectory(p)) ? availableParallelism() : 1;
  const n = Number(values.jobs);
  if (!Number.isInteger(n) || n < 1) fail(`--jobs takes a positive whole number, not ${values.jobs}`);
  return n;
}

async function runScan(paths: string[], values: Values): Promise<ScanResult> {
  const inputs = paths.length ? paths : ['.'];
  const progress = progressLine(values, inputs);
  const result = await scan({ paths: inputs, jobs: jobsOf(values, inputs), workerScript: workerScript(), irCache: irCacheOf(values), progress: progress?.update }).finally(() => progress?.clear());
  for (const p of result.problems) process.stderr.write(`mnlint: ${p.path}: ${p.message}\n`);
  for (const p of result.partial) {
    process.stderr.write(
      p.tooDeep
        ? `mnlint: note: ${p.file}:${p.line}: ${p.function}() nests deeper than mnlint walks; it has no facts, and nothing is proved absent from it\n`
        : `mnlint: note: ${p.file}:${p.line}: ${p.function}() has text tree-sitter could not parse (line ${p.lines.join(', ')}); its facts are partial\n`,
    );
  }
  return result;
}

/**
 * The IR cache of this build (`$MNLINT_CACHE_DIR`, else `$XDG_CACHE_HOME/mnlint`,
 * else `~/.cache/mnlint`); none with --no-cache, or when running from sources
 * (no build to name entries by).
 */
function irCacheOf(values: Values): IrCache | undefined {
  const build = process.env.MNLINT_BUILD;
  if (values['no-cache'] || !build) return undefined;
  const dir = process.env.MNLINT_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'mnlint');
  return new IrCache(dir, build);
}

/**
 * A directory scan on a terminal: one line on stderr (files read, parsed,
 * elapsed), redrawn at most ten times a second and erased at the end. None
 * when stderr is not a terminal, with --quiet, or for files named alone.
 */
function progressLine(values: Values, inputs: string[]): { update: (p: ScanProgress) => void; clear: () => void } | null {
  if (values.quiet || !process.stderr.isTTY || !inputs.some((p) => isDirectory(p))) return null;
  const started = performance.now();
  let last = 0;
  let shown = false;
  return {
    update: (p) => {
      const now = performance.now();
      if (now - last < 100) return;
      last = now;
      shown = true;
      process.stderr.write(`\rmnlint: ${p.read} files read, ${p.parsed} parsed, ${((now - started) / 1000).toFixed(1)} s\x1b[K`);
    },
    clear: () => {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}

/**
 * Where SARIF URIs start: --sarif-root, else the git top of the scanned tree
 * (else the tree itself); findings' files get the tree's path below it.
 */
function sarifBase(values: Values, scanned: string): { root: string; prefix: string } {
  const tree = resolve(scanned);
  let root = values['sarif-root'] !== undefined ? resolve(values['sarif-root']) : tree;
  if (values['sarif-root'] === undefined) {
    for (let d = tree; ; d = dirname(d)) {
      if (existsSync(join(d, '.git'))) {
        root = d;
        break;
      }
      if (dirname(d) === d) break;
    }
  }
  const prefix = relative(root, tree);
  if (prefix.startsWith('..')) fail(`--sarif-root ${values['sarif-root']}: ${tree} is not below it`);
  return { root, prefix: prefix.split(sep).join('/') };
}

/** The bundle's worker entry, beside it (dist/worker.js); from sources there is none. */
function workerScript(): URL | undefined {
  return import.meta.url.endsWith('.js') ? new URL('./worker.js', import.meta.url) : undefined;
}

async function check(paths: string[], values: Values): Promise<number> {
  const format = formatOf('check', values.format);
  const failOn = failOnOf(values);
  const rules = rulesOf(values);
  configOf(values); // a bad config is named before the scan
  const result = await runScan(paths, values);
  const api = apiOf(values, result.root);
  mark('scan done');
  const findings = applyConfig(analyze(result.files, result.index, rules, api), configOf(values));
  mark('rules');
  const stats = { ...result.stats, inputErrors: result.problems.length };
  process.stdout.write(
    renderFindings(format, {
      findings,
      stats,
      rules,
      version: pkg.version,
      lineText: lineReader(result.root),
      sarifBase: format === 'sarif' ? sarifBase(values, result.root) : undefined,
    }),
  );
  mark('output');
  if (result.problems.length) return 2;
  return failsAt(findings, failOn) ? 1 : 0;
}

async function modelExplore(paths: string[], values: Values): Promise<number> {
  const format = formatOf('explore', values.format, 'model explore');
  const result = await runScan(paths, values);
  const api = apiOf(values, result.root);
  const runs = exploreFiles(result.files, result.index, api);
  if (format === 'json') {
    process.stdout.write(formatExploreJson(runs, api.id));
  } else {
    process.stdout.write(formatExplore(runs, api.id));
  }
  if (result.problems.length) return 2;
  return runs.some((r) => r.violations.length) ? 1 : 0;
}

/** --terse is checkpatch's flag for the terse format. */
function patchFormat(values: Values, command: string): PatchFormat {
  return formatOf('patch', values.terse ? 'terse' : values.format, command);
}

async function patchCommand(inputs: string[], values: Values): Promise<number> {
  mark('started');
  const { PatchInputError, readPatchInput } = await import('../input/patch.js');
  const { reviewSeries } = await import('../engine/review.js');
  mark('patch libraries loaded');
  const format = patchFormat(values, 'patch');
  const filter = filterOf(values);
  if (!inputs.length) fail('patch takes one or more files, or - for standard input');
  if (values.tree !== undefined && !isDirectory(values.tree)) fail(`--tree ${values.tree}: not a directory`);
  failOnOf(values); // named before any work
  const api = apiOf(values, values.tree ?? process.cwd());
  let problems = 0;
  const runs: ReviewRun[] = [];
  for (const input of inputs) {
    let series: Series;
    try {
      const bytes = input === '-' ? readStdin() : readFileSync(input);
      series = await readPatchInput(input === '-' ? '<stdin>' : input, bytes);
    } catch (e) {
      problems++;
      const message = e instanceof PatchInputError ? e.message : `${input}: ${describeFsError(e)}`;
      process.stderr.write(`mnlint: ${message}\n`);
      continue;
    }
    mark(`read ${series.patches.length} patches`);
    for (const p of series.problems ?? []) {
      problems++;
      process.stderr.write(`mnlint: ${p}\n`);
    }
    const reviews = await reviewSeries(series, { tree: values.tree, filter, api, rules: rulesOf(values), jobs: 1, irCache: irCacheOf(values) });
    for (const r of reviews)
      for (const p of r.problems) {
        problems++;
        process.stderr.write(`mnlint: ${p}\n`);
      }
    if (!values.tree) process.stderr.write(`mnlint: note: ${series.source}: no --tree, the review is partial (only functions wholly inside the hunks)\n`);
    runs.push({ series, reviews });
  }
  return printReviews(runs, values, format, problems, values.tree);
}

/** Prints the reviews of `patch` and `git` in the chosen format; the exit status. */
async function printReviews(runs: readonly ReviewRun[], values: Values, format: PatchFormat, problems: number, tree: string | undefined): Promise<number> {
  const { formatPatchJson, formatPatchText } = await import('../report/patch.js');
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
      }),
    );
  } else if (format === 'email') {
    const replies = runs.flatMap((r) =>
      emailReplies(r.reviews, {
        version: pkg.version,
        reproduce: reproduceLine(values, r.series.source),
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

function reproduceLine(values: Values, source: string): string {
  const common = [...(values.kernel ? ['--kernel', values.kernel] : []), ...(values.api ? ['--api', values.api] : [])];
  if (source.startsWith('commit ')) return ['mnlint git', ...(values.repo ? ['--repo', values.repo] : []), ...common, source.slice(7)].join(' ');
  return ['mnlint patch', ...(values.tree ? ['--tree', values.tree] : []), ...common, source].join(' ');
}

async function gitCommand(args: string[], values: Values): Promise<number> {
  const format = patchFormat(values, 'git');
  const filter = filterOf(values);
  if (args.length !== 1) fail('git takes one revision range (A..B) or one commit');
  failOnOf(values); // named before any work
  const range = await rangeReview(values.repo ?? '.', args[0]!, values, filter);
  if (!range) return 2;
  return printReviews(range.runs, values, format, range.problems, undefined);
}

/** `git`'s and the checklist's range review, its problems on stderr. */
async function rangeReview(repo: string, range: string, values: Values, filter: Filter): Promise<{ runs: ReviewRun[]; problems: number } | null> {
  const { reviewRange } = await import('../app/range.js');
  return reviewRange(repo, range, { filter, rules: rulesOf(values), irCache: irCacheOf(values), apiOf: (tree) => apiOf(values, tree), problem: (line) => process.stderr.write(`mnlint: ${line}\n`) });
}

async function hookInstall(repo: string): Promise<number> {
  const { HookError, installHook } = await import('../app/hook.js');
  try {
    process.stdout.write(`mnlint: wrote ${await installHook(repo, process.execPath, fileURLToPath(import.meta.url))}\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof HookError)) throw e;
    process.stderr.write(`mnlint: ${e.message}\n`);
    return 2;
  }
}

async function watchCommand(args: string[], values: Values): Promise<number> {
  const { WatchInputError, defaultStatePath, watchInbox } = await import('../app/watch.js');
  if (args.length) fail('watch takes no arguments: --public-inbox DIR --outbox DIR');
  const inbox = values['public-inbox'] ?? fail('watch needs --public-inbox DIR (a public-inbox v2 archive)');
  const outbox = values.outbox ?? fail('watch needs --outbox DIR (where the replies go)');
  if (values.tree !== undefined && !isDirectory(values.tree)) fail(`--tree ${values.tree}: not a directory`);
  const crash = process.env.MNLINT_WATCH_CRASH_AFTER;
  try {
    const r = await watchInbox({
      inbox,
      outbox,
      state: values.state ?? defaultStatePath(outbox),
      tree: values.tree,
      api: apiOf(values, values.tree ?? process.cwd()),
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

async function checklistCommand(args: string[], values: Values): Promise<number> {
  const { PatchInputError, readPatchInput } = await import('../input/patch.js');
  const { GitInputError, repoFacts } = await import('../input/git.js');
  const { reviewSeries } = await import('../engine/review.js');
  const { buildChecklist, worst } = await import('../app/checklist.js');
  const { formatPatchCommit, looksLikeFile, seriesOf } = await import('../app/range.js');
  const { formatB4, formatChecklistJson, formatChecklistMarkdown } = await import('../report/checklist.js');
  const format = formatOf('checklist', values.format);
  if (args.length !== 1) fail('checklist takes one mbox file, - for standard input, or one git range');
  const arg = args[0]!;
  if (arg !== '-' && !existsSync(arg) && looksLikeFile(arg)) fail(`checklist: ${arg}: no such file`);
  if (values.previous !== undefined && !existsSync(values.previous) && looksLikeFile(values.previous)) fail(`--previous ${values.previous}: no such file`);
  // --hunks-only (kept for hooks installed before): the work tree holds the commit
  const tree = values.tree ?? values.repo;
  // the JSON shapes still parse on bad input: an empty checklist (b4: one failing entry)
  const unreadable = (why: string): number => {
    if (format === 'json') process.stdout.write(formatChecklistJson([], pkg.version));
    else if (format === 'b4') process.stdout.write(`${JSON.stringify([{ tool: 'mnlint', status: 'fail', summary: 'the patch could not be read', url: null, details: why }])}\n`);
    return 2;
  };
  try {
    const repo = values.repo !== undefined ? await repoFacts(values.repo) : undefined;
    const previous = values.previous !== undefined ? await seriesOf(values.previous, values.repo ?? '.') : undefined;
    let series: Series;
    let reviews: PatchReview[];
    // a mail git format-patch wrote in this repository ("From <sha> ..."): that commit
    // against its parent, as `mnlint git` reviews it (the send-email hook's case)
    const commit = arg !== '-' && existsSync(arg) && values.repo !== undefined ? formatPatchCommit(values.repo, readFileSync(arg)) : null;
    if (commit) {
      const range = await rangeReview(values.repo!, commit, values, filterOf(values));
      if (!range) return 2;
      reviews = range.runs.flatMap((r) => r.reviews);
      const mail = await readPatchInput(arg, readFileSync(arg));
      // the mail's own headers and trailers (To, Cc as sent), the commit's review
      series = mail;
      reviews.forEach((r, i) => {
        if (mail.patches[i]) r.patch = mail.patches[i]!;
      });
    } else if (arg === '-' || existsSync(arg)) {
      series = await readPatchInput(arg === '-' ? '<stdin>' : arg, arg === '-' ? readStdin() : readFileSync(arg));
      reviews = await reviewSeries(series, { tree, filter: filterOf(values), api: apiOf(values, tree ?? process.cwd()), rules: rulesOf(values), jobs: 1, irCache: irCacheOf(values) });
    } else {
      const range = await rangeReview(values.repo ?? '.', arg, values, filterOf(values));
      if (!range) return unreadable(`${arg}: not a revision range`);
      reviews = range.runs.flatMap((r) => r.reviews);
      series = { source: arg, version: 1, cover: null, patches: reviews.map((r) => r.patch), dropped: [], replies: [] };
    }
    const config = configOf(values);
    for (const r of reviews) r.findings = applyConfig(r.findings, config);
    const list = await buildChecklist({ series, reviews, previous, repo });
    process.stdout.write(format === 'json' ? formatChecklistJson([list], pkg.version) : format === 'b4' ? formatB4(list) : formatChecklistMarkdown([list]));
    return worst(list) === 'fail' ? 1 : 0;
  } catch (e) {
    if (e instanceof PatchInputError || e instanceof GitInputError) {
      process.stderr.write(`mnlint: ${e.message}\n`);
      return unreadable(e.message);
    }
    throw e;
  }
}

type PatchFormat = (typeof FORMATS)['patch'][number];

function formatOf<C extends FormatCommand>(command: C, asked: string | undefined, label?: string): (typeof FORMATS)[C][number] {
  const format = formatFor(command, asked, label);
  return typeof format === 'object' ? fail(format.error) : format;
}

function failOnOf(values: Values): FailOn {
  const v = values['fail-on'] ?? 'error';
  return (FAIL_ON as readonly string[]).includes(v) ? (v as FailOn) : fail(`unknown --fail-on ${v} (${FAIL_ON.join(', ')})`);
}

function filterOf(values: Values): Filter {
  const v = values.filter ?? DEFAULT_FILTER;
  return (FILTERS as readonly string[]).includes(v) ? (v as Filter) : fail(`unknown --filter ${v} (${FILTERS.join(', ')})`);
}

function rulesOf(values: Values): readonly Rule[] {
  return values.rule?.length ? values.rule.map((id) => findRule(id) ?? fail(`no rule ${id} (see \`mnlint rules\`)`)) : RULES;
}

function readStdin(): Buffer {
  return readFileSync(0);
}

async function inventory(paths: string[], values: Values): Promise<number> {
  const format = formatOf('inventory', values.format);
  const result = await runScan(paths, values);
  if (values.survey) {
    // a row per user, with what every rule finds in it (the configuration applies)
    const api = apiOf(values, result.root);
    const findings = applyConfig(analyze(result.files, result.index, rulesOf(values), api), configOf(values));
    const survey = buildSurvey(result.files, result.index, findings, api.id);
    process.stdout.write(format === 'json' ? `${JSON.stringify(survey, null, 2)}\n` : formatSurveyMarkdown(survey));
    return result.problems.length ? 2 : 0;
  }
  const inv = buildInventory(result.files, result.index);
  process.stdout.write(format === 'json' ? `${JSON.stringify(inv, null, 2)}\n` : formatInventoryText(inv));
  return result.problems.length ? 2 : 0;
}

/** The API level: --api, --kernel, the scanned tree's own header, else the newest. */
const configs = new Map<string, Config>();
/** The --config file, read once; without one, nothing changes. */
/** The configuration file found as checkpatch finds .checkpatch.conf: `.`, the repository's top, then $HOME. */
export function findConfig(cwd = process.cwd(), home = process.env.HOME): string | undefined {
  const dirs = [cwd];
  for (let d = resolve(cwd); ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) {
      dirs.push(d);
      break;
    }
    if (dirname(d) === d) break;
  }
  if (home) dirs.push(home);
  return dirs.map((d) => join(d, CONFIG_NAME)).find((f) => existsSync(f));
}

const CONFIG_NAME = '.mnlint.json';

function configOf(values: Values): Config {
  const path = values.config ?? findConfig();
  if (path === undefined) return NO_CONFIG;
  if (!configs.has(path)) {
    try {
      configs.set(path, loadConfig(path));
    } catch (e) {
      if (e instanceof ConfigError) fail(`${values.config !== undefined ? '--config ' : ''}${e.message}`);
      throw e;
    }
  }
  return configs.get(path)!;
}

function apiOf(values: Values, root: string): ApiLevel {
  if (values.api !== undefined) return apiById(values.api) ?? fail(`unknown --api ${values.api} (${API_LEVELS.map((l) => l.id).join(', ')})`);
  const api = apiOfKernelOrTree(values.kernel ?? configOf(values).kernel, root);
  return typeof api === 'string' ? fail(`${values.kernel !== undefined ? '--kernel' : `${values.config}: kernel`} ${api}`) : api;
}

function lineReader(root: string): (file: string, line: number) => string | undefined {
  const cache = new Map<string, string[] | null>();
  return (file, line) => {
    if (!cache.has(file)) {
      try {
        cache.set(file, readFileSync(resolve(root, file), 'utf8').split('\n'));
      } catch {
        cache.set(file, null);
      }
    }
    return cache.get(file)?.[line - 1];
  };
}

if (process.env.MNLINT_NO_MAIN !== '1') {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: Error) => {
      // an internal error is mnlint's bug: one line, and the stack only on request
      process.stderr.write(`mnlint: internal error: ${e.message}\n`);
      if (process.env.MNLINT_DEBUG) process.stderr.write(`${e.stack}\n`);
      process.exitCode = 2;
    },
  );
}
