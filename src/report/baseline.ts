// Baselines: the findings a tree's maintainers accept, kept in a JSON file
// (`check --write-baseline FILE`), so that `check --baseline FILE` reports only
// the findings not in it and lists the entries no longer found. An entry is
// keyed as the SARIF fingerprints are (rules/rule.ts occurrenceKeys): the rule,
// which of its messages, the callback or function it is about and its subject,
// never the line or the message text, so code moving up or down changes
// nothing. Findings with the same key are one entry with a count.
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import type { Config } from '../engine/config.js';
import { occurrenceKeys, type Finding, type Rule, type SubjectKind } from '../rules/rule.js';
import { InputError, MnlintError, readJsonInput } from '../input/read.js';

/** A baseline file that cannot be used: `--baseline FILE: why`, one line, exit 2. */
export class BaselineError extends MnlintError {}

/** The file format's version: a file of another is refused, not misread. */
export const BASELINE_FORMAT = 1;

/** A baseline of a whole kernel tree is a few kilobytes; a larger file is not one. */
const MAX_BASELINE_BYTES = 16 * 1024 * 1024;

z.config(en());

const SUBJECT_KINDS = ['call', 'lock', 'member', 'field', 'object', 'step'] as const satisfies readonly SubjectKind[];

export const BaselineEntrySchema = z.strictObject({
  rule: z.string().check(z.minLength(1)),
  /** which of the rule's messages */
  messageId: z.string().check(z.minLength(1)),
  /** the file of the callback's ops table when the finding is about a callback, else the finding's file */
  file: z.string().check(z.minLength(1)),
  /** `table.member` (or `table`): the callback the finding is about, wherever its code sits */
  callback: z.optional(z.string().check(z.minLength(1))),
  /** the function reported, when the finding is about no callback */
  function: z.optional(z.string()),
  /** what the finding is about: its kind and names (each site once) */
  subject: z.optional(z.strictObject({ kind: z.enum(SUBJECT_KINDS), names: z.array(z.string()) })),
  /** how many findings have this key */
  count: z.int().check(z.positive()),
  /** for the reader, not matched: the severity and message of the first (file:line references without the line) */
  severity: z.optional(z.enum(['error', 'warning', 'info'])),
  message: z.optional(z.string()),
});
export type BaselineEntry = z.infer<typeof BaselineEntrySchema>;

export const BaselineSchema = z.strictObject({
  $schema: z.optional(z.string()),
  tool: z.literal('mnlint'),
  /** the file format's version */
  baseline: z.literal(BASELINE_FORMAT),
  entries: z.array(BaselineEntrySchema),
});
export type Baseline = z.infer<typeof BaselineSchema>;

/** What an entry is keyed by: the fields of rules/rule.ts identityOf and subjectNames, joined as occurrenceKeys joins them. */
export function entryKey(e: Pick<BaselineEntry, 'rule' | 'messageId' | 'file' | 'callback' | 'function' | 'subject'>): string {
  const where = e.callback !== undefined ? [e.file, e.callback] : [e.file, e.function ?? ''];
  const names = [...(e.subject?.names ?? [])].sort();
  return `${[e.rule, e.messageId, ...where, e.subject?.kind ?? ''].join('\0')}\0${names.join(',')}`;
}

/** The key of a finding: its occurrence key without the occurrence (what the SARIF fingerprint hashes, less `\0N`). */
function findingKey(occurrence: string): string {
  return occurrence.slice(0, occurrence.lastIndexOf('\0'));
}

/** A message as the baseline keeps it: `file.c:123` references lose their line, so a line move leaves the file unchanged. */
function stableMessage(message: string): string {
  return message.replace(/(\.[chS]):\d+\b/g, '$1');
}

function entryOf(f: Finding, count: number): BaselineEntry {
  const callback = f.about?.callback;
  const subject = f.about?.subject;
  return {
    rule: f.rule,
    messageId: f.messageId,
    file: callback !== undefined ? (f.about?.tableFile ?? f.file) : f.file,
    ...(callback !== undefined ? { callback } : { function: f.function ?? '' }),
    ...(subject ? { subject: { kind: subject.kind, names: [...subject.names].sort() } } : {}),
    count,
    severity: f.severity,
    message: stableMessage(f.message),
  };
}

/** Entries in file order: the file, the callback or function, the rule, the message id, the subject. */
function compareEntries(a: BaselineEntry, b: BaselineEntry): number {
  const fields = (e: BaselineEntry): string[] => [e.file, e.callback ?? e.function ?? '', e.rule, e.messageId, e.subject?.kind ?? '', (e.subject?.names ?? []).join(',')];
  const x = fields(a);
  const y = fields(b);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  return 0;
}

/** The baseline of a run's findings: one entry per key, counted, sorted. */
export function buildBaseline(findings: readonly Finding[]): Baseline {
  const keys = occurrenceKeys(findings);
  const byKey = new Map<string, { first: Finding; count: number }>();
  // in line order, so an entry's message is its first finding's
  for (const [f, occurrence] of keys) {
    const k = findingKey(occurrence);
    const seen = byKey.get(k);
    if (seen) seen.count++;
    else byKey.set(k, { first: f, count: 1 });
  }
  const entries = [...byKey.values()].map(({ first, count }) => entryOf(first, count)).sort(compareEntries);
  return { tool: 'mnlint', baseline: BASELINE_FORMAT, entries };
}

/** The file's text: two-space JSON, an entry's fields in one order, a newline at the end. */
export function formatBaseline(baseline: Baseline): string {
  return `${JSON.stringify(BaselineSchema.parse(baseline), null, 2)}\n`;
}

/** A baseline file, read through the one way in (src/input/read.ts) and checked; `label` names it in errors. */
export function readBaseline(path: string, label = path): Baseline {
  let json: unknown;
  try {
    json = readJsonInput(path, { max: MAX_BASELINE_BYTES, label });
  } catch (e) {
    if (e instanceof InputError) throw new BaselineError(e.message);
    throw e;
  }
  const parsed = BaselineSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const hint = issue.path[0] === 'baseline' ? ` (this mnlint reads baseline ${BASELINE_FORMAT}: write it again with --write-baseline)` : '';
    throw new BaselineError(`${label}: ${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}${hint}`);
  }
  // one key, one entry: two would leave unsaid which count holds
  const seen = new Map<string, number>();
  parsed.data.entries.forEach((e, i) => {
    const k = entryKey(e);
    const first = seen.get(k);
    if (first !== undefined) throw new BaselineError(`${label}: entries.${first} and entries.${i} have the same key (rule, file, callback or function, subject): make them one entry with the counts added`);
    seen.set(k, i);
  });
  return parsed.data;
}

/** A run's findings against a baseline. */
export interface BaselineComparison {
  /** findings not in the baseline (baselineState new): the ones reported */
  new: Finding[];
  /** findings the baseline accounts for (baselineState unchanged) */
  unchanged: Finding[];
  /** entries no longer found, each with how many of its count are gone (baselineState absent) */
  fixed: BaselineEntry[];
}

/** Which entries a run could have found: the rules it ran, the files its configuration does not exclude. */
export type InScope = (entry: BaselineEntry) => boolean;

/** The entries a run could have found: rules it ran and the configuration keeps, files it does not exclude. */
export function inScopeOf(rules: readonly Rule[], config: Config): InScope {
  const ran = new Set(rules.map((r) => r.id).filter((id) => config.rules.get(id) !== 'off'));
  return (e) => ran.has(e.rule) && !config.exclude.some((p) => e.file === p || e.file.startsWith(p.endsWith('/') ? p : `${p}/`));
}

/**
 * The findings against the baseline, key by key: of N findings with a key the
 * baseline counts M times, the first M in line order are unchanged and the
 * others new (as the SARIF fingerprints number them); M - N of an entry's count
 * not found are fixed. An entry the run could not have found (a rule not run)
 * is neither.
 */
export function compareBaseline(findings: readonly Finding[], baseline: Baseline, inScope: InScope = () => true): BaselineComparison {
  const counts = new Map(baseline.entries.map((e) => [entryKey(e), e]));
  const found = new Map<string, number>();
  const out: BaselineComparison = { new: [], unchanged: [], fixed: [] };
  const keys = occurrenceKeys(findings);
  for (const f of findings) {
    const occurrence = keys.get(f)!;
    const k = findingKey(occurrence);
    const n = Number(occurrence.slice(occurrence.lastIndexOf('\0') + 1));
    found.set(k, (found.get(k) ?? 0) + 1);
    (n < (counts.get(k)?.count ?? 0) ? out.unchanged : out.new).push(f);
  }
  for (const e of baseline.entries) {
    const gone = e.count - (found.get(entryKey(e)) ?? 0);
    if (gone > 0 && inScope(e)) out.fixed.push({ ...e, count: gone });
  }
  return out;
}

/** An entry in one line: `rule: file: callback or function() [subject names] (×N)`. */
export function describeEntry(e: BaselineEntry): string {
  const where = e.callback !== undefined ? e.callback : e.function ? `${e.function}()` : '';
  const names = e.subject?.names.length ? ` [${[...new Set(e.subject.names)].join(', ')}]` : '';
  return `${e.rule}: ${e.file}${where ? `: ${where}` : ''}${names}${e.count > 1 ? ` (${e.count} findings)` : ''}`;
}

/** What the JSON report and the SARIF run's properties say of the comparison. */
export interface BaselineSummary {
  file: string;
  new: number;
  unchanged: number;
  fixed: BaselineEntry[];
}

export function baselineSummary(file: string, c: BaselineComparison): BaselineSummary {
  return { file, new: c.new.length, unchanged: c.unchanged.length, fixed: c.fixed };
}

/** The stderr lines of a comparison: a count, then each fixed entry (so the file can shrink). */
export function baselineNotes(s: BaselineSummary): string {
  const fixedCount = s.fixed.reduce((n, e) => n + e.count, 0);
  const lines = [
    `mnlint: note: baseline ${s.file}: ${s.unchanged} ${s.unchanged === 1 ? 'finding' : 'findings'} in it not shown, ${s.new} new${fixedCount ? `, ${fixedCount} fixed (in it, no longer found; --write-baseline drops them):` : ''}`,
    ...s.fixed.map((e) => `mnlint: note:   fixed: ${describeEntry(e)}`),
  ];
  return `${lines.join('\n')}\n`;
}
