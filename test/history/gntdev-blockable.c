// SPDX-License-Identifier: GPL-2.0
/*
 * Reduced from mn_invl_range_start() in drivers/xen/gntdev.c before the patch
 * "xen/gntdev: fix up blockable calls to mn_invl_range_start" (Michal Hocko,
 * linux-mm, 2018-08-27, Message-Id <20180827112623.8992-2-mhocko@kernel.org>,
 * "Fixes: 93065ac753e4"; merged for v4.19, its commit id is not in the stored
 * archives): the in_range() check returned -EAGAIN "regardless of the
 * blockable mode and as such they would fail all the time for regular calls".
 * The fix moves the decision into the helper, which fails only when the range
 * is not blockable: the caller is right only through the helper's return
 * conditions. Written for mnlint in the range API of today.
 */
#include <linux/mmu_notifier.h>

struct gntdev_grant_map {
	struct list_head next;
	struct completion unmapped;
	unsigned long start;
	unsigned long end;
};

struct gntdev_priv {
	struct mmu_notifier mn;
	struct mmu_notifier fixed_mn;
	struct mutex lock;
	struct list_head maps;
};

static bool in_range(struct gntdev_grant_map *map, unsigned long start, unsigned long end)
{
	return map->start < end && start < map->end;
}

static void unmap_grant_pages(struct gntdev_grant_map *map)
{
	gnttab_unmap_refs_async(map);
	wait_for_completion(&map->unmapped);
}

static int mn_invl_range_start(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
	struct gntdev_priv *priv = container_of(mn, struct gntdev_priv, mn);
	struct gntdev_grant_map *map;
	int ret = 0;

	if (mmu_notifier_range_blockable(range))
		mutex_lock(&priv->lock);
	else if (!mutex_trylock(&priv->lock))
		return -EAGAIN;

	list_for_each_entry(map, &priv->maps, next) {
		if (in_range(map, range->start, range->end)) {
			ret = -EAGAIN;
			goto out_unlock;
		}
	}
out_unlock:
	mutex_unlock(&priv->lock);
	// expect: false-return-in-blockable-range
	return ret;
}

static int unmap_if_in_range(struct gntdev_grant_map *map, unsigned long start, unsigned long end,
			     bool blockable)
{
	if (!in_range(map, start, end))
		return 0;
	if (!blockable)
		return -EAGAIN;
	// ok: sleep-in-non-blockable-range
	unmap_grant_pages(map);
	return 0;
}

static int mn_fixed_invl_range_start(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
	struct gntdev_priv *priv = container_of(mn, struct gntdev_priv, fixed_mn);
	struct gntdev_grant_map *map;
	int ret = 0;

	if (mmu_notifier_range_blockable(range))
		mutex_lock(&priv->lock);
	else if (!mutex_trylock(&priv->lock))
		return -EAGAIN;

	list_for_each_entry(map, &priv->maps, next) {
		ret = unmap_if_in_range(map, range->start, range->end, mmu_notifier_range_blockable(range));
		if (ret)
			goto out_unlock;
	}
out_unlock:
	mutex_unlock(&priv->lock);
	// ok: false-return-in-blockable-range
	return ret;
}

static const struct mmu_notifier_ops gntdev_mmu_ops = {
	.invalidate_range_start = mn_invl_range_start,
};

static const struct mmu_notifier_ops gntdev_fixed_mmu_ops = {
	.invalidate_range_start = mn_fixed_invl_range_start,
};
