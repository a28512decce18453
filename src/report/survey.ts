// `mnlint inventory --survey`: every notifier user of a tree, a row each, with
// what maintainers ask before changing the API: which callbacks, how a
// non-blockable range is handled, the read side, two-pass, the lifetime, and
// what mnlint reports.
import type { FunctionIndex } from '../ir/function-index.js';
import { LIFETIME_CALLS } from '../ir/kernel-api/notifier.js';
import { bindsTable, failedTrylock } from '../ir/queries.js';
import { readSideOf } from '../ir/read-side.js';
import { eventsOnPath, nonZero, Summarizer } from '../ir/summary.js';
import type { FileIR, OpsTable } from '../ir/types.js';
import { FIRST_PASS_MEMBERS } from '../model/ops.js';
import type { Finding } from '../rules/rule.js';
import { type Survey, SurveySchema } from './schema.js';

/**
 * How the table's callbacks answer a range that is not blockable: the ways
 * they fail it (`false`, `-EAGAIN`, after a failed trylock), `tested, never
 * fails` when they test it and go on, `never fails, not tested` when no path
 * tests it,
 * `n/a` when the table has no such callback.
 */
function nonBlockable(table: OpsTable, index: FunctionIndex, summarizer: Summarizer): string {
  const ways = new Set<string>();
  let present = false;
  let tested = false;
  for (const field of FIRST_PASS_MEMBERS[table.kind]) {
    const name = table.fields.find((f) => f.field === field)?.function;
    const fn = name ? index.resolve(name, table.file) : undefined;
    if (!fn) continue;
    present = true;
    const s = summarizer.summary(fn);
    for (const r of s.returns) {
      if ('blockable' in r.when || eventsOnPath(s, r).some((e) => 'blockable' in e.when)) tested = true;
      // a failure a non-blockable range can take
      if (r.when.blockable === true) continue;
      const fails = table.kind === 'mmu_interval_notifier_ops' ? nonZero(r.value) === false : r.value.k === 'int' && r.value.v !== 0;
      if (!fails) continue;
      const after = failedTrylock(r.when) !== null;
      const value = table.kind === 'mmu_interval_notifier_ops' ? 'false' : r.text || String((r.value as { v: number }).v);
      ways.add(after ? `trylock, ${value}` : value);
    }
  }
  if (!present) return 'n/a';
  if (ways.size) return [...ways].sort().join('; ');
  return tested ? 'tested, never fails' : 'never fails, not tested';
}

/** Setup and teardown calls of the table's kind in its file: the ones handed the table, else (its file's only table of the kind) all of them. */
function lifetime(table: OpsTable, files: readonly FileIR[]): string {
  const file = files.find((f) => f.file === table.file);
  const calls = file?.apiCalls ?? [];
  const interval = table.kind === 'mmu_interval_notifier_ops';
  const of =
    (step: 'setup' | 'teardown') =>
    (name: string): boolean =>
      LIFETIME_CALLS[name]?.step === step && LIFETIME_CALLS[name]!.interval === interval;
  const alone = (file?.tables ?? []).filter((t) => t.kind === table.kind).length === 1;
  const bound = calls.filter((c) => of('setup')(c.name) && c.args.some((_, i) => bindsTable(c, table, i)));
  const setup = new Set((bound.length || !alone ? bound : calls.filter((c) => of('setup')(c.name))).map((c) => LIFETIME_CALLS[c.name]!.word));
  const teardown = new Set(calls.filter((c) => of('teardown')(c.name)).map((c) => LIFETIME_CALLS[c.name]!.word));
  const fields = new Set(table.fields.map((f) => f.field));
  if (fields.has('alloc_notifier')) setup.add('get');
  // ? : not in the table's file (a core helper or another file does it)
  const shown = `${[...setup].sort().join('+') || '?'}/${[...teardown].sort().join('+') || '?'}`;
  if (setup.has('get') && !fields.has('free_notifier')) return `${shown}, no free_notifier`;
  return shown;
}

/** Findings of a table: on its fields, or in one of its callbacks; a file's other findings go to its only table. */
function findingsOf(table: OpsTable, tablesOfFile: number, findings: readonly Finding[], index: FunctionIndex): Finding[] {
  const callbacks = new Set(
    table.fields
      .filter((f) => f.function)
      .map((f) => {
        const fn = index.resolve(f.function!, table.file);
        return fn ? `${fn.file}\0${fn.name}` : `${table.file}\0${f.function}`;
      }),
  );
  const fieldLines = new Set([table.loc.line, ...table.fields.map((f) => f.loc.line)]);
  return findings.filter((f) => (f.function !== null && callbacks.has(`${f.file}\0${f.function}`)) || (f.file === table.file && (fieldLines.has(f.line) || (tablesOfFile === 1 && f.function !== null))));
}

export function buildSurvey(files: readonly FileIR[], index: FunctionIndex, findings: readonly Finding[], api: string): Survey {
  const tables = files
    .filter((f) => !f.callbacksOnly)
    .flatMap((f) => f.tables)
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.loc.line - b.loc.line));
  const perFile = new Map<string, number>();
  for (const t of tables) perFile.set(t.file, (perFile.get(t.file) ?? 0) + 1);
  // one memo for every table: a helper two callbacks share is summarized once
  const summarizer = new Summarizer(index.resolve);
  const users = tables.map((t) => {
    const fields = t.fields.map((f) => f.field);
    const mine = findingsOf(t, perFile.get(t.file)!, findings, index);
    const count = (s: string): number => mine.filter((f) => f.severity === s).length;
    return {
      table: t.name,
      file: t.file,
      line: t.loc.line,
      kind: t.kind,
      callbacks: fields.filter((f) => t.fields.find((x) => x.field === f)!.function),
      nonBlockable: nonBlockable(t, index, summarizer),
      readSide: t.kind === 'mmu_interval_notifier_ops' && readSideOf(files, t),
      twoPass: fields.includes('invalidate_start'),
      lifetime: lifetime(t, files),
      findings: { error: count('error'), warning: count('warning'), info: count('info'), rules: [...new Set(mine.map((f) => f.rule))].sort() },
    };
  });
  return SurveySchema.parse({ api, users });
}

const cell = (t: string): string => t.replace(/\|/g, '\\|');

/** The survey as a markdown table, a row per user. */
export function formatSurveyMarkdown(s: Survey): string {
  const out = [
    `Notifier users at API ${s.api}: ${s.users.length} ops tables in ${new Set(s.users.map((u) => u.file)).size} files.`,
    '',
    '| user | ops | callbacks | non-blockable range | read side | two-pass | lifetime | findings |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const u of s.users) {
    const f = u.findings;
    const found = f.error + f.warning + f.info ? `${[f.error && `${f.error} E`, f.warning && `${f.warning} W`, f.info && `${f.info} I`].filter(Boolean).join(', ')} (${f.rules.join(', ')})` : '-';
    out.push(
      `| \`${cell(u.table)}\` ${cell(u.file)}:${u.line} | ${u.kind === 'mmu_interval_notifier_ops' ? 'interval' : 'hlist'} | ${u.callbacks.join(', ') || '-'} | ${cell(u.nonBlockable)} | ${u.readSide ? 'yes' : '-'} | ${u.twoPass ? 'yes' : '-'} | ${cell(u.lifetime)} | ${cell(found)} |`,
    );
  }
  return `${out.join('\n')}\n`;
}
