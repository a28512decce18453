import { atLoc, coreDiagram, modelStep, modelSteps, step } from './support.js';
import { defineRule } from './rule.js';
import { coreFunctions } from './core.js';

export default defineRule({
  id: 'core-end-after-failed-start',
  title: 'core: no `invalidate_range_end` for the notifiers whose start succeeded when another failed',
  severity: 'error',
  invariant: 'I1',
  status: 'stable',
  since: '0.1.0',
  docs: {
    what: 'In mm/mmu_notifier.c, flags an `mn_hlist_invalidate_range_start` that calls `ops->invalidate_range_start` but has no path calling `ops->invalidate_range_end` after a failure, whatever the API level: before 5.12 that is the core as it was, and the model, run with two subscribers on one mm (one that can fail start, one that counts start/end as KVM does), shows the imbalance c2655835fd8c fixed; from 5.12 on it is a revert of that fix.',
    why: "When one notifier fails start (-EAGAIN in a non-blockable range) the caller does not call invalidate_range_end, yet the notifiers whose start succeeded expect their end: KVM's `mmu_invalidate_in_progress` stays elevated. Since c2655835fd8c the core calls end on every notifier that has one after a failure (and forbids failing notifiers from having end).",
    bad: `static int mn_hlist_invalidate_range_start(struct mmu_notifier_subscriptions *subscriptions,
					   struct mmu_notifier_range *range)
{
	struct mmu_notifier *subscription;
	int ret = 0;
	int id;

	id = srcu_read_lock(&srcu);
	hlist_for_each_entry_rcu(subscription, &subscriptions->list, hlist, srcu_read_lock_held(&srcu)) {
		const struct mmu_notifier_ops *ops = subscription->ops;

		if (ops->invalidate_range_start) {
			int _ret = ops->invalidate_range_start(subscription, range);

			if (_ret)
				ret = _ret;
		}
	}
	srcu_read_unlock(&srcu, id);
	return ret;
}
`,
    good: `static int mn_hlist_invalidate_range_start(struct mmu_notifier_subscriptions *subscriptions,
					   struct mmu_notifier_range *range)
{
	struct mmu_notifier *subscription;
	int ret = 0;
	int id;

	id = srcu_read_lock(&srcu);
	hlist_for_each_entry_rcu(subscription, &subscriptions->list, hlist, srcu_read_lock_held(&srcu)) {
		const struct mmu_notifier_ops *ops = subscription->ops;

		if (ops->invalidate_range_start) {
			int _ret = ops->invalidate_range_start(subscription, range);

			if (_ret)
				ret = _ret;
		}
	}
	if (ret) {
		hlist_for_each_entry_rcu(subscription, &subscriptions->list, hlist, srcu_read_lock_held(&srcu)) {
			if (!subscription->ops->invalidate_range_end)
				continue;
			subscription->ops->invalidate_range_end(subscription, range);
		}
	}
	srcu_read_unlock(&srcu, id);
	return ret;
}
`,
    references: ['commit c2655835fd8c ("mm/mmu_notifiers: ensure range_end() is paired with range_start()")', 'mm/mmu_notifier.c: mn_hlist_invalidate_range_start()'],
  },
  messages: {
    noEndAfterFailedStart: 'mn_hlist_invalidate_range_start() returns a failed start without calling invalidate_range_end on the notifiers that have it ({{level}}): {{message}}',
  },
  checkFile(file, ctx) {
    const missing = ctx.core(file)?.steps.find((s) => s.step === 'endAfterFailedStart');
    if (!missing || missing.holds) return;
    const fn = coreFunctions(file)?.get(missing.function);
    if (!fn?.events.some((e) => e.name === '->invalidate_range_start')) return;
    // what the model shows with this core: a notifier that fails start beside one that counts
    const v = ctx.core(file)!.violation('endAfterFailedStart');
    if (!v) return;
    const r = fn.returns[fn.returns.length - 1] ?? { loc: fn.loc, text: '' };
    const start = fn.events.find((e) => e.name === '->invalidate_range_start')!;
    const level = ctx.api.endAfterFailedStart ? `at API ${ctx.api.id}, which has c2655835fd8c` : `as every core before c2655835fd8c (5.12) did; the tree is API ${ctx.api.id}`;
    ctx.report({
      ...atLoc(file.file, r.loc),
      function: fn.name,
      messageId: 'noEndAfterFailedStart',
      data: { level, message: v.message },
      steps: [
        step({ file: file.file, loc: start.loc }, 'ops->invalidate_range_start(), which may fail with -EAGAIN', 'call'),
        step({ file: file.file, loc: r.loc }, `return ${r.text} with no ops->invalidate_range_end on any path`, 'return'),
        modelStep('model with this core, probes: an hlist notifier that may fail start, a start/end counter (as KVM)'),
        ...modelSteps(v),
        modelStep(`${v.invariant}: ${v.message}`),
      ],
      diagram: coreDiagram(v, 'model with this core'),
    });
  },
});
