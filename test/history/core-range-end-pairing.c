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

static int mn_hlist_invalidate_range_start(struct mmu_notifier_subscriptions *subscriptions,
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

			if (_ret) {
				WARN_ON(mmu_notifier_range_blockable(range) || _ret != -EAGAIN);
				ret = _ret;
			}
		}
	}
	srcu_read_unlock(&srcu, id);
	// expect: core-end-after-failed-start
	return ret;
}
