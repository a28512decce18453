// SPDX-License-Identifier: GPL-2.0
/*
 * Reduced from the hmm end before commit 5a136b4ae327 ("mm/hmm: Fix error
 * flows in hmm_invalidate_range_start"): the end lowers the count of running
 * invalidations under a mutex, but an end that follows a non-blockable start
 * runs where nothing may sleep. Written for mnlint; the second notifier is
 * the fixed shape (the count under a spinlock).
 */
#include <linux/mmu_notifier.h>

struct tracker {
	struct mmu_notifier mn;
	struct mmu_notifier fixed_mn;
	struct mutex lock;
	spinlock_t ranges_lock;
	long notifiers;
	wait_queue_head_t wq;
};

static void tracker_invalidate_range_end(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
	struct tracker *t = container_of(mn, struct tracker, mn);

	// expect: sleep-in-non-blockable-range
	mutex_lock(&t->lock);
	if (!--t->notifiers)
		wake_up_all(&t->wq);
	mutex_unlock(&t->lock);
}

static void tracker_fixed_invalidate_range_end(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
	struct tracker *t = container_of(mn, struct tracker, fixed_mn);
	unsigned long flags;

	spin_lock_irqsave(&t->ranges_lock, flags);
	if (!--t->notifiers)
		wake_up_all(&t->wq);
	spin_unlock_irqrestore(&t->ranges_lock, flags);
}

static const struct mmu_notifier_ops tracker_ops = {
	.invalidate_range_end = tracker_invalidate_range_end,
};

static const struct mmu_notifier_ops tracker_fixed_ops = {
	.invalidate_range_end = tracker_fixed_invalidate_range_end,
};
