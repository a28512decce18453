// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reduced from mm/mmu_notifier.c before c2655835fd8c ("mm/mmu_notifiers:
 * ensure range_end() is paired with range_start()", Sean Christopherson,
 * 2021; Fixes: 93065ac753e4 "mm, oom: distinguish blockable mode for mmu
 * notifiers"): with two subscribers on one mm, one failing a non-blockable
 * start and one counting start/end (KVM's mmu_notifier_count), the failed
 * start returned without an end for the one that had started. Only the
 * model with several subscribers shows it. Written for mnlint.
 */
#include <linux/mmu_notifier.h>

static int mn_hlist_invalidate_range_start(struct mmu_notifier_subscriptions *subs,
					   struct mmu_notifier_range *range)
{
	struct mmu_notifier *sub;
	int idx, err, failed = 0;

	idx = srcu_read_lock(&srcu);
	hlist_for_each_entry_rcu(sub, &subs->list, hlist, srcu_read_lock_held(&srcu)) {
		const struct mmu_notifier_ops *ops = sub->ops;

		if (!ops->invalidate_range_start)
			continue;
		err = ops->invalidate_range_start(sub, range);
		if (err && !failed)
			failed = err;
	}
	srcu_read_unlock(&srcu, idx);
	// expect: core-end-after-failed-start
	return failed;
}
