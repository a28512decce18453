// The GitHub Action (dist/action.js). On a pull request: the change reviewed
// against the head checkout, one PR review with inline comments (updated, not
// repeated, on re-runs), annotations for what cannot be commented inline. On
// a fork's pull request, or on push / workflow_dispatch: annotations and SARIF.
import { mermaidBlock } from '../report/diagram.js';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { isMainThread, workerData } from 'node:worker_threads';
import { simpleGit } from 'simple-git';
import pkg from '../../package.json' with { type: 'json' };
import { analyze } from '../engine/analyze.js';
import { derivedFactsFor } from '../engine/derived-facts.js';
import { reviewCheckedOut } from '../engine/review.js';
import { WORKER_ROLE } from '../engine/pool.js';
import { runParseWorker } from '../engine/worker.js';
import { scan } from '../engine/scan.js';
import { applyFilePatch, changedLines, deletedBefore, reverseFilePatch } from '../input/apply.js';
import { applyConfig, ConfigError, loadConfig, NO_CONFIG, type Config } from '../engine/config.js';
import { parseDiff, PatchInputError, type FilePatch, type Patch } from '../input/patch.js';
import { LEVEL_FILES, type LevelChoice, levelOfKernelOrTree, levelOfTree } from '../input/tree.js';
import { assumptionsOf } from '../report/assumed.js';
import type { DerivedTable } from '../ir/facts-db.js';
import { BaselineError, baselineNotes, baselineSummary, compareBaseline, inScopeOf, readBaseline, type Baseline, type BaselineSummary } from '../report/baseline.js';
import { failsAt } from '../report/findings.js';
import { NO_SCAN_STATS, renderFindings } from '../report/formats.js';
import { RULES } from '../rules/index.js';
import type { Finding } from '../rules/rule.js';
import { annotation, logError } from './commands.js';
import { ActionInputError, readInputs, readPullRequestEvent, setOutput, type ActionInputs } from './env.js';
import { ApiUnreachable, gitHub, pullRequestDiff, syncReview, type Placed, type PullRequest } from './github.js';

type Log = (line: string) => void;

export async function runAction(env: NodeJS.ProcessEnv, log: Log): Promise<number> {
  const inputs = readInputs(env);
  const workspace = resolve(env.GITHUB_WORKSPACE ?? process.cwd());
  const root = resolve(workspace, inputs.path);
  // where the scanned folder sits in the repository: findings are relative to it
  const prefix = relative(workspace, root);
  if (prefix.startsWith('..')) throw new ActionInputError(`input path: ${inputs.path} is outside the workspace`);
  const config = inputs.config ? loadConfig(resolve(workspace, inputs.config)) : NO_CONFIG;
  const baseline = inputs.baseline ? baselineInput(workspace, inputs.baseline) : undefined;
  const choice = levelOf(inputs.kernel, config.kernel, inputs.config, root);
  const api = choice.level;
  // the fork's own core says what sleeps and reclaims (no IR cache on a runner: derived once per run)
  const derived = derivedFactsFor(root, process.env.MNLINT_BUILD ?? 'action');
  const event = env.GITHUB_EVENT_NAME ?? '';
  let findings: Finding[];
  let compared: BaselineSummary | undefined;
  // what the run assumed: the level and where it came from (a pull request changing the level files: its base's)
  let assumed: LevelChoice = choice;
  if (event === 'pull_request' || event === 'pull_request_target') {
    ({ findings, compared, level: assumed } = await pullRequest(env, inputs, config, workspace, root, prefix, choice, derived, log, baseline));
  } else {
    const result = await scan({ paths: [root], root, jobs: availableParallelism(), workerScript: new URL(import.meta.url) });
    for (const p of result.problems) log(`mnlint: ${p.path}: ${p.message}`);
    findings = applyConfig(analyze(result.files, result.index, RULES, api, derived), config);
    if (baseline) {
      // as `mnlint check --baseline`: the findings not in it, and its entries no longer found
      const c = compareBaseline(findings, baseline, inScopeOf(RULES, config));
      compared = baselineSummary(inputs.baseline!, c);
      findings = c.new;
      for (const line of baselineNotes(compared).trimEnd().split('\n')) log(line);
    }
    log(`mnlint: ${event || 'run'}: scanned ${result.stats.files} files, ${findings.length} ${baseline ? 'new ' : ''}findings`);
    if (inputs.annotations) for (const f of findings) log(annotation(f, prefix).trimEnd());
  }
  if (inputs.sarifFile) {
    // SARIF locations are relative to the repository root
    writeFileSync(
      resolve(workspace, inputs.sarifFile),
      renderFindings('sarif', {
        findings: findings.map((f) => ({ ...f, file: repoPath(prefix, f.file) })),
        stats: NO_SCAN_STATS,
        rules: RULES,
        version: pkg.version,
        lineText: () => undefined,
        sarifBase: { root: workspace, prefix: '' },
        baseline: compared,
        assumptions: assumptionsOf(assumed),
      }),
    );
  }
  log(`mnlint: API level ${assumed.level.id}, ${assumed.from}`);
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, jobSummary(findings, prefix, env, assumed));
  setOutput(env, 'findings', String(findings.length));
  setOutput(env, 'errors', String(findings.filter((f) => f.severity === 'error').length));
  setOutput(env, 'sarif-file', inputs.sarifFile ?? '');
  if (failsAt(findings, inputs.failOn)) {
    log(logError(`mnlint: findings at or above ${inputs.failOn}`).trimEnd());
    return 1;
  }
  return 0;
}

/** The `baseline` input's file, read before anything runs; a bad one is the input's error. */
function baselineInput(workspace: string, file: string): Baseline {
  try {
    return readBaseline(resolve(workspace, file), `input baseline: ${file}`);
  } catch (e) {
    if (e instanceof BaselineError) throw new ActionInputError(e.message);
    throw e;
  }
}

/**
 * A pull request's findings against the baseline. Only with the filters that
 * keep the findings the base has too (file, nofilter): the others report what
 * the change introduces, which a baseline's counts would misjudge (a second
 * finding like an accepted one would be taken for it). No entry is listed as
 * fixed: only the changed files were analyzed.
 */
function prBaseline(findings: Finding[], inputs: ActionInputs, baseline: Baseline | undefined, log: Log): { findings: Finding[]; compared?: BaselineSummary } {
  if (!baseline) return { findings };
  if (inputs.filter !== 'file' && inputs.filter !== 'nofilter') {
    log(`mnlint: baseline ${inputs.baseline}: not applied with filter ${inputs.filter}, which reports only what the pull request introduces`);
    return { findings };
  }
  const c = compareBaseline(findings, baseline, () => false);
  const compared = baselineSummary(inputs.baseline!, c);
  log(`mnlint: baseline ${inputs.baseline}: ${c.unchanged.length} findings in it not shown, ${c.new.length} new`);
  return { findings: c.new, compared };
}

/** The level: the `kernel` input, else the configuration's kernel, else the tree's header and Makefile. */
function levelOf(input: string | null, configured: string | null | undefined, configFile: string | null, root: string): LevelChoice {
  const choice = input !== null ? levelOfKernelOrTree(input, root) : levelOfKernelOrTree(configured, root, configured == null ? undefined : `input config ${configFile}`);
  if (typeof choice === 'string') throw new ActionInputError(`kernel ${choice}`);
  return choice;
}

const repoPath = (prefix: string, file: string): string => (prefix ? `${prefix}/${file}` : file);

/** The job summary ($GITHUB_STEP_SUMMARY): counts, a table of the findings with their rules' docs, the model's diagrams. */
export function jobSummary(findings: readonly Finding[], prefix: string, env: NodeJS.ProcessEnv, level?: LevelChoice): string {
  const docs = (rule: string): string => `https://github.com/${env.GITHUB_ACTION_REPOSITORY || 'mnlint/mnlint'}/blob/${env.GITHUB_ACTION_REF || 'main'}/docs/rules/${rule}.md`;
  const count = (s: string): number => findings.filter((f) => f.severity === s).length;
  const cell = (t: string): string => t.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = ['## mnlint', '', `${count('error')} errors, ${count('warning')} warnings, ${count('info')} infos.`, ''];
  if (level) lines.push(`Checked at API level ${level.level.id}, ${level.from}.`, '');
  if (findings.length) {
    lines.push('| severity | rule | where | finding |', '| --- | --- | --- | --- |');
    for (const f of findings) lines.push(`| ${f.severity} | [\`${f.rule}\`](${docs(f.rule)}) | \`${repoPath(prefix, f.file)}:${f.line}\` | ${cell(f.message)} |`);
    lines.push('');
  }
  // the model's counterexamples, drawn
  const drawn = findings.filter((f) => f.diagram);
  if (drawn.length) lines.push('### Counterexamples', '');
  for (const f of drawn) lines.push(`\`${repoPath(prefix, f.file)}:${f.line}\` \`${f.rule}\`: ${f.diagram!.title}`, '', mermaidBlock(f.diagram!), '');
  return `${lines.join('\n')}\n`;
}

/** The API level of the base: the level files of the checkout with the change taken back out. */
function baseLevel(root: string, files: readonly FilePatch[]): LevelChoice {
  return levelOfTree(root, (path) => {
    const fp = files.find((f) => (f.newPath ?? f.oldPath) === path);
    if (!fp) return undefined;
    if (fp.oldPath === null) return '';
    const head = fp.newPath === null ? '' : existsSync(join(root, fp.newPath)) ? readFileSync(join(root, fp.newPath), 'utf8') : '';
    const back = applyFilePatch(head, reverseFilePatch(fp));
    return back.ok ? back.text : undefined;
  });
}

async function pullRequest(
  env: NodeJS.ProcessEnv,
  inputs: ActionInputs,
  config: Config,
  workspace: string,
  root: string,
  prefix: string,
  choice: LevelChoice,
  derived: DerivedTable,
  log: Log,
  baseline: Baseline | undefined,
): Promise<{ findings: Finding[]; compared?: BaselineSummary; level: LevelChoice }> {
  if (!env.GITHUB_EVENT_PATH) throw new ActionInputError('GITHUB_EVENT_PATH is not set: not running as a GitHub Action?');
  const ev = readPullRequestEvent(env.GITHUB_EVENT_PATH);
  const pr: PullRequest = { owner: ev.repository.owner.login, repo: ev.repository.name, number: ev.pull_request.number, headSha: ev.pull_request.head.sha };
  const fork = ev.pull_request.head.repo?.full_name !== ev.repository.full_name;
  const gh = gitHub(inputs.token, env.GITHUB_API_URL ?? 'https://api.github.com', log, {
    timeoutMs: inputs.requestTimeout * 1000,
    deadline: AbortSignal.timeout(inputs.deadline * 1000),
    maxWaitS: Math.min(60, inputs.requestTimeout),
  });

  const git = simpleGit(workspace);
  const base = ev.pull_request.base.sha;
  let diff: string;
  if (await hasCommits(git, [base, pr.headSha])) {
    diff = await git.raw(['diff', '--no-color', '--no-ext-diff', '--no-renames', `${base}...${pr.headSha}`]);
  } else {
    log(`mnlint: ${base.slice(0, 12)} is not in the checkout; the changed hunks come from the API (check out with fetch-depth: 0 to avoid this)`);
    // each file on its own: one malformed patch from the API is skipped, named, and the rest reviewed
    const parts: string[] = [];
    for (const f of await pullRequestDiff(gh, pr)) {
      try {
        parseDiff(f.diff, f.filename);
        parts.push(f.diff);
      } catch (e) {
        if (!(e instanceof PatchInputError)) throw e;
        log(`::warning::mnlint: ${e.message}; that file is not reviewed`);
      }
    }
    diff = parts.join('');
  }
  const checkedOut = (await git.revparse(['HEAD']).catch(() => '')).trim();
  if (checkedOut && checkedOut !== pr.headSha) {
    log(`mnlint: the checkout is ${checkedOut.slice(0, 12)}, not the pull request's head ${pr.headSha.slice(0, 12)}; check out with ref: \${{ github.event.pull_request.head.sha }} so lines match`);
  }

  // the diff's paths, made relative to the scanned folder
  const files = parseDiff(diff, `pull request #${pr.number}`)
    .map((fp) => ({ ...fp, oldPath: underPrefix(prefix, fp.oldPath), newPath: underPrefix(prefix, fp.newPath) }))
    .filter((fp) => fp.oldPath !== null || fp.newPath !== null);
  const patch: Patch = {
    source: `pull request #${pr.number}`,
    version: 1,
    index: 1,
    total: 1,
    subject: `#${pr.number}`,
    from: null,
    messageId: null,
    date: null,
    message: '',
    notes: '',
    to: [],
    cc: [],
    trailers: [],
    files,
  };
  // the level is the base's: a pull request changing the header or the Makefile is judged by what it changes
  const level = !inputs.kernel && files.some((f) => (LEVEL_FILES as readonly string[]).includes(f.newPath ?? f.oldPath ?? '')) ? baseLevel(root, files) : choice;
  const reviewed = files.length ? await reviewCheckedOut(patch, root, { filter: inputs.filter, api: level.level, derived, jobs: 1 }) : { findings: [], fixed: [] };
  const { findings, compared } = prBaseline(applyConfig(reviewed.findings, config), inputs, baseline, log);
  const fixed = applyConfig(reviewed.fixed, config).map((f) => ({ finding: f, path: repoPath(prefix, f.file) }));

  // GitHub takes inline comments only on lines inside the diff's hunks
  const hunks = new Map(files.filter((f) => f.newPath).map((f) => [f.newPath!, changedLines(f).context]));
  const inline: Placed[] = [];
  const outside: Placed[] = [];
  const byFile = new Map(files.filter((f) => f.newPath).map((f) => [f.newPath!, f]));
  for (const f of findings) {
    // a finding anchored after a deletion (the `new` filter) belongs on the deleted line
    const fp = byFile.get(f.file);
    const left = fp && !changedLines(fp).added.has(f.line) ? deletedBefore(fp, f.line) : null;
    const placed: Placed = { finding: f, path: repoPath(prefix, f.file), ...(left !== null ? { left } : {}) };
    (hunks.get(f.file)?.some(([a, b]) => f.line >= a && f.line <= b) ? inline : outside).push(placed);
  }
  log(`mnlint: pull request #${pr.number}: ${files.length} files changed, ${findings.length} findings (${inline.length} on the diff)`);

  let annotate: Placed[] = [...inline, ...outside];
  if (!inputs.review) {
    log('mnlint: review is off: annotations only');
  } else if (fork) {
    log(`mnlint: pull request from a fork (${ev.pull_request.head.repo?.full_name ?? 'deleted repository'}): its token cannot write, so findings go to annotations and the SARIF file`);
  } else if (!inputs.token) {
    log('mnlint: no github-token: annotations only');
  } else {
    try {
      const docs = env.GITHUB_ACTION_REPOSITORY ? `https://github.com/${env.GITHUB_ACTION_REPOSITORY}/blob/${env.GITHUB_ACTION_REF || 'main'}/docs/rules/` : null;
      const r = await syncReview(gh, pr, inline, outside, (rule) => (docs ? `${docs}${rule}.md` : null), fixed);
      log(`mnlint: review: ${r.created} new comments in ${r.reviews} review(s), ${r.updated} updated, ${r.resolved} marked resolved`);
      annotate = outside;
    } catch (e) {
      // octokit's RequestError carries the HTTP status, ApiUnreachable the network's failure; anything else is ours
      if (e instanceof ApiUnreachable) {
        log(`mnlint: cannot post the review (${e.message}): findings go to annotations`);
      } else {
        const http = e as { status?: unknown; request?: { method?: string; url?: string } };
        if (typeof http.status !== 'number') throw e;
        log(`mnlint: cannot post the review (HTTP ${http.status} on ${http.request?.method} ${http.request?.url}): findings go to annotations`);
      }
    }
  }
  if (inputs.annotations) for (const p of annotate) log(annotation(p.finding, prefix).trimEnd());
  return { findings, compared, level };
}

async function hasCommits(git: ReturnType<typeof simpleGit>, shas: string[]): Promise<boolean> {
  try {
    for (const sha of shas) await git.raw(['cat-file', '-e', `${sha}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

function underPrefix(prefix: string, path: string | null): string | null {
  if (path === null || !prefix) return path;
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length + 1) : null;
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === WORKER_ROLE) {
  runParseWorker();
} else if (process.env.MNLINT_NO_MAIN !== '1') {
  const log: Log = (line) => process.stdout.write(`${line}\n`);
  runAction(process.env, log).then(
    (code) => {
      process.exitCode = code;
    },
    (e: Error) => {
      // bad input is the user's: one line; anything else is mnlint's bug, also one line
      log(logError(e instanceof ActionInputError || e instanceof PatchInputError || e instanceof ConfigError ? `mnlint: ${e.message}` : `mnlint: internal error: ${e.message}`).trimEnd());
      process.exitCode = 2;
    },
  );
}
