// SPDX-License-Identifier: GPL-2.0
/* Not in Kbuild: kbuild never compiles it, so never checks it. */
#include <linux/mmu_notifier.h>

static bool unbuilt_invalidate(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range, unsigned long cur_seq)
{
	return false;
}

static const struct mmu_interval_notifier_ops unbuilt_ops = {
	.invalidate = unbuilt_invalidate,
};
