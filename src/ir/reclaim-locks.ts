// "Lock L is held around reclaim": a function of the scan takes a sleeping
// lock and, holding it, allocates with a mask that may enter direct reclaim
// (its own allocation, a helper's, or a bodiless call the derived facts say
// reclaims). Reclaim runs the invalidation callbacks (try_to_unmap() from
// kswapd or direct reclaim), so a callback that takes a lock of that class
// waits for a holder that waits for reclaim: lockdep's fs_reclaim report.
// A spinlock held around such an allocation is a sleep in atomic context of
// its own, not gathered here.
import { type LockClass, lockClassIn, sameClass } from './lock-class.js';
import type { FunctionSummary, SummaryEvent } from './summary.js';
import type { FunctionIR, LockEvent } from './types.js';

/** Where a lock of a class is held around an allocation that may reclaim. */
export interface ReclaimHold {
  readonly cls: LockClass;
  /** the lock as its holder writes it, normalized (`obj->mm.lock`) */
  readonly lock: string;
  /** the function that takes it */
  readonly holder: string;
  readonly file: string;
  /** where the holder takes it */
  readonly lockEvent: LockEvent;
  /** the allocation made under it (in the holder or a helper, see `via`) */
  readonly alloc: Extract<SummaryEvent, { kind: 'alloc' }>;
}

/**
 * The holds of the given functions: for each sleeping lock a function takes
 * itself, the first allocation that may reclaim made while it is held.
 */
export function gatherReclaimHolds(fns: Iterable<FunctionIR>, summary: (fn: FunctionIR) => FunctionSummary, wanted?: LockClass): ReclaimHold[] {
  const out: ReclaimHold[] = [];
  for (const fn of fns) {
    const taken = fn.events.filter((e): e is LockEvent => e.kind === 'lock' && e.sleeps);
    if (!taken.length) continue;
    const classes = new Map<string, { cls: LockClass; event: LockEvent }>();
    for (const e of taken) {
      if (classes.has(e.lock)) continue;
      const cls = lockClassIn(e.args[0] ?? '', fn);
      if (cls && (wanted === undefined || sameClass(cls, wanted))) classes.set(e.lock, { cls, event: e });
    }
    if (!classes.size) continue;
    const events = summary(fn).events;
    // under a spinlock too, the allocation is a sleep in atomic context: that bug, not this one
    const spinning = new Set(events.filter((e): e is Extract<SummaryEvent, { kind: 'lock' }> => e.kind === 'lock' && !e.sleeps).map((e) => e.lock));
    const allocs = events.filter((e): e is Extract<SummaryEvent, { kind: 'alloc' }> => e.kind === 'alloc' && e.gfp.class === 'sleeping' && !e.locks.some((l) => spinning.has(l)));
    for (const [lock, { cls, event }] of classes) {
      const alloc = allocs.find((a) => a.locks.includes(lock));
      if (alloc) out.push({ cls, lock, holder: fn.name, file: fn.file, lockEvent: event, alloc });
    }
  }
  return out;
}
