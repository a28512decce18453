// The command table: each command with its arguments, what it does, the
// options it takes and its formats. parseArgs' options (options.ts), the check
// that a command takes the options given, and the usage text `--help` prints
// all derive from it, so none can drift from the others.
import { MnlintError } from '../input/read.js';
import { FORMATS, type FormatCommand } from '../report/formats.js';
import { MACHINE_FORMATS } from './failure.js';
import { OPTIONS, type OptionName } from './options.js';
import { didYouMean } from './suggest.js';

export class UsageError extends MnlintError {}

export function fail(message: string): never {
  throw new UsageError(message);
}

export interface CommandSpec {
  /** what follows the command's name in the usage line */
  args: string;
  /** what it does, a usage line a string */
  summary: readonly string[];
  options: readonly OptionName[];
  /** whose formats --format takes */
  formats?: FormatCommand;
  /** how messages name the command (`model explore`) */
  label?: string;
  /** it reads its arguments itself (kbuild: the compiler's flags), so it takes no mnlint option */
  ownArgs?: boolean;
}

/** Options every command takes. */
export const GLOBAL_OPTIONS: readonly OptionName[] = ['help', 'version'];

const SCAN: readonly OptionName[] = ['jobs', 'quiet', 'no-cache'];
const LEVEL: readonly OptionName[] = ['kernel', 'api'];
// checkpatch's flags, as b4 passes them
const CHECKPATCH: readonly OptionName[] = ['terse', 'no-summary', 'show-types', 'quiet'];

export const COMMANDS = {
  check: {
    args: '[PATH...]',
    summary: ['analyze C files and directories (default .) and report findings'],
    options: ['format', 'fail-on', 'rule', ...LEVEL, 'config', 'baseline', 'write-baseline', 'sarif-root', ...SCAN],
    formats: 'check',
  },
  inventory: {
    args: '[PATH...]',
    summary: [
      "list notifier ops tables, their callbacks and the callbacks' facts;",
      'with --survey, a markdown table of every notifier user (callbacks, non-blockable',
      'handling, read side, two-pass, lifetime, findings)',
    ],
    options: ['format', 'survey', 'rule', ...LEVEL, 'config', ...SCAN],
    formats: 'inventory',
  },
  rules: {
    args: '[--levels]',
    summary: ['list the rules; with --levels, the API levels instead: id, the kernels it stands', 'for, what changed and the commit that changed it (--format json too)'],
    options: ['format', 'levels'],
    formats: 'rules',
  },
  explain: { args: 'RULE', summary: ["print a rule's documentation"], options: [] },
  patch: {
    args: 'FILE...|-',
    summary: [
      'review a unified diff, a git format-patch mail or an mbox series (the files',
      'of one series, in any order, are one series ordered by [PATCH vN M/T]);',
      'with --tree DIR, each patch is applied in order and the touched drivers analyzed;',
      'with --repo DIR, against the base the mails name (base-commit:, with the',
      'prerequisite-patch-id: patches among the inputs applied first), else the blobs',
      'of their index lines, else the work tree',
    ],
    options: ['format', ...CHECKPATCH, 'fail-on', 'rule', ...LEVEL, 'config', 'tree', 'repo', 'filter', 'output-dir', 'sarif-root', 'no-cache'],
    formats: 'patch',
  },
  git: {
    args: 'RANGE',
    summary: ['review each commit of a range (A..B, or one commit) against its parent'],
    options: ['format', ...CHECKPATCH, 'fail-on', 'rule', ...LEVEL, 'config', 'repo', 'filter', 'output-dir', 'sarif-root', 'no-cache'],
    formats: 'patch',
  },
  checklist: {
    args: 'MBOX|RANGE',
    summary: ['the pre-send checklist of a series (markdown; --format json, b4), with --repo DIR', 'for Fixes:, subject prefixes and MAINTAINERS, --previous MBOX|RANGE for dropped trailers'],
    options: ['format', 'repo', 'previous', 'tree', 'hunks-only', 'filter', 'rule', ...LEVEL, 'config', 'no-cache'],
    formats: 'checklist',
  },
  watch: {
    args: '--public-inbox DIR --outbox DIR',
    summary: ['review each new series touching notifier code in a public-inbox v2 archive', 'and write the replies to the outbox (state kept in --state FILE)'],
    options: ['public-inbox', 'outbox', 'state', 'tree', 'rule', ...LEVEL, 'config'],
  },
  hook: {
    args: 'install',
    summary: ["write the repository's git send-email sendemail-validate hook: each outgoing", 'patch gets the checklist, and a failing item stops the send'],
    options: ['repo'],
  },
  kbuild: {
    args: '[FLAGS] FILE.c',
    summary: [
      'what kbuild\'s CHECK runs (make C=1 CHECK="mnlint kbuild"): the compiler\'s -D, -U,',
      "-I and -include decide each #if with the build's autoconf.h; findings on stderr as",
      'sparse prints them; exit 0 unless --fail-on LEVEL comes before the flags',
    ],
    // its flags are the compiler's, read by itself (src/input/kbuild.ts)
    options: [],
    ownArgs: true,
  },
  model: {
    args: 'explore [PATH...]',
    summary: ["run the reference model's explorer on the notifiers of each file and print the", 'invariant violations with their traces'],
    options: ['format', ...LEVEL, ...SCAN],
    formats: 'explore',
    label: 'model explore',
  },
  help: { args: '[COMMAND]', summary: ["print a command's usage (as `mnlint COMMAND --help` does), else this one"], options: [] },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

export function commandOf(name: string): CommandSpec | undefined {
  return Object.hasOwn(COMMANDS, name) ? (COMMANDS as Record<string, CommandSpec>)[name] : undefined;
}

/** The command named `name`, else a usage error naming the closest one. */
export function commandNamed(name: string): CommandSpec {
  return commandOf(name) ?? fail(`unknown command ${name} (${didYouMean(name, Object.keys(COMMANDS)) || 'see mnlint --help'})`);
}

/**
 * The error of an unknown option `raw` (as parseArgs names it: `-x`, `--bogus`)
 * in the argument `arg`, with the closest option: among the command's first,
 * else among all. A word after one dash (`-format`) is taken for a long option.
 */
export function unknownOption(arg: string, raw: string, command: string | undefined): string {
  const spec = command === undefined ? undefined : commandOf(command);
  const all = Object.keys(OPTIONS) as OptionName[];
  const own = spec && !spec.ownArgs ? [...spec.options, ...GLOBAL_OPTIONS] : all;
  const nearest = (word: string): string => (Object.hasOwn(OPTIONS, word) ? `did you mean --${word}?` : didYouMean(word, own, (n) => `--${n}`) || didYouMean(word, all, (n) => `--${n}`));
  if (!arg.startsWith('--') && arg.length > 2) {
    const hint = nearest(arg.slice(1).split('=')[0]!);
    if (hint) return `unknown option ${arg} (${hint})`;
  }
  const hint = raw.startsWith('--') ? nearest(raw.slice(2)) : '';
  return `unknown option ${raw} (${hint || 'a path starting with - goes after --'})`;
}

/** The commands that take an option, in the table's order. */
export function commandsTaking(option: OptionName): string[] {
  return Object.entries(COMMANDS as Record<string, CommandSpec>)
    .filter(([, c]) => c.options.includes(option))
    .map(([name, c]) => c.label ?? name);
}

const COLUMN = 24;

function entry(head: string, lines: readonly string[]): string[] {
  const first = head.length <= COLUMN - 4 ? [`  ${head.padEnd(COLUMN - 2)}${lines[0] ?? ''}`] : [`  ${head}`, `${' '.repeat(COLUMN)}${lines[0] ?? ''}`];
  return [...first, ...lines.slice(1).map((l) => `${' '.repeat(COLUMN)}${l}`)];
}

function optionHead(name: OptionName): string {
  const o = OPTIONS[name];
  const short = 'short' in o ? `-${o.short}, ` : '';
  return `${short}--${name}${'value' in o ? ` ${o.value}` : ''}`;
}

const EXIT_STATUS = 'exit status: 0 no findings at or above --fail-on, 1 findings, 2 usage or input errors';

/** What --format takes for one command: its formats, the default first. */
function formatHelp(command: FormatCommand): string[] {
  const names: readonly string[] = FORMATS[command];
  const machine = names.filter((f) => MACHINE_FORMATS.has(f));
  return [[`${names[0]} (default)`, ...names.slice(1)].join(', '), ...(machine.length ? [`${machine.join(', ')}: a document saying what failed on any failure`] : [])];
}

/**
 * One command's usage, as `mnlint COMMAND --help` prints it: its usage line,
 * what it does, and only the options it takes (with its own formats).
 */
export function commandUsage(name: string): string {
  const c = commandNamed(name);
  const takes = c.ownArgs ? [] : [...c.options, ...GLOBAL_OPTIONS];
  const options = takes.flatMap((o) => entry(optionHead(o), o === 'format' && c.formats ? formatHelp(c.formats) : OPTIONS[o].help));
  return [`usage: mnlint ${name} ${c.args}${c.options.length ? ' [options]' : ''}`, '', ...c.summary.map((l) => `  ${l}`), ...(options.length ? ['', 'options:', ...options] : []), '', EXIT_STATUS].join('\n');
}

function usageText(): string {
  const commands = Object.entries(COMMANDS as Record<string, CommandSpec>).flatMap(([name, c]) => entry(`${name} ${c.args}`, c.summary));
  const options = (Object.keys(OPTIONS) as OptionName[]).flatMap((name) => {
    const o = OPTIONS[name];
    const takers = commandsTaking(name);
    const help: string[] = [...o.help];
    if (!GLOBAL_OPTIONS.includes(name)) help.push(`(${takers.join(', ')})`);
    return entry(optionHead(name), help);
  });
  return [
    'usage: mnlint <command> [options] [PATH...]',
    "       mnlint <command> --help   (one command's usage)",
    '',
    'commands:',
    ...commands,
    '',
    'options (the commands that take each in parentheses; another is a usage error):',
    ...options,
    '',
    EXIT_STATUS,
  ].join('\n');
}

export const USAGE = usageText();
