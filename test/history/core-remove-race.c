// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reduced from mm/mmu_notifier.c before 319561669a59 ("mm/mmu_notifier.c:
 * fix race in mmu_interval_notifier_remove()", Alistair Popple, 2022;
 * Fixes: 99cb252f5e68 "mm/mmu_notifier: add an interval tree notifier").
 * mn_itree_inv_end() makes the sequence even first and walks the deferred
 * list after, under the lock; mmu_interval_notifier_remove() waits on a
 * lockless read of the sequence, so it can return while its subscription is
 * still on the list being walked, and the caller frees it. The fix reads the
 * sequence under the lock (mmu_interval_seq_released()). Written for mnlint.
 */
#include <linux/mmu_notifier.h>

static void mn_itree_inv_end(struct mmu_notifier_subscriptions *subs)
{
	struct mmu_interval_notifier *sub;
	struct hlist_node *tmp;

	spin_lock(&subs->lock);
	subs->active_invalidate_ranges--;
	if (subs->active_invalidate_ranges || !(subs->invalidate_seq & 1)) {
		spin_unlock(&subs->lock);
		return;
	}
	/* even again first: a lockless reader of the sequence may go now */
	subs->invalidate_seq++;
	hlist_for_each_entry_safe(sub, tmp, &subs->deferred_list, deferred_item) {
		hlist_del(&sub->deferred_item);
		if (!RB_EMPTY_NODE(&sub->interval_tree.rb))
			interval_tree_remove(&sub->interval_tree, &subs->itree);
		else
			interval_tree_insert(&sub->interval_tree, &subs->itree);
	}
	spin_unlock(&subs->lock);
	wake_up_all(&subs->wq);
}

void mmu_interval_notifier_remove(struct mmu_interval_notifier *sub)
{
	struct mmu_notifier_subscriptions *subs = sub->mm->notifier_subscriptions;
	unsigned long wait_seq = 0;

	spin_lock(&subs->lock);
	if (!(subs->invalidate_seq & 1)) {
		interval_tree_remove(&sub->interval_tree, &subs->itree);
	} else if (!RB_EMPTY_NODE(&sub->interval_tree.rb)) {
		hlist_add_head(&sub->deferred_item, &subs->deferred_list);
		wait_seq = subs->invalidate_seq;
	} else {
		hlist_del(&sub->deferred_item);
	}
	spin_unlock(&subs->lock);
	if (wait_seq)
		// expect: core-sequence-state
		wait_event(subs->wq, READ_ONCE(subs->invalidate_seq) != wait_seq);
}
