// SPDX-License-Identifier: GPL-2.0
/*
 * Reduced from ib_umem_notifier_invalidate_range_start() as it stood after
 * commit ca748c39ea3f ("RDMA/umem: Get rid of per_mm->notifier_count") and
 * before commit f25a546e6529 ("RDMA/odp: Use mmu_interval_notifier_insert()"):
 * umem_rwsem is taken in the start and released in the end, so a nested
 * invalidation (zap_page_range -> __split_huge_page_pmd) takes it again and
 * deadlocks behind a writer. Written for mnlint; the second notifier is the
 * fixed shape, which takes and releases its lock inside the callback.
 */
#include <linux/mmu_notifier.h>

struct per_mm {
	struct mmu_notifier mn;
	struct mmu_interval_notifier notifier;
	struct rw_semaphore umem_rwsem;
	struct mutex umem_mutex;
	bool active;
};

static int umem_invalidate_one(struct per_mm *per_mm, const struct mmu_notifier_range *range);

static int ib_umem_notifier_invalidate_range_start(struct mmu_notifier *mn,
						   const struct mmu_notifier_range *range)
{
	struct per_mm *per_mm = container_of(mn, struct per_mm, mn);
	int rc;

	if (mmu_notifier_range_blockable(range))
		down_read(&per_mm->umem_rwsem);
	else if (!down_read_trylock(&per_mm->umem_rwsem))
		return -EAGAIN;

	if (!per_mm->active) {
		up_read(&per_mm->umem_rwsem);
		return 0;
	}

	rc = umem_invalidate_one(per_mm, range);
	if (rc)
		up_read(&per_mm->umem_rwsem);
	// expect: lock-held-at-return
	return rc;
}

static void ib_umem_notifier_invalidate_range_end(struct mmu_notifier *mn,
						  const struct mmu_notifier_range *range)
{
	struct per_mm *per_mm = container_of(mn, struct per_mm, mn);

	if (unlikely(!per_mm->active))
		return;
	up_read(&per_mm->umem_rwsem);
}

static bool odp_invalidate(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	struct per_mm *per_mm = container_of(mni, struct per_mm, notifier);

	if (!mmu_notifier_range_blockable(range))
		return false;
	mutex_lock(&per_mm->umem_mutex);
	mmu_interval_set_seq(mni, cur_seq);
	umem_zap(per_mm, range->start, range->end);
	mutex_unlock(&per_mm->umem_mutex);
	// ok: lock-held-at-return
	return true;
}

static const struct mmu_notifier_ops ib_umem_notifiers = {
	.invalidate_range_start = ib_umem_notifier_invalidate_range_start,
	// expect: range-end-with-failing-start
	.invalidate_range_end = ib_umem_notifier_invalidate_range_end,
};

static const struct mmu_interval_notifier_ops odp_ops = {
	.invalidate = odp_invalidate,
};
