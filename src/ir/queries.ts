// Typed questions the rules ask of the IR, so no rule decodes atom names,
// argument texts or event arguments itself.
import type { ApiCall, Assumptions, Event, OpsTable } from './types.js';

/** The variable whose allocation failed under these assumptions (`alloc:VAR` false), if any. */
export function failedAllocation(when: Assumptions): string | null {
  for (const [atom, value] of Object.entries(when)) {
    const at = atom.indexOf('alloc:');
    if (at >= 0 && !value) return atom.slice(at + 6);
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
  const norm = (x: string): string => x.replace(/\s+/g, '').replace(/^&/, '').replace(/^\((.*)\)$/, '$1');
  return norm(a) === norm(b);
}

/** The member a lock is (`a->b.lock` -> `lock`): two callbacks reach one lock through different pointers. */
export function lockMember(lock: string): string {
  return lock.split(/->|\./).pop() ?? lock;
}

/** A write through the two-pass `*finish` out-parameter: what is handed out and where it comes from. */
export function finishHandedOut(e: Event): { value: string; origin: 'allocated' | 'embedded' | 'unknown'; isNull: boolean } | null {
  if (e.kind !== 'finish_write') return null;
  const value = e.args[0] ?? '';
  const origin = e.args[1] === 'allocated' || e.args[1] === 'embedded' ? e.args[1] : 'unknown';
  return { value, origin, isNull: value === 'NULL' };
}

/** For an `update` event: +1 a counter raised, -1 lowered, 0 a field written. */
export function updateDelta(e: Event): number | null {
  return e.kind === 'update' ? Number(e.args[0]) : null;
}
