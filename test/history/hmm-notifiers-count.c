// SPDX-License-Identifier: GPL-2.0
/*
 * Reduced from hmm_invalidate_range_start() before commit 5a136b4ae327
 * ("mm/hmm: Fix error flows in hmm_invalidate_range_start"): the notifiers
 * count is raised, then a failed trylock of mirrors_sem returns -EAGAIN, and
 * the core calls no invalidate_range_end for it, so the count stays raised
 * ("notifiers becoming permanently incremented and deadlock"). Written for
 * mnlint; the second callback is the fixed shape.
 */
#include <linux/mmu_notifier.h>

struct hmm {
	struct mmu_notifier mmu_notifier;
	struct mmu_notifier fixed_notifier;
	spinlock_t ranges_lock;
	struct rw_semaphore mirrors_sem;
	long notifiers;
};

static int hmm_invalidate_range_start(struct mmu_notifier *mn, const struct mmu_notifier_range *nrange)
{
	struct hmm *hmm = container_of(mn, struct hmm, mmu_notifier);
	int ret = 0;

	spin_lock(&hmm->ranges_lock);
	hmm->notifiers++;
	spin_unlock(&hmm->ranges_lock);

	if (mmu_notifier_range_blockable(nrange))
		down_read(&hmm->mirrors_sem);
	else if (!down_read_trylock(&hmm->mirrors_sem)) {
		ret = -EAGAIN;
		goto out;
	}
	up_read(&hmm->mirrors_sem);
out:
	// expect: failed-start-leaves-state
	return ret;
}

static int hmm_fixed_invalidate_range_start(struct mmu_notifier *mn, const struct mmu_notifier_range *nrange)
{
	struct hmm *hmm = container_of(mn, struct hmm, fixed_notifier);

	spin_lock(&hmm->ranges_lock);
	hmm->notifiers++;
	spin_unlock(&hmm->ranges_lock);

	if (mmu_notifier_range_blockable(nrange)) {
		down_read(&hmm->mirrors_sem);
	} else if (!down_read_trylock(&hmm->mirrors_sem)) {
		spin_lock(&hmm->ranges_lock);
		hmm->notifiers--;
		spin_unlock(&hmm->ranges_lock);
		// ok: failed-start-leaves-state
		return -EAGAIN;
	}
	up_read(&hmm->mirrors_sem);
	return 0;
}

static void hmm_invalidate_range_end(struct mmu_notifier *mn, const struct mmu_notifier_range *nrange)
{
	struct hmm *hmm = container_of(mn, struct hmm, mmu_notifier);

	spin_lock(&hmm->ranges_lock);
	hmm->notifiers--;
	spin_unlock(&hmm->ranges_lock);
}

static const struct mmu_notifier_ops hmm_mmu_notifier_ops = {
	.invalidate_range_start = hmm_invalidate_range_start,
	// expect: range-end-with-failing-start
	.invalidate_range_end = hmm_invalidate_range_end,
};

static const struct mmu_notifier_ops hmm_fixed_ops = {
	.invalidate_range_start = hmm_fixed_invalidate_range_start,
};
