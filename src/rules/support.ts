// What several rules share: the callback roles, where an event or a return is,
// and the model's counterexample trace for a notifier.
import { SELF_WAITING_CALLS } from '../ir/kernel-api.js';
import { nonZero, type SummaryEvent, type SummaryReturn } from '../ir/summary.js';
import type { AbstractValue, Loc, OpsTable } from '../ir/types.js';
import { ERRNO_MEMBERS } from '../model/ops.js';
import type { Violation } from '../model/core.js';
import { place, type EvidenceQuery, type RuleContext, type TraceDiagram, type Where } from './rule.js';

/**
 * Whether a callback's return is its failure: invalidate_range_start fails
 * with a non-zero errno, the bool callbacks (invalidate, invalidate_start)
 * with false. Null when the value is not known.
 */
export function failsWith(field: string, value: AbstractValue): boolean | null {
  const t = nonZero(value);
  if (t === null) return null;
  return (ERRNO_MEMBERS as readonly string[]).includes(field) ? t : !t;
}

/** Calls that wait for the invalidation a callback is part of (see kernel-api). */
export const SELF_WAITING = SELF_WAITING_CALLS;

/** `file:line:column` of an event: one site however many paths reach it. */
export function placeOf(e: SummaryEvent): string {
  return `${e.file}:${e.loc.line}:${e.loc.column}`;
}

/**
 * The sites of a callback's finding: one event per place, the callback's own
 * body first (nearest the reader), then by file and line.
 */
export function sitesOf<T>(items: Iterable<T>, event: (item: T) => SummaryEvent): T[] {
  const byPlace = new Map<string, T>();
  for (const item of items) {
    const key = placeOf(event(item));
    if (!byPlace.has(key)) byPlace.set(key, item);
  }
  return [...byPlace.values()].sort((x, y) => {
    const a = event(x);
    const b = event(y);
    return a.via.length - b.via.length || (a.file < b.file ? -1 : a.file > b.file ? 1 : a.loc.line - b.loc.line || a.loc.column - b.loc.column);
  });
}

export function atEvent(e: SummaryEvent): Where {
  return atLoc(e.file, e.loc);
}

export function atReturn(r: SummaryReturn): Where {
  return atLoc(r.file, r.loc);
}

export function atField(table: OpsTable, field: string): Where {
  const f = table.fields.find((x) => x.field === field) ?? table.fields[0];
  return atLoc(table.file, f?.loc ?? table.loc);
}

/** A span of a file: an event's, a return's, a field's, a function's. */
export function atLoc(file: string, loc: Loc): Where {
  return place(file, loc.line, loc.column, loc.endLine);
}

/** A whole line: the text facts (API calls, struct members) know no column. */
export function atLine(file: string, line: number): Where {
  return place(file, line, 1, line);
}

/** The function holding an event: the last callee on its way, or the callback. */
export function functionOf(e: SummaryEvent, callback: string): string {
  return e.via.length ? e.via[e.via.length - 1]!.function : callback;
}

/**
 * The model's counterexample for this table's notifier and the violation a
 * finding is about (its kinds, callback and return site), as trace lines and
 * as a diagram, or null when the model did not reach that violation.
 */
export function modelEvidence(ctx: RuleContext, table: OpsTable, query: EvidenceQuery): { trace: string[]; diagram: TraceDiagram } | null {
  const v = ctx.model(table).find(query);
  if (!v) return null;
  const title = `model (API ${ctx.api.id}): ${v.scenario}`;
  const end = `violates ${v.invariant}: ${v.message}`;
  return { trace: [title, ...v.trace.slice(1).map((t) => t.replace(/^\s+/, '  ')), end], diagram: { title, lanes: v.lanes, steps: v.steps, end } };
}

/** The return site of a summarized return, as the model's outcomes name it. */
export function siteOf(r: SummaryReturn): { file: string; line: number } {
  return { file: r.file, line: r.loc.line };
}

/** A scanned core's counterexample as a diagram: `title` says which core the model ran. */
export function coreDiagram(v: Violation & { scenario: string }, title: string): TraceDiagram {
  return { title: `${title}: ${v.scenario}`, lanes: v.lanes, steps: v.steps, end: `${v.invariant}: ${v.message}` };
}
