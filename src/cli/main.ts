// mnlint's command line: argument parsing and wiring only.
// This file parses the command line and dispatches; `check`, `inventory`,
// `rules`, `explain` and `model explore` are here, the patch review commands
// in review-commands.ts, the options in options.ts, the usage in usage.ts.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pkg from '../../package.json' with { type: 'json' };
import { analyze } from '../engine/analyze.js';
import { exploreFiles } from '../engine/explore-files.js';
import { formatExplore, formatExploreJson } from '../report/explore.js';
import { scan, type ScanProgress, type ScanResult } from '../engine/scan.js';
import { mark } from '../engine/profile.js';
import { isDirectory } from '../input/files.js';
import { applyConfig } from '../engine/config.js';
import { failsAt } from '../report/findings.js';
import { assumptionsOf } from '../report/assumed.js';
import { renderFindings } from '../report/formats.js';
import { buildInventory, formatInventoryText } from '../report/inventory.js';
import { buildSurvey, formatSurveyMarkdown } from '../report/survey.js';
import { formatExplain, formatLevels, formatLevelsJson, formatRules, formatRulesJson } from '../report/rules.js';
import { RULES, findRule } from '../rules/index.js';
import { API_LEVELS, apiById, apiForKernel } from '../model/api.js';
import { inputsDirOf, unknownKernel } from '../input/tree.js';
import { apiOf, configOf, levelOf } from './config.js';
import { derivedOf, failOnOf, filterOf, formatOf, irCacheOf, jobsOf, noRule, OPTIONS, PARSE_OPTIONS, rulesOf, type OptionName, type Values } from './options.js';
import { lineReader, sarifBase } from './render-context.js';
import { checklistCommand, gitCommand, patchCommand, watchCommand } from './review-commands.js';
import { MnlintError } from '../input/read.js';
import { commandNamed, commandOf, commandUsage, type CommandSpec, fail, GLOBAL_OPTIONS, unknownOption, USAGE } from './usage.js';
import { commandWordOf, failureDocument, machineFormatOf } from './failure.js';
import { didYouMean } from './suggest.js';
import { baselineOf, baselineTarget, writeBaselineFile } from './baseline.js';
import { baselineNotes, baselineSummary, compareBaseline, inScopeOf } from '../report/baseline.js';

export async function main(argv: string[]): Promise<number> {
  mark('main');
  // kbuild's flags are the compiler's (-D, -include ...), not mnlint's; only a first --help is mnlint's
  if (argv[0] === 'kbuild' && (argv[1] === '--help' || argv[1] === '-h')) {
    process.stdout.write(`${commandUsage('kbuild')}\n`);
    return 0;
  }
  if (argv[0] === 'kbuild') {
    const { runKbuild } = await import('../app/kbuild.js');
    return runKbuild({ argv: argv.slice(1), cwd: process.cwd(), irCache: irCacheOf({}), derivedOf: (root) => derivedOf({}, root), write: (t) => process.stderr.write(t) });
  }
  const format = machineFormatOf(argv);
  return format === undefined ? run(argv) : withDocument(argv, format);
}

/**
 * A run in a machine format: when it ends without a document on stdout (a usage
 * error, a missing input, a bad configuration, mnlint's own bug), one that says
 * what failed, from the lines it named on stderr.
 */
async function withDocument(argv: string[], format: string): Promise<number> {
  const errors: string[] = [];
  let wrote = false;
  const out = process.stdout.write;
  const err = process.stderr.write;
  process.stdout.write = function (this: unknown, ...args: unknown[]) {
    // an empty write (rdjsonl without findings) says nothing
    if (String(args[0]).length) wrote = true;
    return (out as (...a: unknown[]) => boolean).apply(process.stdout, args);
  } as typeof out;
  process.stderr.write = function (this: unknown, ...args: unknown[]) {
    for (const line of String(args[0]).split('\n')) if (line.startsWith('mnlint: ') && !line.startsWith('mnlint: note:')) errors.push(line.slice('mnlint: '.length));
    return (err as (...a: unknown[]) => boolean).apply(process.stderr, args);
  } as typeof err;
  const document = (): void => {
    process.stdout.write = out;
    process.stderr.write = err;
    if (!wrote) process.stdout.write(failureDocument(commandWordOf(argv, takesValue), format, errors));
  };
  try {
    const code = await run(argv);
    document();
    return code;
  } catch (e) {
    errors.push(`internal error: ${(e as Error).message}`);
    document();
    throw e;
  }
}

/** `mnlint help [COMMAND]`, `mnlint [COMMAND] --help`: one command's usage, else every command's. */
function help(args: readonly string[]): number {
  try {
    if (args.length > 1) fail(`help takes one command (given: ${args.join(' ')})`);
    process.stdout.write(`${args[0] === undefined ? USAGE : commandUsage(args[0])}\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof MnlintError)) throw e;
    process.stderr.write(`mnlint: ${e.message}\n`);
    return 2;
  }
}

/**
 * What parseArgs refused, in mnlint's words: an unknown option is named as it
 * was typed, with the closest option when one is close enough (`-format` for
 * `--format` too); other errors as parseArgs says them.
 */
function parseError(argv: string[], e: Error & { code?: string }, command: string | undefined): string {
  if (e.code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return e.message;
  // the same arguments read without refusing: the first option the table lacks
  const { tokens } = parseArgs({ args: argv, allowPositionals: true, options: PARSE_OPTIONS, strict: false, tokens: true });
  const t = tokens.find((x) => x.kind === 'option' && !Object.hasOwn(OPTIONS, x.name));
  if (t?.kind !== 'option') return e.message;
  return unknownOption(argv[t.index]!, t.rawName, command);
}

/** ` (explor: did you mean explore?)` for a mistyped subcommand, else nothing. */
function subcommandHint(given: string | undefined, subcommand: string): string {
  const hint = given === undefined ? '' : didYouMean(given, [subcommand]);
  return hint ? ` (${given}: ${hint})` : '';
}

function takesValue(option: string): boolean {
  return Object.hasOwn(OPTIONS, option) && OPTIONS[option as OptionName].type === 'string';
}

async function run(argv: string[]): Promise<number> {
  // biome-ignore lint/suspicious/noImplicitAnyLet: parseArgs types the values from its options, on assignment
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: PARSE_OPTIONS,
      tokens: true,
    });
  } catch (e) {
    // the command's usage after the error, when the command is one
    const command = commandWordOf(argv, takesValue);
    const usage = command !== undefined && commandOf(command) ? commandUsage(command) : USAGE;
    process.stderr.write(`mnlint: ${parseError(argv, e as Error & { code?: string }, command)}\n${usage}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    process.stdout.write(`mnlint ${pkg.version}\n`);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    if (!values.help) {
      process.stderr.write(`${USAGE}\n`);
      return 2;
    }
    return help(command === undefined ? [] : [command]);
  }
  try {
    const spec = commandNamed(command);
    checkOptions(command, spec, values);
    // a one-value option given again keeps the last, as getopt does; the ones before are checked too
    for (const t of parsed.tokens) {
      if (t.kind !== 'option' || t.value === undefined || OPTIONS[t.name as OptionName].type !== 'string') continue;
      if (t.name === 'rule') continue;
      const name = t.name as Exclude<OptionName, 'rule'>;
      if (values[name] !== t.value) checkValues(command, spec, { [name]: t.value }, name === 'config');
    }
    // an empty argument is no path, range or rule a command could mean (`mnlint check a.c ''`)
    if (rest.some((a) => a === '')) fail(`${command}: an empty argument (no file, range or name is '')`);
    switch (command) {
      case 'check':
        return await check(rest, values);
      case 'inventory':
        return await inventory(rest, values);
      case 'rules': {
        const format = formatOf('rules', values.format);
        if (values.levels) {
          process.stdout.write(format === 'json' ? formatLevelsJson(API_LEVELS) : formatLevels(API_LEVELS));
          return 0;
        }
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
        if (rest[0] !== 'install' || rest.length !== 1) fail(`hook takes a subcommand: hook install [--repo DIR]${subcommandHint(rest[0], 'install')}`);
        return await hookInstall(values.repo ?? '.');
      }
      case 'git':
        return await gitCommand(rest, values);
      case 'model': {
        if (rest[0] !== 'explore') fail(`model takes a subcommand: model explore [PATH...]${subcommandHint(rest[0], 'explore')}`);
        return await modelExplore(rest.slice(1), values);
      }
      case 'help':
        return help(rest);
      case 'explain': {
        if (rest.length !== 1) fail('explain takes one rule id (see `mnlint rules`)');
        const rule = findRule(rest[0]!);
        if (!rule) fail(`explain: ${noRule(rest[0]!)}`);
        process.stdout.write(formatExplain(rule));
        return 0;
      }
      default:
        fail(`unknown command ${command}`);
    }
  } catch (e) {
    // bad input or a bad command line: one line naming it, exit 2
    if (e instanceof MnlintError) {
      process.stderr.write(`mnlint: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

/**
 * The options given, checked against the command's before anything runs: an
 * option it does not take is a usage error naming it, and every value is
 * checked (a bad --config too, --config's or the .mnlint.json found).
 */
function checkOptions(command: string, spec: CommandSpec, values: Values): void {
  const label = spec.label ?? command;
  for (const name of Object.keys(values) as OptionName[]) {
    if (GLOBAL_OPTIONS.includes(name) || spec.options.includes(name)) continue;
    fail(`${label} takes no --${name} (${spec.options.length ? `its options: ${spec.options.map((o) => `--${o}`).join(', ')}` : 'it takes no options'})`);
  }
  checkValues(command, spec, values, true);
}

/** The values of the options given; `config` reads the configuration (--config's, else the one found). */
function checkValues(command: string, spec: CommandSpec, values: Values, config: boolean): void {
  const label = spec.label ?? command;
  if (values.format !== undefined && spec.formats) formatOf(spec.formats, values.format, label);
  if (values['fail-on'] !== undefined) failOnOf(values);
  if (values.filter !== undefined) filterOf(values);
  if (values.rule !== undefined) rulesOf(values);
  if (values.jobs !== undefined) jobsOf(values, []);
  if (values.kernel !== undefined && !apiForKernel(values.kernel)) fail(`--kernel ${unknownKernel(values.kernel)}`);
  if (values.api !== undefined && !apiById(values.api)) fail(`unknown --api ${values.api} (${API_LEVELS.map((l) => l.id).join(', ')})`);
  if (spec.options.includes('config') && (command !== 'inventory' || values.survey) && config) configOf(values);
  if (values.baseline !== undefined) baselineOf(values);
  if (values['write-baseline'] !== undefined) baselineTarget(values['write-baseline']);
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
  // the fallback to the newest level is noted for a run that read notifier code
  // the level and the kernel's facts come from the tree the inputs are in, wherever mnlint runs
  const inputsDir = inputsDirOf(paths.length ? paths : ['.']);
  const level = levelOf(values, inputsDir, undefined, result.stats.parsedFiles > 0);
  const api = level.level;
  mark('scan done');
  const derived = derivedOf(values, inputsDir);
  mark('derived facts');
  const all = applyConfig(analyze(result.files, result.index, rules, api, derived), configOf(values));
  mark('rules');
  // with a baseline, the findings reported are the ones not in it
  const baseline = baselineOf(values);
  const comparison = baseline ? compareBaseline(all, baseline, inScopeOf(rules, configOf(values))) : undefined;
  const compared = comparison ? baselineSummary(values.baseline!, comparison) : undefined;
  const findings = comparison ? comparison.new : all;
  const stats = { ...result.stats, inputErrors: result.problems.length };
  process.stdout.write(
    renderFindings(format, {
      findings,
      stats,
      rules,
      version: pkg.version,
      lineText: lineReader(result.root),
      sarifBase: format === 'sarif' ? sarifBase(values, result.root) : undefined,
      errors: result.problems.map((p) => `${p.path}: ${p.message}`),
      baseline: compared,
      assumptions: assumptionsOf(level, result.partial),
    }),
  );
  mark('output');
  if (compared) process.stderr.write(baselineNotes(compared));
  const write = values['write-baseline'];
  if (write !== undefined) {
    // a baseline of a run that missed an input would report its findings as new once it is read
    if (result.problems.length) {
      process.stderr.write(`mnlint: --write-baseline ${write}: not written: ${result.problems.length} ${result.problems.length === 1 ? 'input' : 'inputs'} could not be read\n`);
      return 2;
    }
    process.stderr.write(writeBaselineFile(write, all));
    return 0;
  }
  if (result.problems.length) return 2;
  return failsAt(findings, failOn) ? 1 : 0;
}

async function modelExplore(paths: string[], values: Values): Promise<number> {
  const format = formatOf('explore', values.format, 'model explore');
  const result = await runScan(paths, values);
  const api = apiOf(values, inputsDirOf(paths.length ? paths : ['.']));
  const runs = exploreFiles(result.files, result.index, api);
  if (format === 'json') {
    process.stdout.write(formatExploreJson(runs, api.id));
  } else {
    process.stdout.write(formatExplore(runs, api.id));
  }
  if (result.problems.length) return 2;
  return runs.some((r) => r.violations.length) ? 1 : 0;
}

/** Here, not with the other commands: the hook runs this file (dist/cli.js), named by import.meta.url. */
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

async function inventory(paths: string[], values: Values): Promise<number> {
  const format = formatOf('inventory', values.format);
  const result = await runScan(paths, values);
  if (values.survey) {
    // a row per user, with what every rule finds in it (the configuration applies)
    const inputsDir = inputsDirOf(paths.length ? paths : ['.']);
    const api = apiOf(values, inputsDir);
    const findings = applyConfig(analyze(result.files, result.index, rulesOf(values), api, derivedOf(values, inputsDir)), configOf(values));
    const survey = buildSurvey(result.files, result.index, findings, api.id);
    process.stdout.write(format === 'json' ? `${JSON.stringify(survey, null, 2)}\n` : formatSurveyMarkdown(survey));
    return result.problems.length ? 2 : 0;
  }
  const inv = buildInventory(result.files, result.index);
  process.stdout.write(format === 'json' ? `${JSON.stringify(inv, null, 2)}\n` : formatInventoryText(inv));
  return result.problems.length ? 2 : 0;
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
