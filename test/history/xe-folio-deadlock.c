// SPDX-License-Identifier: MIT
/*
 * Reduced from drivers/gpu/drm/xe/xe_hmm.c and xe_vm.c before "drm/xe/userptr:
 * fix notifier vs folio deadlock" (Matthew Auld, 2025, Message-Id
 * <20250414132539.26654-2-matthew.auld@intel.com>, Fixes: 0a98219bcc96; the
 * stored shortlog names it 2577b202458c): after 0a98219bcc96 the pages were
 * marked dirty under the notifier lock, after the retry. set_page_dirty_lock()
 * takes the folio lock; migrate_pages_batch() holds folio locks and calls the
 * notifier, whose callback waits for the notifier lock: ABBA. The fix drops
 * the marking (hmm_range_fault() already did it). Written for mnlint.
 */
#include <linux/hmm.h>
#include <linux/mmu_notifier.h>

struct xe_vm {
	struct rw_semaphore notifier_lock;
};

struct xe_userptr {
	struct mmu_interval_notifier notifier;
	struct xe_vm *vm;
	unsigned long notifier_seq;
};

static bool xe_userptr_invalidate(struct mmu_interval_notifier *mni,
				  const struct mmu_notifier_range *range,
				  unsigned long cur_seq)
{
	struct xe_userptr *userptr = container_of(mni, struct xe_userptr, notifier);

	if (!mmu_notifier_range_blockable(range))
		return false;
	down_write(&userptr->vm->notifier_lock);
	mmu_interval_set_seq(mni, cur_seq);
	xe_userptr_stop_gpu(userptr);
	up_write(&userptr->vm->notifier_lock);
	return true;
}

static const struct mmu_interval_notifier_ops xe_userptr_ops = {
	.invalidate = xe_userptr_invalidate,
};

int xe_userptr_populate(struct xe_userptr *userptr, struct hmm_range *range, unsigned long npages, bool write)
{
	unsigned long i;
	int ret;

	range->notifier_seq = mmu_interval_read_begin(&userptr->notifier);
	ret = hmm_range_fault(range);
	if (ret)
		return ret;
	ret = down_read_interruptible(&userptr->vm->notifier_lock);
	if (ret)
		return ret;
	if (mmu_interval_read_retry(&userptr->notifier, range->notifier_seq)) {
		up_read(&userptr->vm->notifier_lock);
		return -EAGAIN;
	}
	for (i = 0; i < npages; i++)
		if (write)
			// expect: page-lock-under-notifier-lock
			set_page_dirty_lock(hmm_pfn_to_page(range->hmm_pfns[i]));
	userptr->notifier_seq = range->notifier_seq;
	up_read(&userptr->vm->notifier_lock);
	return 0;
}
