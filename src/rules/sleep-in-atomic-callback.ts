import { defineRule } from './rule.js';
import { ATOMIC_MEMBERS } from '../model/ops.js';
import { isSleepingEvent } from '../ir/queries.js';
import { atEvent, bindingStep, functionOf, note, step, describeVia, decidedBy, about } from './support.js';

export default defineRule({
  id: 'sleep-in-atomic-callback',
  title: 'sleeping call in a callback that must never sleep',
  severity: 'error',
  invariant: 'I5',
  status: 'preview',
  since: '0.1.0',
  docs: {
    what: 'Flags a call that may sleep, or an allocation with a direct-reclaim mask, reachable from `arch_invalidate_secondary_tlbs` (`invalidate_range` before 6.6), `free_notifier`, `clear_flush_young`, `clear_young`, `test_young` or `change_pte`.',
    why: '`arch_invalidate_secondary_tlbs` is called with the page-table spinlock held; `free_notifier` runs from an SRCU callback (softirq context); the young callbacks run under the rmap and page-table locks. None of them may sleep, whatever the range.',
    bad: `static void drv_free_notifier(struct mmu_notifier *mn)
{
	struct drv *d = container_of(mn, struct drv, mn);

	flush_work(&d->work);
	kfree(d);
}

static const struct mmu_notifier_ops drv_ops = {
	.free_notifier = drv_free_notifier,
};
`,
    good: `static void drv_free_notifier(struct mmu_notifier *mn)
{
	kfree(container_of(mn, struct drv, mn));
}

static const struct mmu_notifier_ops drv_ops = {
	.free_notifier = drv_free_notifier,
};
`,
    references: ['include/linux/mmu_notifier.h: struct mmu_notifier_ops @arch_invalidate_secondary_tlbs, @free_notifier, @clear_flush_young', 'mm/mmu_notifier.c: mmu_notifier_free_rcu()'],
  },
  messages: {
    sleepsInAtomic: '{{call}}() may sleep, reachable from {{field}} callback {{cb}}(), which runs where sleeping is not allowed',
  },
  checkTable(table, ctx) {
    if (table.kind !== 'mmu_notifier_ops') return;
    for (const field of ATOMIC_MEMBERS) {
      const cb = ctx.callback(table, field);
      if (!cb?.fn) continue;
      for (const e of ctx.summary(cb.fn).events) {
        const sleeps = isSleepingEvent(e) || (e.kind === 'alloc' && e.gfp.class === 'sleeping');
        if (!sleeps) continue;
        ctx.report({
          ...atEvent(e),
          function: functionOf(e, cb.fn.name),
          messageId: 'sleepsInAtomic',
          about: about(table, field, 'call', [e.name]),
          decidedBy: decidedBy(e),
          data: { call: e.name, field, cb: cb.fn.name },
          steps: [bindingStep(table, cb.field, cb.fn.name), ...describeVia(e.via), step(e, `${e.name}()${e.kind === 'alloc' ? ` with ${e.gfp.mask}` : ''}`, 'event'), note(`${field} never sleeps (I5)`)],
        });
      }
    }
  },
});
