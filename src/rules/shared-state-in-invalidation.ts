// I7 beyond finish objects: invalidations run concurrently (two CPUs, two
// mms, the OOM reaper beside munmap), so a global or function-static variable
// written on the invalidation path without a lock or an atomic is shared by
// all of them. The effects checker marks writes whose variable outlives the call.
import { racyGlobalWrite } from '../ir/queries.js';
import { describeWhen } from '../ir/describe.js';
import { defineRule } from './rule.js';
import { INVALIDATION_MEMBERS } from '../model/ops.js';
import { atEvent, bindingStep, functionOf, sitesOf, step, describeVia, about } from './support.js';

export default defineRule({
  id: 'shared-state-in-invalidation',
  title: 'a global or function-static variable written on the invalidation path without a lock',
  severity: 'warning',
  invariant: 'I7',
  status: 'preview',
  since: '0.1.0',
  docs: {
    what: 'Flags a plain write (`=`, `++`, `+=`, `|=` ...) to a global or function-static variable, or a member of one, reached from `invalidate`, `invalidate_start`, `invalidate_finish`, `invalidate_range_start` or `invalidate_range_end` with no lock held. Atomics and `WRITE_ONCE` are not flagged. A warning: mnlint does not know whether a caller serializes the invalidations some other way.',
    why: "The core runs invalidations concurrently: munmap on one CPU, the OOM reaper or a migration on another, and every mm with the driver's notifier at once. State that lives outside the notifier object is shared by all of them: a counter loses updates, a pointer saved in a static is overwritten by the next invalidation, a static finish object is handed out twice (I7).",
    bad: `static unsigned long last_start;

static bool drv_invalidate(struct mmu_interval_notifier *mni,
			   const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	struct drv_obj *obj = container_of(mni, struct drv_obj, notifier);

	if (!mmu_notifier_range_blockable(range))
		return false;
	mutex_lock(&obj->lock);
	mmu_interval_set_seq(mni, cur_seq);
	mutex_unlock(&obj->lock);
	last_start = range->start;
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate = drv_invalidate,
};
`,
    good: `static bool drv_invalidate(struct mmu_interval_notifier *mni,
			   const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	struct drv_obj *obj = container_of(mni, struct drv_obj, notifier);

	if (!mmu_notifier_range_blockable(range))
		return false;
	mutex_lock(&obj->lock);
	mmu_interval_set_seq(mni, cur_seq);
	obj->last_start = range->start;
	mutex_unlock(&obj->lock);
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate = drv_invalidate,
};
`,
    references: ['include/linux/mmu_notifier.h: "each parallel invocation needs its own finish object" (the two-pass kernel-doc)', 'Documentation/mm/hmm.rst'],
  },
  messages: {
    unlockedSharedWrite: '{{table}}.{{field}} writes {{storage}} {{target}} with no lock held: concurrent invalidations share it',
  },
  checkTable(table, ctx) {
    for (const field of [...INVALIDATION_MEMBERS[table.kind], 'invalidate_finish']) {
      const cb = ctx.callback(table, field);
      if (!cb?.fn) continue;
      const writes = sitesOf(
        ctx.summary(cb.fn).events.filter((e) => racyGlobalWrite(e)),
        (e) => e,
      );
      for (const e of writes) {
        const w = racyGlobalWrite(e)!;
        ctx.report({
          ...atEvent(e),
          function: functionOf(e, cb.fn.name),
          messageId: 'unlockedSharedWrite',
          about: about(table, field, 'field', [w.target]),
          data: { table: table.name, field, storage: w.shared === 'static' ? 'the function-static' : 'the global', target: w.target },
          steps: [bindingStep(table, cb.field, cb.fn.name), ...describeVia(e.via), step(e, `${w.target} written${describeWhen(e.when)}, no lock held (I7)`, 'event')],
        });
      }
    }
  },
});
