// The members of the two ops structs and the roles the core gives them. This
// is the one home of these names: the API levels, the model, the abstract
// drivers, the rules and the survey take their lists from here, and
// test/layers.test.ts fails on a list of member names anywhere else.

/** `struct mmu_interval_notifier_ops`, 5.5 on (the two-pass pair from the March 2026 series). */
export const INTERVAL_MEMBERS = ['invalidate', 'invalidate_start', 'invalidate_finish'] as const;

/** `struct mmu_notifier_ops`, every member any level from 4.19 to 7.1 declares. */
export const HLIST_MEMBERS = [
  'release',
  'clear_flush_young',
  'clear_young',
  'test_young',
  'change_pte',
  'invalidate_range_start',
  'invalidate_range_end',
  'invalidate_range',
  'arch_invalidate_secondary_tlbs',
  'alloc_notifier',
  'free_notifier',
] as const;

export type IntervalMember = (typeof INTERVAL_MEMBERS)[number];
export type HlistMember = (typeof HLIST_MEMBERS)[number];
export type OpsMember = IntervalMember | HlistMember;
export type OpsStruct = 'mmu_notifier_ops' | 'mmu_interval_notifier_ops';

/** Members of `struct mmu_notifier_ops` at every level (4.19's set less the TLB hook). */
export const HLIST_BASE_MEMBERS: readonly HlistMember[] = ['release', 'clear_flush_young', 'clear_young', 'test_young', 'invalidate_range_start', 'invalidate_range_end'];
/** mmu_notifier_get/put's pair, 5.4 on. */
export const GET_PUT_MEMBERS: readonly HlistMember[] = ['alloc_notifier', 'free_notifier'];
/** The secondary-TLB hook: `invalidate_range` until 6.5, then `arch_invalidate_secondary_tlbs`. */
export const SECONDARY_TLB_MEMBERS = ['invalidate_range', 'arch_invalidate_secondary_tlbs'] as const satisfies readonly HlistMember[];
export type SecondaryTlbMember = (typeof SECONDARY_TLB_MEMBERS)[number];
/** The data member of `struct mmu_notifier_ops` in 4.19 (`int flags`, MMU_INVALIDATE_DOES_NOT_BLOCK), gone in 4.20. */
export const OPS_FLAGS_MEMBER = 'flags';
/** `struct mmu_interval_notifier_ops` as 5.5 declares it. */
export const INTERVAL_BASE_MEMBERS: readonly IntervalMember[] = ['invalidate'];
/** The two-pass pair of the interval ops. */
export const TWO_PASS_MEMBERS: readonly IntervalMember[] = ['invalidate_start', 'invalidate_finish'];

/** Callbacks the core calls while a range is invalidated (the first pass, and end). */
export const INVALIDATION_MEMBERS: Readonly<Record<OpsStruct, readonly OpsMember[]>> = {
  mmu_interval_notifier_ops: ['invalidate', 'invalidate_start'],
  mmu_notifier_ops: ['invalidate_range_start', 'invalidate_range_end'],
};

/** The callbacks a non-blockable range reaches and that may fail it (interval: the first pass; hlist: the start). */
export const FIRST_PASS_MEMBERS: Readonly<Record<OpsStruct, readonly OpsMember[]>> = {
  mmu_interval_notifier_ops: ['invalidate', 'invalidate_start'],
  mmu_notifier_ops: ['invalidate_range_start'],
};

/** Callbacks that run under a spinlock or from an SRCU callback: they never sleep. */
export const ATOMIC_MEMBERS: readonly OpsMember[] = ['arch_invalidate_secondary_tlbs', 'invalidate_range', 'free_notifier', 'clear_flush_young', 'clear_young', 'test_young', 'change_pte'];

/**
 * Callbacks the last mmput() runs in the task that calls it: exit_mmap() calls
 * mmu_notifier_release(), which invalidates every interval notifier
 * (mn_itree_release) and calls each hlist notifier's release before unhashing
 * it (mn_hlist_release); unmap_vmas() then invalidates the interval notifiers
 * again. The hlist invalidate_range_start/end are not reached: the list is
 * empty by then.
 */
export const EXIT_MMAP_MEMBERS: Readonly<Record<OpsStruct, readonly OpsMember[]>> = {
  mmu_interval_notifier_ops: ['invalidate', 'invalidate_start', 'invalidate_finish'],
  mmu_notifier_ops: ['release'],
};

/** Callbacks the core runs inside `__mmu_notifier_invalidate_range_start_map` (start, the finish pass, end): lockdep ties reclaim to them. */
export const UNDER_START_MAP_MEMBERS: readonly OpsMember[] = ['invalidate', 'invalidate_start', 'invalidate_finish', 'invalidate_range_start', 'invalidate_range_end'];

/** The callbacks whose failure is a non-zero errno; the others fail with false. */
export const ERRNO_MEMBERS: readonly OpsMember[] = ['invalidate_range_start'];

/** The callbacks the model's core calls (the others are not part of its state machine). */
export const MODEL_CALLBACKS = [
  'invalidate',
  'invalidate_start',
  'invalidate_finish',
  'invalidate_range_start',
  'invalidate_range_end',
  'release',
  'arch_invalidate_secondary_tlbs',
  'clear_flush_young',
  'clear_young',
  'test_young',
  'free_notifier',
] as const satisfies readonly OpsMember[];

export type CallbackName = (typeof MODEL_CALLBACKS)[number];

/** The model's callbacks that never sleep: the TLB hook, the age tests, free_notifier (SRCU). */
export const MODEL_ATOMIC_CALLBACKS = ['arch_invalidate_secondary_tlbs', 'clear_flush_young', 'clear_young', 'test_young', 'free_notifier'] as const satisfies readonly CallbackName[];
export type ModelAtomicCallback = (typeof MODEL_ATOMIC_CALLBACKS)[number];

/** Whether a name is a member of either ops struct. */
export function isOpsMember(name: string): name is OpsMember {
  return (INTERVAL_MEMBERS as readonly string[]).includes(name) || (HLIST_MEMBERS as readonly string[]).includes(name);
}
