// What the core rules share: recognizing mm/mmu_notifier.c (by what it defines),
// and the events of one return path in source order (the core's invalidation
// functions have no backward jumps; a loop body comes before what follows it).
import type { Event, FileIR, FunctionIR, ReturnSite } from '../ir/types.js';
import { pathEventsOf } from '../ir/queries.js';
import { CORE } from '../ir/kernel-api/notifier.js';

export function coreFunctions(file: FileIR): Map<string, FunctionIR> | null {
  const fns = new Map(file.functions.map((f) => [f.name, f]));
  return fns.has(CORE.itreeInvalidate) || fns.has(CORE.hlistInvalidateRangeStart) ? fns : null;
}

export const pathEvents: (fn: FunctionIR, r: ReturnSite) => Event[] = pathEventsOf;

/** The core is two-pass when its interval walk calls ops->invalidate_start. */
export function isTwoPassCore(fns: Map<string, FunctionIR>): boolean {
  return [...fns.values()].some((f) => f.events.some((e) => e.name === '->invalidate_start'));
}
