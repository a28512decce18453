// SPDX-License-Identifier: MIT
/*
 * Reduced from drivers/gpu/drm/xe/xe_hmm.c before 0a98219bcc96 ("drm/xe/hmm:
 * Don't dereference struct page pointers without notifier lock", Thomas
 * Hellström, 2025): the userptr populate path faulted the range, then built
 * its table from the pages and marked them dirty and accessed with neither
 * the notifier lock held nor mmu_interval_read_retry() checked; the retry
 * came later, elsewhere. By then an invalidation may have freed the pages.
 * Written for mnlint; the names are the driver's, the code is not.
 */
#include <linux/hmm.h>
#include <linux/mmu_notifier.h>

struct xe_userptr {
	struct mmu_interval_notifier notifier;
	unsigned long notifier_seq;
};

static void xe_touch_range(struct hmm_range *range, unsigned long npages, bool write)
{
	unsigned long i;

	for (i = 0; i < npages; i++) {
		struct page *page = hmm_pfn_to_page(range->hmm_pfns[i]);

		if (write)
			// expect: pfns-used-before-retry
			set_page_dirty_lock(page);
		// expect: pfns-used-before-retry
		mark_page_accessed(page);
	}
}

int xe_userptr_populate(struct xe_userptr *userptr, struct hmm_range *range, unsigned long npages, bool write)
{
	int ret;

	range->notifier = &userptr->notifier;
	range->notifier_seq = mmu_interval_read_begin(&userptr->notifier);
	mmap_read_lock(userptr->notifier.mm);
	ret = hmm_range_fault(range);
	mmap_read_unlock(userptr->notifier.mm);
	if (ret)
		return ret;
	xe_touch_range(range, npages, write);
	userptr->notifier_seq = range->notifier_seq;
	return 0;
}
