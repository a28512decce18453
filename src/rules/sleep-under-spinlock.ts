import { ATOMIC_ACQUIRES } from '../ir/kernel-api/locks.js';
import type { SummaryEvent } from '../ir/summary.js';
import { describeWhen } from '../ir/describe.js';
import { defineRule } from './rule.js';
import { mayBlock } from '../ir/queries.js';
import { atEvent, bindingStep, derivedWhy, functionOf, sitesOf, step, describeVia, decidedBy, about } from './support.js';

export default defineRule({
  id: 'sleep-under-spinlock',
  title: 'sleeping call while a spinlock, RCU or disabled preemption is held',
  severity: 'error',
  invariant: 'I5',
  status: 'preview',
  since: '0.1.0',
  docs: {
    what: "Flags a call that may sleep (a mutex, rwsem, wait, fence wait, sleeping allocation...) reached from a notifier callback while a lock that does not sleep is held: a spinlock, rwlock, `rcu_read_lock()` or `preempt_disable()`, taken in the callback or in a caller of the helper that sleeps. One finding per callback, every site in the trace: an error when the sleep is in the callback's own body, a warning when it is in a helper (the helper's branch conditions are not all tracked).",
    why: 'Sleeping with a spinlock held or in an RCU read section schedules in atomic context: "BUG: scheduling while atomic", or a deadlock when the task that would release the lock needs this CPU. In a notifier it also runs under the invalidation the core is doing, so the sleep waits on whatever mm work is blocked behind it. Commit b85ced91511f ("IB/hfi1: Consistently call ops->remove outside spinlock") fixed a notifier that reached down_write(&mm->mmap_sem) under its handler spinlock.',
    bad: `static void drv_release_pages(struct drv *d)
{
	down_write(&d->mm->mmap_lock);
	drv_unpin(d);
	up_write(&d->mm->mmap_lock);
}

static bool drv_invalidate(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	struct drv *d = container_of(mni, struct drv, notifier);

	if (!mmu_notifier_range_blockable(range))
		return false;
	spin_lock(&d->lock);
	mmu_interval_set_seq(mni, cur_seq);
	drv_release_pages(d);
	spin_unlock(&d->lock);
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate = drv_invalidate,
};
`,
    good: `static void drv_release_pages(struct drv *d)
{
	down_write(&d->mm->mmap_lock);
	drv_unpin(d);
	up_write(&d->mm->mmap_lock);
}

static bool drv_invalidate(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	struct drv *d = container_of(mni, struct drv, notifier);

	if (!mmu_notifier_range_blockable(range))
		return false;
	spin_lock(&d->lock);
	mmu_interval_set_seq(mni, cur_seq);
	spin_unlock(&d->lock);
	drv_release_pages(d);
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate = drv_invalidate,
};
`,
    references: ['commit b85ced91511f ("IB/hfi1: Consistently call ops->remove outside spinlock")', 'Documentation/locking/locktypes.rst: spinlock_t, rwlock_t and RCU sections must not sleep'],
  },
  messages: {
    sleepsUnderLock: '{{call}}() may sleep while {{lock}} is held ({{taken}}() at {{file}}:{{takenLine}}), reached from {{field}} callback {{cb}}(){{viaHelper}}{{sites}}',
  },
  checkTable(table, ctx) {
    for (const f of table.fields) {
      const cb = ctx.callback(table, f.field);
      if (!cb?.fn) continue;
      const events = ctx.summary(cb.fn).events;
      // the locks of this callback's summary that do not sleep
      const spinning = new Map<string, SummaryEvent>();
      for (const e of events) if (e.kind === 'lock' && e.lock && ATOMIC_ACQUIRES.has(e.name) && !spinning.has(e.lock)) spinning.set(e.lock, e);
      if (spinning.size === 0) continue;
      const held = events
        .filter(mayBlock)
        .map((e) => ({ e, lock: e.locks.find((l) => spinning.has(l)) }))
        .filter((x): x is { e: SummaryEvent; lock: string } => x.lock !== undefined);
      const all = sitesOf(held, (x) => x.e);
      const first = all.find((x) => !x.e.untracked?.length) ?? all[0];
      if (!first) continue;
      const taken = spinning.get(first.lock)!;
      // in a helper, the branch conditions that lead to the sleep are not all tracked
      const own = first.e.via.length === 0;
      ctx.report({
        ...atEvent(first.e),
        severity: own ? 'error' : 'warning',
        function: functionOf(first.e, cb.fn.name),
        messageId: 'sleepsUnderLock',
        about: about(
          table,
          f.field,
          'call',
          all.map((x) => x.e.name),
        ),
        decidedBy: decidedBy(first.e),
        data: {
          call: first.e.name,
          lock: first.lock,
          taken: taken.name,
          file: taken.file,
          takenLine: taken.loc.line,
          field: f.field,
          cb: cb.fn.name,
          viaHelper: own ? '' : ' through a helper whose branch conditions mnlint does not all track',
          sites: all.length > 1 ? ` (${all.length} sites)` : '',
        },
        steps: [
          bindingStep(table, f, cb.fn.name),
          ...describeVia(taken.via),
          step(taken, `${taken.name}(${first.lock})`, 'event'),
          ...all.flatMap(({ e, lock }) => [...describeVia(e.via), step(e, `${e.name}() with ${lock} held${derivedWhy(e)}${describeWhen(e.when)}`, 'event')]),
        ],
      });
    }
  },
});
