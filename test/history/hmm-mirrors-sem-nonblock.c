// SPDX-License-Identifier: GPL-2.0
/*
 * Reduced from the hmm start before commit a3e0d41c2b1f ("mm/hmm: improve
 * driver API to work and wait over a range"): the start hands the range to a
 * helper that takes the mirrors rwsem for reading whatever the range says,
 * and only afterwards looks at blockability for the mirrors' -EAGAIN, so a
 * non-blockable start (the OOM reaper) may sleep on the rwsem. Written for
 * mnlint; the second start is the fixed shape (trylock on the non-blockable
 * path, -EAGAIN when it fails).
 */
#include <linux/mmu_notifier.h>

struct mirror_set {
	struct mmu_notifier mn;
	struct mmu_notifier fixed_mn;
	struct rw_semaphore mirrors_sem;
	int nr_mirrors;
};

static int mirrors_sync(struct mirror_set *s, bool blockable)
{
	int i;

	// expect: sleep-in-non-blockable-range
	down_read(&s->mirrors_sem);
	for (i = 0; i < s->nr_mirrors; i++) {
		if (!blockable) {
			up_read(&s->mirrors_sem);
			return -EAGAIN;
		}
	}
	up_read(&s->mirrors_sem);
	return 0;
}

static int set_invalidate_range_start(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
	struct mirror_set *s = container_of(mn, struct mirror_set, mn);

	return mirrors_sync(s, mmu_notifier_range_blockable(range));
}

static int set_fixed_invalidate_range_start(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
	struct mirror_set *s = container_of(mn, struct mirror_set, fixed_mn);

	if (mmu_notifier_range_blockable(range))
		down_read(&s->mirrors_sem);
	else if (!down_read_trylock(&s->mirrors_sem))
		return -EAGAIN;
	up_read(&s->mirrors_sem);
	return 0;
}

static const struct mmu_notifier_ops set_ops = {
	.invalidate_range_start = set_invalidate_range_start,
};

static const struct mmu_notifier_ops set_fixed_ops = {
	.invalidate_range_start = set_fixed_invalidate_range_start,
};
