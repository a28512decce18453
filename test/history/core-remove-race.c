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

static void mn_itree_inv_end(struct mmu_notifier_subscriptions *subscriptions)
{
	struct mmu_interval_notifier *interval_sub;
	struct hlist_node *next;

	spin_lock(&subscriptions->lock);
	if (--subscriptions->active_invalidate_ranges ||
	    !mn_itree_is_invalidating(subscriptions)) {
		spin_unlock(&subscriptions->lock);
		return;
	}
	subscriptions->invalidate_seq++;
	hlist_for_each_entry_safe(interval_sub, next, &subscriptions->deferred_list, deferred_item) {
		if (RB_EMPTY_NODE(&interval_sub->interval_tree.rb))
			interval_tree_insert(&interval_sub->interval_tree, &subscriptions->itree);
		else
			interval_tree_remove(&interval_sub->interval_tree, &subscriptions->itree);
		hlist_del(&interval_sub->deferred_item);
	}
	spin_unlock(&subscriptions->lock);
	wake_up_all(&subscriptions->wq);
}

void mmu_interval_notifier_remove(struct mmu_interval_notifier *interval_sub)
{
	struct mmu_notifier_subscriptions *subscriptions = interval_sub->mm->notifier_subscriptions;
	unsigned long seq = 0;

	spin_lock(&subscriptions->lock);
	if (mn_itree_is_invalidating(subscriptions)) {
		if (RB_EMPTY_NODE(&interval_sub->interval_tree.rb)) {
			hlist_del(&interval_sub->deferred_item);
		} else {
			hlist_add_head(&interval_sub->deferred_item, &subscriptions->deferred_list);
			seq = subscriptions->invalidate_seq;
		}
	} else {
		interval_tree_remove(&interval_sub->interval_tree, &subscriptions->itree);
	}
	spin_unlock(&subscriptions->lock);
	if (seq)
		// expect: core-sequence-state
		wait_event(subscriptions->wq, READ_ONCE(subscriptions->invalidate_seq) != seq);
}
