// What several rules share: the callback roles, where an event or a return is,
// and the model's counterexample trace for a notifier.
import { SELF_WAITING_CALLS } from '../ir/kernel-api/notifier.js';
import { lockMember } from '../ir/queries.js';
import { nonZero, type CallStep, type SummaryEvent, type SummaryReturn } from '../ir/summary.js';
import type { AbstractValue, Loc, OpsField, OpsTable, UntrackedCondition } from '../ir/types.js';
import { ERRNO_MEMBERS } from '../model/ops.js';
import type { SourcePlace, Violation } from '../model/core.js';
import { place, type About, type EvidenceQuery, type RuleContext, type Step, type StepRole, type SubjectKind, type TraceDiagram, type Where } from './rule.js';

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

/** Where a step is: a span (an event's, a return's, a field's), a line the text facts know, or a whole file. */
export type StepPlace = { readonly file: string; readonly loc: Loc } | { readonly file: string; readonly line?: number };

/** A step of a trace at a place: the printers put `file:line:` before its text. */
export function step(at: StepPlace, text: string, role: StepRole): Step {
  if ('loc' in at) return { file: at.file, line: at.loc.line, column: at.loc.column, text, role };
  return at.line === undefined ? { file: at.file, text, role } : { file: at.file, line: at.line, text, role };
}

/** A remark of a trace, at no place. */
export function note(text: string): Step {
  return { text, role: 'note' };
}

/**
 * What a finding is about (rule.ts About): the callback by table and member
 * (null: the finding's function is the callback, or it is about the table),
 * and its subject, one name per site; a lock or object by its last member.
 */
export function about(table: OpsTable | null, member: string | null, kind?: SubjectKind, names: readonly string[] = []): About {
  return {
    ...(table ? { callback: member ? `${table.name}.${member}` : table.name, tableFile: table.file } : {}),
    // a lock or an object by its member (its class), not by the expression that reaches it
    ...(kind ? { subject: { kind, names: kind === 'lock' || kind === 'object' ? names.map(lockMember) : names } } : {}),
  };
}

/** A table's field naming its callback: `drv_ops.invalidate = drv_invalidate`. */
export function bindingStep(table: OpsTable, field: OpsField, fn: string): Step {
  return step({ file: table.file, loc: field.loc }, `${table.name}.${field.field} = ${fn}`, 'binding');
}

/** A model's counterexample lines from `from` on, each with the driver's place it ran when it ran one. */
export function modelSteps(v: Violation, from = 0): Step[] {
  return v.trace.slice(from).map((text, i) => modelStep(text, v.places.get(from + i)));
}

/** A line of the model's: its text already names any place, so the place rides beside it. */
export function modelStep(text: string, at?: SourcePlace): Step {
  return at ? { file: at.file, line: at.line, column: at.column, text, role: 'model' } : { text, role: 'model' };
}

/** The function holding an event: the last callee on its way, or the callback. */
export function functionOf(e: SummaryEvent, callback: string): string {
  return e.via.length ? e.via[e.via.length - 1]!.function : callback;
}

/**
 * The model's counterexample for this table's notifier and the violation a
 * finding is about (its kinds, callback and return site), as trace steps and
 * as a diagram, or null when the model did not reach that violation.
 */
export function modelEvidence(ctx: RuleContext, table: OpsTable, query: EvidenceQuery): { steps: Step[]; diagram: TraceDiagram } | null {
  const v = ctx.model(table).find(query);
  if (!v) return null;
  const title = `model (API ${ctx.api.id}): ${v.scenario}`;
  const end = `violates ${v.invariant}: ${v.message}`;
  const lines = modelSteps(v, 1).map((s) => ({ ...s, text: s.text.replace(/^\s+/, '  ') }));
  return { steps: [modelStep(title), ...lines, modelStep(end)], diagram: { title, lanes: v.lanes, steps: v.steps, end } };
}

/** The return site of a summarized return, as the model's outcomes name it. */
export function siteOf(r: SummaryReturn): { file: string; line: number } {
  return { file: r.file, line: r.loc.line };
}

/** A scanned core's counterexample as a diagram: `title` says which core the model ran. */
export function coreDiagram(v: Violation & { scenario: string }, title: string): TraceDiagram {
  return { title: `${title}: ${v.scenario}`, lanes: v.lanes, steps: v.steps, end: `${v.invariant}: ${v.message}` };
}

/** The calls on the way from a callback down to a helper, a step each. */
export function describeVia(via: readonly CallStep[]): Step[] {
  return via.map((v) => {
    if (v.waits) return { ...step(v, waitText(v, v.waits), 'call'), indirect: true as const, waits: true as const };
    return v.through ? { ...step(v, throughText(v, v.through), 'call'), indirect: true as const } : step(v, `calls ${v.function}()`, 'call');
  });
}

/** What a wait for a work item stands on: where the tree binds the work to the function, and how it was queued. */
function waitText(v: CallStep, w: NonNullable<CallStep['waits']>): string {
  const others = w.of > 1 ? `, one of ${w.of} functions` : '';
  const queued = w.queue ? ` queued on ${w.queue.name} (${w.queue.by} at ${w.queue.file}:${w.queue.line})` : '';
  return `waits for work ${v.function}()${queued} (bound by ${w.by} at ${w.file}:${w.line}${others}): what it does, it does while this waits`;
}

/** What a call through a function pointer stands on: where the tree sets the field, and to how many functions. */
function throughText(v: CallStep, t: NonNullable<CallStep['through']>): string {
  if (t.param) {
    const others = t.of > 1 ? `, one of ${t.of} functions its call sites pass` : '';
    const unknown = t.param.unknown > 0 ? `; ${t.param.unknown} call site${t.param.unknown > 1 ? 's pass' : ' passes'} a value mnlint cannot name` : '';
    return `calls through parameter \`${t.param.name}\` of ${t.param.owner}(), bound to ${v.function}() at ${t.file}:${t.line}${others}${unknown}`;
  }
  const member = t.struct ? `->${t.field}() of struct ${t.struct}` : `->${t.field}()`;
  const others = t.of > 1 ? (t.struct ? `, one of ${t.of} functions its initializers set it to: which one runs depends on the object` : `, one of ${t.of} functions the tree sets it to`) : '';
  return `calls through ${member}, which the tree sets to ${v.function}() (${t.file}:${t.line})${others}`;
}

/** The first call through a function pointer of a trace (a wait aside), as its step says it: what a finding standing on it names. */
export function pointerStep(steps: readonly Step[] | undefined): Step | undefined {
  return steps?.find((s) => s.indirect && !s.waits);
}

/** Whether a trace reaches its evidence through a function pointer: the function that runs there is not proved. */
export function throughPointer(steps: readonly Step[] | undefined): boolean {
  return !!steps?.some((s) => s.indirect && !s.waits);
}

/** Whether a trace reaches its evidence through a wait on a work item bound by field name: the function that runs there is not proved. */
export function throughWork(steps: readonly Step[] | undefined): boolean {
  return !!steps?.some((s) => s.waits);
}

/** Why a bodiless call sleeps or reclaims by the facts derived from the kernel's code, for a trace step. */
export function derivedWhy(e: SummaryEvent): string {
  if (!e.derived) return '';
  return ` (derived from the kernel's code: it calls ${e.derived.call}() at ${e.derived.at} on every path)`;
}

/**
 * What a finding's path is decided by that mnlint does not track: the
 * untracked conditions (a test of a list the function filled, a counter it
 * raised...) on every path to an event or return, and on the call chain down
 * to it. Hand it to `report` as `decidedBy`: an error on such a path is a
 * warning that names the test.
 */
export function decidedBy(...on: Array<{ readonly untracked?: readonly UntrackedCondition[] } | undefined>): readonly UntrackedCondition[] | undefined {
  const out = on.flatMap((x) => x?.untracked ?? []);
  return out.length ? out : undefined;
}

/**
 * The site a finding about several paths stands on: the first whose path is
 * decided by no untracked condition (the finding is proven there), else the
 * first, with what decides it.
 */
export function provenSite<T extends { readonly untracked?: readonly UntrackedCondition[] }>(sites: readonly T[]): { site: T | undefined; decidedBy: readonly UntrackedCondition[] | undefined } {
  const proven = sites.find((x) => !x.untracked?.length);
  if (proven) return { site: proven, decidedBy: undefined };
  return { site: sites[0], decidedBy: decidedBy(sites[0]) };
}
