// SPDX-License-Identifier: GPL-2.0
/*
 * Reduced from svm_range_cpu_invalidate_pagetables() as commit fa582c6f3684
 * ("drm/amdkfd: Use mmget_not_zero in MMU notifier") left it, before commit
 * a29e067bd389 ("drm/amdkfd: Don't call mmput from MMU notifier callback"):
 * if the process is exiting, the mmput() in the callback drops the last
 * reference and runs exit_mmap() inside the invalidation (deadlock, leaked
 * VRAM). The fix takes the reference where the work is queued and drops it
 * in the work. Written for mnlint.
 */
#include <linux/mmu_notifier.h>
#include <linux/sched/mm.h>

struct svm_range {
	struct mmu_interval_notifier notifier;
	struct mmu_interval_notifier fixed_notifier;
	struct mutex lock;
	struct mm_struct *work_mm;
};

static void svm_range_add_list_work(struct svm_range *prange, struct mm_struct *mm)
{
	if (!prange->work_mm && mmget_not_zero(mm))
		prange->work_mm = mm;
}

static bool svm_range_cpu_invalidate_pagetables(struct mmu_interval_notifier *mni,
						const struct mmu_notifier_range *range,
						unsigned long cur_seq)
{
	struct svm_range *prange = container_of(mni, struct svm_range, notifier);

	if (range->event == MMU_NOTIFY_RELEASE)
		return true;
	if (!mmu_notifier_range_blockable(range))
		return false;
	if (!mmget_not_zero(mni->mm))
		return true;
	mutex_lock(&prange->lock);
	mmu_interval_set_seq(mni, cur_seq);
	mutex_unlock(&prange->lock);
	// expect: remove-from-callback
	mmput(mni->mm);
	return true;
}

static bool svm_range_fixed_invalidate(struct mmu_interval_notifier *mni,
				       const struct mmu_notifier_range *range,
				       unsigned long cur_seq)
{
	struct svm_range *prange = container_of(mni, struct svm_range, fixed_notifier);

	if (range->event == MMU_NOTIFY_RELEASE)
		return true;
	if (!mmu_notifier_range_blockable(range))
		return false;
	mutex_lock(&prange->lock);
	mmu_interval_set_seq(mni, cur_seq);
	svm_range_add_list_work(prange, mni->mm);
	mutex_unlock(&prange->lock);
	// ok: remove-from-callback
	return true;
}

static const struct mmu_interval_notifier_ops svm_range_mn_ops = {
	.invalidate = svm_range_cpu_invalidate_pagetables,
};

static const struct mmu_interval_notifier_ops svm_range_fixed_ops = {
	.invalidate = svm_range_fixed_invalidate,
};
