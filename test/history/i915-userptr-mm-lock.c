// SPDX-License-Identifier: GPL-2.0
/*
 * Reduced from the shape of ed29c2691188 (own code): the hlist start drops an
 * object's pages, which takes the object's page lock; elsewhere that lock is
 * held (as a nested subclass) around an allocation that may reclaim, and
 * reclaim runs the start.
 */
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/slab.h>

struct gem_obj {
	struct {
		struct mutex lock;
		void **pages;
		void *vaddr;
	} mm;
};

struct gem_mn {
	struct mmu_notifier mn;
	struct gem_obj *obj;
};

static int gem_obj_put_pages(struct gem_obj *obj)
{
	// expect: reclaim-in-invalidation warning
	mutex_lock(&obj->mm.lock);
	kfree(obj->mm.pages);
	obj->mm.pages = NULL;
	mutex_unlock(&obj->mm.lock);
	return 0;
}

static void *gem_obj_map(struct gem_obj *obj, unsigned long n)
{
	void **pages = kvmalloc_array(n, sizeof(*pages), GFP_KERNEL);

	return pages;
}

void *gem_obj_pin_map(struct gem_obj *obj, unsigned long n)
{
	int err;

	err = mutex_lock_interruptible_nested(&obj->mm.lock, 1);
	if (err)
		return NULL;
	if (!obj->mm.vaddr)
		obj->mm.vaddr = gem_obj_map(obj, n);
	mutex_unlock(&obj->mm.lock);
	return obj->mm.vaddr;
}

static int gem_mn_start(struct mmu_notifier *_mn, const struct mmu_notifier_range *range)
{
	struct gem_mn *mn = container_of(_mn, struct gem_mn, mn);

	if (!mmu_notifier_range_blockable(range))
		return -EAGAIN;
	return gem_obj_put_pages(mn->obj);
}

static const struct mmu_notifier_ops gem_mn_ops = {
	.invalidate_range_start = gem_mn_start,
};
