// SPDX-License-Identifier: GPL-2.0
/*
 * Reduced from KVM arm64 before commit b5331379bc62 ("KVM: arm64: Only
 * reschedule if MMU_NOTIFIER_RANGE_BLOCKABLE is not set"): the start walks
 * the range with a handler passed as an argument, and the handler's unmap
 * reschedules with cond_resched_lock() whatever the range. Written for
 * mnlint; the second notifier fails a non-blockable range before the walk.
 * (The fix itself hands the range's flags to the handler through its `data`
 * pointer, which mnlint does not follow.)
 */
#include <linux/mmu_notifier.h>

struct vm {
	struct mmu_notifier mn;
	struct mmu_notifier fixed_mn;
	spinlock_t mmu_lock;
};

static int vm_for_each_range(struct vm *vm, unsigned long start, unsigned long end,
			     int (*handler)(struct vm *vm, unsigned long gpa, unsigned long size, void *data),
			     void *data)
{
	unsigned long gpa;
	int ret = 0;

	for (gpa = start; gpa < end; gpa += PAGE_SIZE)
		ret |= handler(vm, gpa, PAGE_SIZE, data);
	return ret;
}

static void vm_unmap_range(struct vm *vm, unsigned long start, unsigned long size)
{
	unsigned long addr;

	for (addr = start; addr < start + size; addr += PAGE_SIZE)
		// expect: sleep-in-non-blockable-range
		cond_resched_lock(&vm->mmu_lock);
}

static int vm_unmap_handler(struct vm *vm, unsigned long gpa, unsigned long size, void *data)
{
	vm_unmap_range(vm, gpa, size);
	return 0;
}

static int vm_invalidate_range_start(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
	struct vm *vm = container_of(mn, struct vm, mn);

	spin_lock(&vm->mmu_lock);
	vm_for_each_range(vm, range->start, range->end, &vm_unmap_handler, NULL);
	spin_unlock(&vm->mmu_lock);
	return 0;
}

static int vm_fixed_invalidate_range_start(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
	struct vm *vm = container_of(mn, struct vm, fixed_mn);

	if (!mmu_notifier_range_blockable(range))
		return -EAGAIN;
	spin_lock(&vm->mmu_lock);
	vm_for_each_range(vm, range->start, range->end, &vm_unmap_handler, NULL);
	spin_unlock(&vm->mmu_lock);
	return 0;
}

static const struct mmu_notifier_ops vm_ops = {
	.invalidate_range_start = vm_invalidate_range_start,
};

static const struct mmu_notifier_ops vm_fixed_ops = {
	.invalidate_range_start = vm_fixed_invalidate_range_start,
};
