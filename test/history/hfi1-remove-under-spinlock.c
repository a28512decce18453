// SPDX-License-Identifier: GPL-2.0
/*
 * Reduced from hfi1's mmu_rb invalidation before commit b85ced91511f
 * ("IB/hfi1: Consistently call ops->remove outside spinlock"): under the
 * handler's spinlock the notifier removed the invalidated nodes, and the
 * remove path released the user pages, taking the mmap lock ("this would
 * attempt to acquire the mmap_sem under a spin lock"). The fix defers the
 * removes until the lock is dropped. The ops->remove pointer is a direct
 * call here. Written for mnlint.
 */
#include <linux/mmu_notifier.h>

struct mmu_rb_handler {
	struct mmu_notifier mn;
	struct mmu_notifier fixed_mn;
	spinlock_t lock;
	struct list_head del_list;
	struct mm_struct *mm;
};

struct mmu_rb_node {
	struct list_head list;
	unsigned long addr;
};

static void sdma_rb_remove(struct mmu_rb_handler *handler, struct mmu_rb_node *node)
{
	// expect: sleep-under-spinlock warning
	down_write(&handler->mm->mmap_lock);
	hfi1_release_user_pages(handler->mm, node);
	up_write(&handler->mm->mmap_lock);
}

static int mmu_notifier_range_start(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
	struct mmu_rb_handler *handler = container_of(mn, struct mmu_rb_handler, mn);
	struct mmu_rb_node *node;
	unsigned long flags;

	if (!mmu_notifier_range_blockable(range))
		return -EAGAIN;
	spin_lock_irqsave(&handler->lock, flags);
	node = mmu_rb_first(handler, range->start, range->end);
	if (node)
		sdma_rb_remove(handler, node);
	spin_unlock_irqrestore(&handler->lock, flags);
	return 0;
}

static int mmu_notifier_fixed_range_start(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
	struct mmu_rb_handler *handler = container_of(mn, struct mmu_rb_handler, fixed_mn);
	struct mmu_rb_node *node;
	unsigned long flags;

	if (!mmu_notifier_range_blockable(range))
		return -EAGAIN;
	spin_lock_irqsave(&handler->lock, flags);
	node = mmu_rb_first(handler, range->start, range->end);
	if (node)
		list_move(&node->list, &handler->del_list);
	spin_unlock_irqrestore(&handler->lock, flags);
	if (node)
		// ok: sleep-under-spinlock
		sdma_rb_remove(handler, node);
	return 0;
}

static const struct mmu_notifier_ops mn_opts = {
	.invalidate_range_start = mmu_notifier_range_start,
};

static const struct mmu_notifier_ops mn_fixed_opts = {
	.invalidate_range_start = mmu_notifier_fixed_range_start,
};
