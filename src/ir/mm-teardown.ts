// The last mm reference dropped under a lock: mmput() runs exit_mmap(), and so
// the notifier callbacks of the mm's teardown, in the calling task. Which lock
// classes a walked function holds over such a call (its own lock events; the
// struct type each starts from, when a parameter or a local declares it): the
// scan looks for the callbacks that take them (engine/scan.ts), the rule
// remove-from-callback reports them.
import { MM_LAST_REFERENCE_CALLS } from './kernel-api/effects.js';
import { type LockClass, lockClassIn } from './lock-class.js';
import type { FileIR, LockEvent } from './types.js';

/** The classes of the locks a function of `files` takes itself and holds over a call that may drop the last mm reference. */
export function lockClassesOverMmput(files: readonly FileIR[]): Array<LockClass & { readonly file: string }> {
  const out: Array<LockClass & { readonly file: string }> = [];
  for (const f of files) {
    for (const fn of f.functions) {
      for (const e of fn.events) {
        if (e.kind !== 'call' || !MM_LAST_REFERENCE_CALLS.has(e.name)) continue;
        for (const held of e.locks) {
          const taken = fn.events.find((x): x is LockEvent => x.kind === 'lock' && x.lock === held);
          const cls = taken && lockClassIn(taken.args[0] ?? '', fn);
          if (cls && !out.some((c) => c.chain === cls.chain && c.type === cls.type && c.file === fn.file)) out.push({ ...cls, file: fn.file });
        }
      }
    }
  }
  return out;
}
