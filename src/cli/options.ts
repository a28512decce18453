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
import { fail } from './usage.js';

/** Every command's options, as parseArgs reads them. */
export const OPTIONS = {
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
} as const satisfies ParseArgsConfig['options'];

export interface Values {
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
  return values.rule?.length ? values.rule.map((id) => findRule(id) ?? fail(`no rule ${id} (see \`mnlint rules\`)`)) : RULES;
}

/** --terse is checkpatch's flag for the terse format. */
export function patchFormat(values: Values, command: string): PatchFormat {
  return formatOf('patch', values.terse ? 'terse' : values.format, command);
}
