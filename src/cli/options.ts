// The command line's options: the table node:util's parseArgs reads, the
// values it gives, and the readers that check one option's value (--jobs,
// --format, --fail-on, --filter, --rule, --no-cache) and fail with a usage
// error. Apart from the commands, which only ask these for what they need.
import { availableParallelism, homedir } from 'node:os';
import { join } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { derivedFactsFor } from '../engine/derived-facts.js';
import { DEFAULT_FILTER, FILTERS, type Filter } from '../engine/filter.js';
import { IrCache } from '../engine/ir-cache.js';
import type { DerivedTable } from '../ir/facts-db.js';
import { isDirectory } from '../input/files.js';
import { FAIL_ON, type FailOn } from '../report/findings.js';
import { type FORMATS, formatFor, type FormatCommand } from '../report/formats.js';
import { RULES, findRule } from '../rules/index.js';
import type { Rule } from '../rules/rule.js';
import { didYouMean } from './suggest.js';
import { fail } from './usage.js';

/** An option: its parseArgs type, the placeholder of its value, what it does (a usage line a string). */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  value?: string;
  help: readonly string[];
}

/** Every option of every command; which command takes which is the command table's (usage.ts). */
export const OPTIONS = {
  format: {
    type: 'string',
    value: 'FORMAT',
    help: [
      'check: text (default), terse, json, sarif, rdjsonl, html; patch, git: those but',
      'html, checkpatch (the bare checkpatch block) and email; inventory, rules, model',
      'explore: text, json; checklist: markdown, json, b4. The machine formats (json, sarif,',
      'rdjsonl, b4) print a document saying what failed on any failure',
    ],
  },
  'fail-on': { type: 'string', value: 'LEVEL', help: ['exit 1 on findings at or above error (default), warning, info; never'] },
  rule: { type: 'string', multiple: true, value: 'ID', help: ['run only this rule (repeatable)'] },
  kernel: {
    type: 'string',
    value: 'VERSION',
    help: [
      "check against this kernel's API (4.19 to 7.1: 6.12, 5.4...); default: detected from",
      "the tree's include/linux/mmu_notifier.h (which ops members and range fields it",
      "declares) and its Makefile's version, else the newest level",
    ],
  },
  api: { type: 'string', value: 'LEVEL', help: ['check against an API level by name (see `mnlint rules --levels`), e.g. two-pass-v2'] },
  config: {
    type: 'string',
    value: 'FILE',
    help: ['a JSON file turning rules off or changing their severity, excluding path prefixes,', 'fixing the kernel version (docs/configuration-and-api-levels.md); else .mnlint.json in ., the', 'repository top, $HOME'],
  },
  baseline: {
    type: 'string',
    value: 'FILE',
    help: [
      'report only the findings not in FILE, a baseline --write-baseline wrote (matched by',
      'rule, callback or function and subject, not by line; see docs/baseline.md); its',
      'entries no longer found are listed (stderr; json, sarif: in the document)',
    ],
  },
  'write-baseline': {
    type: 'string',
    value: 'FILE',
    help: ["write this run's findings to FILE as a baseline and exit 0 (2, and nothing written,", 'when an input could not be read)'],
  },
  tree: { type: 'string', value: 'DIR', help: ['the kernel tree the series applies to'] },
  repo: {
    type: 'string',
    value: 'DIR',
    help: ['git, checklist, hook: the repository (default .); patch, checklist: where the', "mails' base commit and blobs are looked for (never its work tree or index)"],
  },
  previous: { type: 'string', value: 'MBOX|RANGE', help: ["the series' previous version, for dropped trailers"] },
  'hunks-only': { type: 'boolean', help: ['accepted for hooks installed before (the work tree holds the commit)'] },
  filter: {
    type: 'string',
    value: 'MODE',
    help: [
      'new (default: what the post-image has and the pre-image has not, wherever it sits),',
      'added, diff_context, file, nofilter (patch and git exit 2 only when no patch could',
      'be reviewed; problems are named on stderr)',
    ],
  },
  'output-dir': { type: 'string', value: 'DIR', help: ['--format email: one .eml reply per patch in DIR instead of an mbox on stdout'] },
  'public-inbox': { type: 'string', value: 'DIR', help: ['the public-inbox v2 archive to read'] },
  outbox: { type: 'string', value: 'DIR', help: ['where the replies go'] },
  state: { type: 'string', value: 'FILE', help: ['the state file (default OUTBOX/.mnlint-watch-state.json)'] },
  terse: { type: 'boolean', help: ["checkpatch's one line a finding (--format terse)"] },
  'no-summary': { type: 'boolean', help: ["no total line, as checkpatch's --no-summary"] },
  'show-types': { type: 'boolean', help: ["accepted as checkpatch's (types are always shown)"] },
  'sarif-root': { type: 'string', value: 'DIR', help: ['sarif: URIs relative to DIR (default: the git top of the scanned tree)'] },
  levels: { type: 'boolean', help: ['the API levels instead of the rules'] },
  survey: { type: 'boolean', help: ['a table of every notifier user instead of the tables'] },
  jobs: { type: 'string', value: 'N', help: ['parse threads (default: the number of cores for a directory, 1 for files)'] },
  quiet: { type: 'boolean', short: 'q', help: ['no progress line (shown on a terminal while a directory is scanned)'] },
  'no-cache': {
    type: 'boolean',
    help: ['parse every file (default: reuse the IR of files whose text this build parsed', 'before, kept in $MNLINT_CACHE_DIR, else ~/.cache/mnlint)'],
  },
  help: { type: 'boolean', short: 'h', help: ['this help'] },
  version: { type: 'boolean', short: 'v', help: ['the version'] },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;

/** The table as node:util's parseArgs reads it. */
export const PARSE_OPTIONS = Object.fromEntries(
  Object.entries(OPTIONS as Record<string, OptionSpec>).map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) }]),
) as { [K in OptionName]: Omit<(typeof OPTIONS)[K], 'help' | 'value'> } satisfies ParseArgsConfig['options'];

type ValueOf<O> = O extends { type: 'boolean' } ? boolean : O extends { multiple: true } ? string[] : string;

/** The values parseArgs gives, typed from the table. */
export type Values = { [K in OptionName]?: ValueOf<(typeof OPTIONS)[K]> };

/** Parse threads: all cores for a directory scan; for a list of files starting workers costs more than it saves. */
export function jobsOf(values: Values, paths: string[]): number {
  if (values.jobs === undefined) return paths.some((p) => isDirectory(p)) ? availableParallelism() : 1;
  const n = Number(values.jobs);
  if (!Number.isInteger(n) || n < 1) fail(`--jobs takes a positive whole number, not ${values.jobs}`);
  return n;
}

/**
 * The IR cache of this build (`$MNLINT_CACHE_DIR`, else `$XDG_CACHE_HOME/mnlint`,
 * else `~/.cache/mnlint`); none with --no-cache, or when running from sources
 * (no build to name entries by).
 */
export function irCacheOf(values: Values): IrCache | undefined {
  const build = process.env.MNLINT_BUILD;
  if (values['no-cache'] || !build) return undefined;
  const dir = process.env.MNLINT_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'mnlint');
  return new IrCache(dir, build);
}

/** The kernel facts derived from `root`'s core (cached beside the IR cache), else Linux 6.12's table. */
export function derivedOf(values: Values, root: string): DerivedTable {
  return derivedFactsFor(root, process.env.MNLINT_BUILD ?? 'sources', irCacheOf(values)?.dir);
}

export type PatchFormat = (typeof FORMATS)['patch'][number];

export function formatOf<C extends FormatCommand>(command: C, asked: string | undefined, label?: string): (typeof FORMATS)[C][number] {
  const format = formatFor(command, asked, label);
  return typeof format === 'object' ? fail(format.error) : format;
}

export function failOnOf(values: Values): FailOn {
  const v = values['fail-on'] ?? 'error';
  return (FAIL_ON as readonly string[]).includes(v) ? (v as FailOn) : fail(`unknown --fail-on ${v} (${FAIL_ON.join(', ')})`);
}

export function filterOf(values: Values): Filter {
  const v = values.filter ?? DEFAULT_FILTER;
  return (FILTERS as readonly string[]).includes(v) ? (v as Filter) : fail(`unknown --filter ${v} (${FILTERS.join(', ')})`);
}

export function rulesOf(values: Values): readonly Rule[] {
  return values.rule?.length ? values.rule.map((id) => findRule(id) ?? fail(noRule(id))) : RULES;
}

/** A rule id that names no rule, with the closest one when one is close enough. */
export function noRule(id: string): string {
  return `no rule ${id} (${
    didYouMean(
      id,
      RULES.map((r) => r.id),
    ) || 'see `mnlint rules`'
  })`;
}

/** --terse is checkpatch's flag for the terse format. */
export function patchFormat(values: Values, command: string): PatchFormat {
  return formatOf('patch', values.terse ? 'terse' : values.format, command);
}
