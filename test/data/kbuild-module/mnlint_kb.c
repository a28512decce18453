// SPDX-License-Identifier: GPL-2.0
/*
 * mnlint's kbuild test module (written for mnlint, not kernel code): one
 * defect in a branch the x86_64 defconfig compiles out (CONFIG_KASAN), one
 * in a branch it compiles in.
 */
#include <linux/module.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>

static DEFINE_MUTEX(kb_lock);

static bool kb_invalidate(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range, unsigned long cur_seq)
{
#ifdef CONFIG_KASAN
	/* compiled out: sleeps whatever the range */
	mutex_lock(&kb_lock);
#else
	if (!mmu_notifier_range_blockable(range))
		return false;
	mutex_lock(&kb_lock);
#endif
	mmu_interval_set_seq(mni, cur_seq);
	mutex_unlock(&kb_lock);
	return true;
}

static const struct mmu_interval_notifier_ops kb_ops = {
	.invalidate = kb_invalidate,
};

static int kb_start(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
#ifndef CONFIG_MMU
	return 0;
#else
	/* compiled in: fails in blockable ranges too */
	if (!mutex_trylock(&kb_lock))
		return -EAGAIN;
	mutex_unlock(&kb_lock);
	return 0;
#endif
}

static const struct mmu_notifier_ops kb_mm_ops = {
	.invalidate_range_start = kb_start,
};

int mnlint_kb_insert(struct mmu_interval_notifier *n, struct mmu_notifier *mn, struct mm_struct *mm);

int mnlint_kb_insert(struct mmu_interval_notifier *n, struct mmu_notifier *mn, struct mm_struct *mm)
{
	mn->ops = &kb_mm_ops;
	return mmu_interval_notifier_insert(n, mm, 0, PAGE_SIZE, &kb_ops);
}
EXPORT_SYMBOL_GPL(mnlint_kb_insert);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mnlint kbuild test");
