// The command table: each command with its arguments, what it does, the
// options it takes and its formats. parseArgs' options (options.ts), the check
// that a command takes the options given, and the usage text `--help` prints
// all derive from it, so none can drift from the others.
import { MnlintError } from '../input/read.js';
import type { FormatCommand } from '../report/formats.js';
import { OPTIONS, type OptionName } from './options.js';

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
  },
  model: {
    args: 'explore [PATH...]',
    summary: ["run the reference model's explorer on the notifiers of each file and print the", 'invariant violations with their traces'],
    options: ['format', ...LEVEL, ...SCAN],
    formats: 'explore',
    label: 'model explore',
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

export function commandOf(name: string): CommandSpec | undefined {
  return Object.hasOwn(COMMANDS, name) ? (COMMANDS as Record<string, CommandSpec>)[name] : undefined;
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
    '',
    'commands:',
    ...commands,
    '',
    'options (the commands that take each in parentheses; another is a usage error):',
    ...options,
    '',
    'exit status: 0 no findings at or above --fail-on, 1 findings, 2 usage or input errors',
  ].join('\n');
}

export const USAGE = usageText();
