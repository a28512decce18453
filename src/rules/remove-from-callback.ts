import { defineRule, type RuleContext } from './rule.js';
import { MM_LAST_REFERENCE_CALLS } from '../ir/kernel-api/effects.js';
import { REMOVE } from '../ir/kernel-api/notifier.js';
import { describeClass, type LockClass, lockClassIn, sameClass } from '../ir/lock-class.js';
import type { SummaryEvent } from '../ir/summary.js';
import type { FunctionIR, LockEvent, OpsField, OpsTable } from '../ir/types.js';
import { EXIT_MMAP_MEMBERS, GET_PUT_MEMBERS, INVALIDATION_MEMBERS, isOpsMember } from '../model/ops.js';
import { SELF_WAITING, atEvent, bindingStep, functionOf, step, describeVia, decidedBy, about } from './support.js';

export default defineRule({
  id: 'remove-from-callback',
  title: 'notifier removed or unregistered from inside its own callback',
  severity: 'error',
  invariant: 'I5',
  status: 'stable',
  since: '0.1.0',
  docs: {
    what: 'Flags `mmu_interval_notifier_remove`, `mmu_notifier_unregister` or `mmu_notifier_synchronize` reachable from a notifier callback, and `mmput` reachable from an invalidation callback (commit a29e067bd389, "drm/amdkfd: Don\'t call mmput from MMU notifier callback": the last reference runs exit_mmap inside the invalidation). `mmu_notifier_put` is not flagged: it frees asynchronously and its kernel-doc allows it from `release`. A wait for a work item (`flush_work`, `cancel_delayed_work_sync`, `flush_workqueue`...) counts as a call of the work function: a callback that waits for work calling `mmput` (commit 6225bb3a88d2, "drm/amdkfd: svm range restore work deadlock when process exit") or one of the calls above is flagged, as a warning (the work function is found by the field name of the work item). Also warns on `mmput` made while holding a lock whose class a callback the last reference runs takes (interval `invalidate`, `invalidate_start`, `invalidate_finish`; hlist `release`), itself or in a helper (commit 85eaeb5058f0, "IB/core: Fix a nested dead lock as part of ODP flow"): exit_mmap() runs that callback in the same task; a warning, since whether the reference is the last and whether the two locks are one object are not proven (the class is the struct member chain, with the struct type of the parameter or local it starts from).',
    why: 'The last `mmput()` runs `exit_mmap()` synchronously, which calls `mmu_notifier_release()`: every interval notifier is invalidated and every hlist notifier released in the calling task (mm/mmu_notifier.c, mn_itree_release(), mn_hlist_release()). `mmu_interval_notifier_remove()` waits until the invalidation running on its mm ends (`wait_event(subscriptions->wq, mmu_interval_seq_released(...))`), and `mmu_notifier_unregister()`/`mmu_notifier_synchronize()` wait for SRCU readers: called from the callback of that invalidation they wait for themselves. Defer the removal to a work item.',
    bad: `static bool drv_invalidate(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	mmu_interval_set_seq(mni, cur_seq);
	if (range->event == MMU_NOTIFY_UNMAP)
		mmu_interval_notifier_remove(mni);
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate = drv_invalidate,
};
`,
    good: `static bool drv_invalidate(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	struct drv *d = container_of(mni, struct drv, notifier);

	mmu_interval_set_seq(mni, cur_seq);
	if (range->event == MMU_NOTIFY_UNMAP)
		schedule_work(&d->remove_work);
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate = drv_invalidate,
};
`,
    references: [
      'mm/mmu_notifier.c: mmu_interval_notifier_remove(), mmu_notifier_unregister(), __mmu_notifier_release()',
      'kernel/fork.c: mmput(), mmput_async()',
      'include/linux/mmu_notifier.h',
      'commit 85eaeb5058f0 ("IB/core: Fix a nested dead lock as part of ODP flow")',
    ],
  },
  messages: {
    dropsLastMmReference:
      '{{call}}() reachable from {{field}} callback {{cb}}(): dropping the last mm reference runs exit_mmap() and mmu_notifier_release() inside this invalidation (deadlock); hold the reference elsewhere or use mmput_async()',
    waitsForItself: '{{call}}() reachable from {{field}} callback {{cb}}(): it waits for the invalidation that is calling it (deadlock); defer it to a work item',
    waitsForLastMmReference:
      '{{field}} callback {{cb}}() waits for work {{work}}(), which reaches {{call}}(): when that drops the last mm reference, exit_mmap() runs mmu_notifier_release() inside the work, and its synchronize_srcu() (or the release callback) waits for this callback, which waits for the work (deadlock); do not wait for the work in the callback, or use mmput_async() in it',
    lastMmReferenceUnderCallbackLock:
      "{{call}}({{mm}}) with {{lock}} held: when it drops the last mm reference, exit_mmap() runs mmu_notifier_release() in this task, and {{field}} callback {{cb}}() ({{cbAt}}) takes a lock of that class ({{cls}}): a self-deadlock; use mmput_async() or put the reference after unlocking (not proven: the last reference depends on the owner exiting meanwhile, and the class is the lock's struct member chain, not a proved identity)",
    waitsForWorkWaitingForItself:
      '{{field}} callback {{cb}}() waits for work {{work}}(), which reaches {{call}}(): that waits for the callback to end, and the callback waits for the work (deadlock); do not wait for the work in the callback',
  },
  checkFile(file, ctx) {
    for (const fn of file.functions) {
      // only a lock the function takes itself counts (below): without one of a class a callback takes, no summary is needed
      if (!fn.events.some((x) => x.kind === 'lock' && takenByCallback(x as LockEvent, fn, ctx))) continue;
      const drops = ctx.summary(fn).events.filter((e): e is Extract<SummaryEvent, { kind: 'call' }> => e.kind === 'call' && MM_LAST_REFERENCE_CALLS.has(e.name) && e.locks.length > 0);
      const reported = new Set<string>();
      for (const e of drops) {
        const key = `${e.file}:${e.loc.line}:${e.loc.column}`;
        if (reported.has(key)) continue;
        for (const held of e.locks) {
          // a lock the function takes itself: its class is read where it takes it
          const taken = fn.events.find((x): x is LockEvent => x.kind === 'lock' && x.lock === held);
          const cls = taken && lockClassIn(taken.args[0] ?? '', fn);
          if (!taken || !cls) continue;
          const taker = callbackTaking(cls, ctx);
          if (!taker) continue;
          reported.add(key);
          const { table, field, cb, lock } = taker;
          ctx.report({
            ...atEvent(e),
            severity: 'warning',
            function: functionOf(e, fn.name),
            messageId: 'lastMmReferenceUnderCallbackLock',
            about: about(null, null, 'lock', [held]),
            data: { call: e.name, mm: e.args[0] ?? '', lock: held, field: field.field, cb, cbAt: `${lock.file}:${lock.loc.line}`, cls: describeClass(cls) },
            steps: [
              step({ file: fn.file, loc: taken.loc }, `${taken.name}(${taken.args[0] ?? ''}): takes a lock of class ${describeClass(cls)}`, 'event'),
              ...describeVia(e.via),
              step(e, `${e.name}(${e.args[0] ?? ''}) with it held: the last reference runs exit_mmap() -> mmu_notifier_release() here (I5)`, 'event'),
              bindingStep(table, field, cb),
              ...describeVia(lock.via),
              step(lock, `${lock.name}(${lock.args[0] ?? ''}): the same class, in the task that holds it`, 'event'),
            ],
          });
          break;
        }
      }
    }
  },
  checkTable(table, ctx) {
    for (const f of table.fields) {
      if (!f.function) continue;
      const cb = ctx.callback(table, f.field);
      if (!cb?.fn) continue;
      const invalidating = (isOpsMember(f.field) && INVALIDATION_MEMBERS[table.kind].includes(f.field)) || f.field === 'invalidate_finish';
      for (const e of ctx.summary(cb.fn).events) {
        if (invalidating && MM_LAST_REFERENCE_CALLS.has(e.name)) {
          ctx.report({
            ...atEvent(e),
            function: functionOf(e, cb.fn.name),
            messageId: 'dropsLastMmReference',
            about: about(table, f.field, 'call', [e.name]),
            decidedBy: decidedBy(e),
            data: { call: e.name, field: f.field, cb: cb.fn.name },
            steps: [bindingStep(table, f, cb.fn.name), ...describeVia(e.via), step(e, `${e.name}() may drop the last reference (I5)`, 'event')],
          });
          continue;
        }
        if (!SELF_WAITING.has(e.name)) continue;
        ctx.report({
          ...atEvent(e),
          function: functionOf(e, cb.fn.name),
          messageId: 'waitsForItself',
          about: about(table, f.field, 'call', [e.name]),
          decidedBy: decidedBy(e),
          data: { call: e.name, field: f.field, cb: cb.fn.name },
          steps: [bindingStep(table, f, cb.fn.name), ...describeVia(e.via), step(e, `${e.name}() waits for the running invalidation to end (I5)`, 'event')],
        });
      }
      // what the callback waits for in a work item counts as if it called it there: the
      // work cannot end while its mmput() or removal waits for the callback (any callback:
      // all run inside the SRCU read section that mmu_notifier_release() synchronizes)
      // the callbacks the core calls inside its SRCU read section (not alloc_notifier, free_notifier)
      const underSrcu = (isOpsMember(f.field) && !(GET_PUT_MEMBERS as readonly string[]).includes(f.field)) || f.field === 'invalidate_finish';
      if (!underSrcu) continue;
      const reported = new Set<string>();
      for (const e of ctx.summary(cb.fn).waited) {
        const last = MM_LAST_REFERENCE_CALLS.has(e.name);
        if (!last && !SELF_WAITING.has(e.name)) continue;
        // an interval notifier's removal waits for the invalidation in progress only, which
        // the release callbacks are not part of (mn_itree_release() ended before them)
        if (e.name === REMOVE && !invalidating) continue;
        const wait = e.via.find((v) => v.waits)!;
        // one finding per callback, work and call
        const key = `${wait.function}:${e.name}:${e.file}:${e.loc.line}`;
        if (reported.has(key)) continue;
        reported.add(key);
        ctx.report({
          ...atEvent(e),
          function: functionOf(e, cb.fn.name),
          messageId: last ? 'waitsForLastMmReference' : 'waitsForWorkWaitingForItself',
          about: about(table, f.field, 'call', [e.name]),
          decidedBy: decidedBy(e),
          data: { call: e.name, field: f.field, cb: cb.fn.name, work: wait.function },
          steps: [
            bindingStep(table, f, cb.fn.name),
            ...describeVia(e.via),
            step(e, last ? `${e.name}() may drop the last mm reference: exit_mmap() runs the notifier release in the work (I5)` : `${e.name}() waits for the running callback to end (I5)`, 'event'),
          ],
        });
      }
    }
  },
});

/** Whether a lock the function takes has a class some teardown callback takes too. */
function takenByCallback(x: LockEvent, fn: FunctionIR, ctx: RuleContext): boolean {
  const cls = lockClassIn(x.args[0] ?? '', fn);
  return cls !== null && cls !== undefined && callbackTaking(cls, ctx) !== null;
}

/** A callback the last mmput() runs (EXIT_MMAP_MEMBERS) that takes a lock of class `cls`, itself or in a helper: the first such in the scan. */
function callbackTaking(cls: LockClass, ctx: RuleContext): { table: OpsTable; field: OpsField; cb: string; lock: Extract<SummaryEvent, { kind: 'lock' }> } | null {
  for (const table of ctx.notifierTables) {
    for (const member of EXIT_MMAP_MEMBERS[table.kind]) {
      const view = ctx.callback(table, member);
      if (!view?.fn) continue;
      for (const e of ctx.summary(view.fn).events) {
        if (e.kind !== 'lock') continue;
        const owner = e.via.length ? e.via[e.via.length - 1]!.function : view.fn.name;
        const fn = owner === view.fn.name && e.file === view.fn.file ? view.fn : ctx.functionIn(e.file, owner);
        const taken = fn && lockClassIn(e.args[0] ?? '', fn);
        if (taken && sameClass(taken, cls)) return { table, field: view.field, cb: view.fn.name, lock: e };
      }
    }
  }
  return null;
}
