// SPDX-License-Identifier: GPL-2.0
/*
 * Reduced from ib_umem_odp_map_dma_and_lock() as commit 36f30e486dce
 * ("IB/core: Improve ODP to use hmm_range_fault()") left it, before commit
 * 85eaeb5058f0 ("IB/core: Fix a nested dead lock as part of ODP flow").
 * Written for mnlint: the fault returns holding the umem mutex and drops its
 * mm reference with mmput() under it. When that is the last reference,
 * exit_mmap() -> mmu_notifier_release() runs the invalidate callback below
 * (the driver's, in another directory of the real tree), which takes the
 * same mutex, in this task. The fixed twin drops it with mmput_async().
 */
#include <linux/hmm.h>
#include <linux/mmu_notifier.h>
#include <linux/sched/mm.h>

struct drv_umem {
	struct mmu_interval_notifier notifier;
	struct mutex umem_mutex;
	struct mutex stat_mutex;
	struct mm_struct *owning_mm;
	unsigned long *pfns;
	unsigned long faults;
};

static bool drv_umem_invalidate(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
				unsigned long cur_seq)
{
	struct drv_umem *umem = container_of(mni, struct drv_umem, notifier);

	if (!mmu_notifier_range_blockable(range))
		return false;
	mutex_lock(&umem->umem_mutex);
	mmu_interval_set_seq(mni, cur_seq);
	umem->pfns[0] = 0;
	mutex_unlock(&umem->umem_mutex);
	return true;
}

const struct mmu_interval_notifier_ops drv_umem_ops = {
	.invalidate = drv_umem_invalidate,
};

int drv_umem_init(struct drv_umem *umem, unsigned long start, unsigned long len,
		  const struct mmu_interval_notifier_ops *ops)
{
	mutex_init(&umem->umem_mutex);
	return mmu_interval_notifier_insert(&umem->notifier, umem->owning_mm, start, len, ops);
}

/* returns holding umem_mutex on success */
int drv_umem_map_and_lock(struct drv_umem *umem, struct hmm_range *range)
{
	struct mm_struct *mm = umem->owning_mm;
	int ret;

	if (!mmget_not_zero(mm))
		return -EINVAL;
retry:
	range->notifier_seq = mmu_interval_read_begin(&umem->notifier);
	mmap_read_lock(mm);
	ret = hmm_range_fault(range);
	mmap_read_unlock(mm);
	if (ret)
		goto out_put_mm;
	mutex_lock(&umem->umem_mutex);
	if (mmu_interval_read_retry(&umem->notifier, range->notifier_seq)) {
		mutex_unlock(&umem->umem_mutex);
		goto retry;
	}
	umem->pfns[0] = range->hmm_pfns[0];
out_put_mm:
	// expect: remove-from-callback warning
	mmput(mm);
	return ret;
}

/* the fix: the last reference is put from a work item */
int drv_umem_map_and_lock_fixed(struct drv_umem *umem, struct hmm_range *range)
{
	struct mm_struct *mm = umem->owning_mm;
	int ret;

	if (!mmget_not_zero(mm))
		return -EINVAL;
retry:
	range->notifier_seq = mmu_interval_read_begin(&umem->notifier);
	mmap_read_lock(mm);
	ret = hmm_range_fault(range);
	mmap_read_unlock(mm);
	if (ret)
		goto out_put_mm;
	mutex_lock(&umem->umem_mutex);
	if (mmu_interval_read_retry(&umem->notifier, range->notifier_seq)) {
		mutex_unlock(&umem->umem_mutex);
		goto retry;
	}
	umem->pfns[0] = range->hmm_pfns[0];
out_put_mm:
	// ok: remove-from-callback
	mmput_async(mm);
	return ret;
}

/* stat_mutex is held over mmput(), but no callback takes it */
int drv_umem_count(struct drv_umem *umem, struct hmm_range *range)
{
	struct mm_struct *mm = umem->owning_mm;
	int ret;

	if (!mmget_not_zero(mm))
		return -EINVAL;
	range->notifier_seq = mmu_interval_read_begin(&umem->notifier);
	mmap_read_lock(mm);
	ret = hmm_range_fault(range);
	mmap_read_unlock(mm);
	mutex_lock(&umem->stat_mutex);
	if (!mmu_interval_read_retry(&umem->notifier, range->notifier_seq))
		umem->faults++;
	// ok: remove-from-callback
	mmput(mm);
	mutex_unlock(&umem->stat_mutex);
	return ret;
}
