// SPDX-License-Identifier: GPL-2.0
/*
 * Reduced from hmm_invalidate_range_start() before commit 5a136b4ae327
 * ("mm/hmm: Fix error flows in hmm_invalidate_range_start"): the blockable
 * flag is kept in a struct field (update.blockable) and handed to the mirror's
 * sync; its -EAGAIN lands in an inner `int ret` that shadows the one returned,
 * so the start reports success while "the device continues to touch the
 * pages". The mirror callback is a direct helper here. Written for mnlint.
 */
#include <linux/mmu_notifier.h>

struct hmm_update {
	unsigned long start;
	unsigned long end;
	bool blockable;
};

struct hmm_mirror {
	struct mmu_notifier mn;
	struct mmu_notifier fixed_mn;
	struct mutex device_lock;
};

static int dev_sync_cpu_device_pagetables(struct hmm_mirror *mirror, const struct hmm_update *update)
{
	if (update->blockable)
		mutex_lock(&mirror->device_lock);
	else if (!mutex_trylock(&mirror->device_lock))
		return -EAGAIN;
	dev_zap(mirror, update->start, update->end);
	mutex_unlock(&mirror->device_lock);
	return 0;
}

static int hmm_invalidate_range_start(struct mmu_notifier *mn, const struct mmu_notifier_range *nrange)
{
	struct hmm_mirror *mirror = container_of(mn, struct hmm_mirror, mn);
	struct hmm_update update;
	int ret = 0;

	update.start = nrange->start;
	update.end = nrange->end;
	update.blockable = mmu_notifier_range_blockable(nrange);
	if (mirror) {
		int ret;

		ret = dev_sync_cpu_device_pagetables(mirror, &update);
		if (!update.blockable && ret == -EAGAIN) {
			ret = -EAGAIN;
			goto out;
		}
	}
out:
	// expect: helper-failure-swallowed
	return ret;
}

static int hmm_fixed_invalidate_range_start(struct mmu_notifier *mn, const struct mmu_notifier_range *nrange)
{
	struct hmm_mirror *mirror = container_of(mn, struct hmm_mirror, fixed_mn);
	struct hmm_update update;
	int ret = 0;

	update.start = nrange->start;
	update.end = nrange->end;
	update.blockable = mmu_notifier_range_blockable(nrange);
	if (mirror) {
		int rc;

		rc = dev_sync_cpu_device_pagetables(mirror, &update);
		if (rc) {
			ret = rc;
			goto out;
		}
	}
out:
	// ok: helper-failure-swallowed
	return ret;
}

static const struct mmu_notifier_ops hmm_mmu_notifier_ops = {
	.invalidate_range_start = hmm_invalidate_range_start,
};

static const struct mmu_notifier_ops hmm_fixed_ops = {
	.invalidate_range_start = hmm_fixed_invalidate_range_start,
};
