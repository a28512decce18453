// Typed questions the rules ask of the IR, so no rule decodes atom names,
// argument texts or event arguments itself.
import { atomsOf, innermost } from './atoms.js';
import type { SummaryEvent } from './summary.js';
import type { ApiCall, Assumptions, Event, FinishOrigin, FunctionIR, OpsTable, ReturnSite } from './types.js';

/** The variable whose allocation failed under these assumptions (`alloc:VAR` false), if any. */
export function failedAllocation(when: Assumptions): string | null {
  for (const { tag, value } of atomsOf(when)) {
    const t = innermost(tag);
    if (t.tag === 'alloc' && !value) return t.variable;
  }
  return null;
}

/** The lock whose trylock failed under these assumptions (`trylock:LOCK` false), if any. */
export function failedTrylock(when: Assumptions): string | null {
  for (const { tag, value } of atomsOf(when)) {
    const t = innermost(tag);
    if (t.tag === 'trylock' && !value) return t.lock;
  }
  return null;
}

/** Whether an API call passes `&table` (its first argument, its last, or at an index). */
export function bindsTable(call: ApiCall, table: OpsTable, at: 'first' | 'last' | number = 'first'): boolean {
  const i = at === 'first' ? 0 : at === 'last' ? call.args.length - 1 : at;
  return (call.args[i] ?? '').replace(/\s+/g, '') === `&${table.name}`;
}

/** Two lock expressions name one lock (`&d->lock` and `d->lock`, whitespace aside). */
export function sameLock(a: string, b: string): boolean {
  const norm = (x: string): string =>
    x
      .replace(/\s+/g, '')
      .replace(/^&/, '')
      .replace(/^\((.*)\)$/, '$1');
  return norm(a) === norm(b);
}

/** `&svmm->mutex` and `svmm->mutex` are the same lock. */
export function normalizeLock(text: string): string {
  return text
    .replace(/\s+/g, '')
    .replace(/^&/, '')
    .replace(/^\((.*)\)$/, '$1');
}

/** The member a lock is (`a->b.lock` -> `lock`): two callbacks reach one lock through different pointers. */
export function lockMember(lock: string): string {
  return lock.split(/->|\./).pop() ?? lock;
}

/** A write through the two-pass `*finish` out-parameter: what is handed out and where it comes from. */
export function finishHandedOut(e: Event): { value: string; origin: FinishOrigin; isNull: boolean } | null {
  if (e.kind !== 'finish_write') return null;
  return { value: e.value, origin: e.origin, isNull: e.value === 'NULL' };
}

/** For an `update` event: +1 a counter raised, -1 lowered, 0 a field written. */
export function updateDelta(e: Event): 1 | -1 | 0 | null {
  return e.kind === 'update' ? e.delta : null;
}

/** For an `update` event: the field or variable written, the operator as written (`++`, `|=`, `=`, `kref_get`) and the value. */
export function updateOf(e: Event): { target: string; op: string; value: string } | null {
  return e.kind === 'update' ? { target: e.name, op: e.op, value: e.value } : null;
}

/** The texts an event carries as written: a call's arguments, the value a write stores. */
export function writtenTexts(e: Event): readonly string[] {
  return e.kind === 'update' || e.kind === 'finish_write' || e.kind === 'finish_notifier_write' ? [e.value] : e.args;
}

/** The member a written target names (`subscriptions->invalidate_seq` -> `invalidate_seq`). */
export function targetMember(target: string): string {
  return target.split(/->|\./).pop()?.trim() ?? target;
}

/** The events of one return path in source order (a loop body comes before what follows it). */
export function pathEventsOf(fn: FunctionIR, r: ReturnSite): Event[] {
  return [...new Set(r.path)]
    .map((id) => fn.events[id]!)
    .filter(Boolean)
    .sort((a, b) => a.loc.line - b.loc.line || a.loc.column - b.loc.column);
}

/** What the assumptions say a call of `callee` returned: true (non-zero), false (zero), or undefined when untested. */
export function calleeResult(when: Assumptions, callee: string): boolean | undefined {
  for (const { tag, value } of atomsOf(when)) if (tag.tag === 'ret' && tag.fn === callee) return value;
  return undefined;
}

/** Operators that write a shared variable racily: plain stores and read-modify-writes (not atomics, not WRITE_ONCE). */
const PLAIN_WRITES: ReadonlySet<string> = new Set(['=', '++', '--', '+=', '-=', '|=', '&=']);

/** An update of a global or function-static variable, written without a lock and not atomically. */
export function racyGlobalWrite(e: Event): { target: string; shared: 'global' | 'static' } | null {
  if (e.kind !== 'update' || !e.shared || e.locks.length > 0) return null;
  return PLAIN_WRITES.has(e.op) ? { target: e.name, shared: e.shared } : null;
}

/** What a path knows of the read section: true invalidated (read_retry said so), false valid, undefined not checked. */
export function sectionRetried(when: Assumptions): boolean | undefined {
  return when.retry;
}

/** A sleeping call, or a lock acquire that sleeps. */
export function isSleepingEvent(e: SummaryEvent): boolean {
  return e.kind === 'sleep' || (e.kind === 'lock' && e.sleeps === true);
}

/** A sleeping call, or an allocation that may sleep in direct reclaim. */
export function mayBlock(e: SummaryEvent): boolean {
  return isSleepingEvent(e) || (e.kind === 'alloc' && e.gfp.class === 'sleeping');
}
