// The calls that sleep: the sleeping primitives and the core kernel's
// functions documented to sleep. Read from the primitives' headers
// (include/linux/kernel.h's might_sleep(), sched.h, mutex.h, rwsem.h,
// semaphore.h, completion.h, delay.h, wait.h, wait_bit.h) and from the core
// functions' bodies. Plain data: the parser classifies a call with it.

/**
 * The sleeping primitives: a function sleeps when it calls one of these, a
 * reclaiming allocation, or a function that sleeps (the summaries derive that
 * through every body mnlint finds in the tree, however deep).
 */
export const SLEEPING_PRIMITIVES = [
  'might_sleep',
  'cond_resched',
  'schedule',
  'schedule_timeout',
  'schedule_timeout_interruptible',
  'schedule_timeout_uninterruptible',
  'schedule_timeout_killable',
  'io_schedule',
  'mutex_lock',
  'mutex_lock_interruptible',
  'mutex_lock_killable',
  'mutex_lock_nested',
  'mutex_lock_interruptible_nested',
  'mutex_lock_killable_nested',
  'mutex_lock_io',
  'down',
  'down_interruptible',
  'down_killable',
  'down_timeout',
  'down_read',
  'down_write',
  'down_read_killable',
  'down_write_killable',
  'down_read_interruptible',
  'down_read_nested',
  'down_write_nested',
  'ww_mutex_lock',
  'ww_mutex_lock_interruptible',
  'wait_for_completion',
  'wait_for_completion_timeout',
  'wait_for_completion_interruptible',
  'wait_for_completion_killable',
  'wait_for_completion_io',
  'msleep',
  'msleep_interruptible',
  'ssleep',
  'usleep_range',
  'usleep_range_state',
  'fsleep',
];

/**
 * The checks CONFIG_DEBUG_ATOMIC_SLEEP builds into might_sleep() and
 * cond_resched*() (include/linux/kernel.h, sched.h): `__might_sleep()`,
 * 4.x-5.x's `___might_sleep()` and 5.16's `__might_resched()` print "BUG:
 * sleeping function called from invalid context". Their own bodies do not
 * sleep; a call of one says that its caller may (a macro expanding to one,
 * such as cond_resched_lock(), sleeps).
 */
export const SLEEP_CHECKS: ReadonlySet<string> = new Set(['__might_sleep', '___might_sleep', '__might_resched']);

/**
 * Functions of the core kernel (mm/, kernel/, drivers/dma-buf/, fs/) that sleep
 * and that the derivation from the kernel's code (parser/derive-facts.ts) does
 * not find: their sleep is under a condition or in a loop (synchronize_rcu(),
 * cancel_work_sync(), mmu_interval_read_begin()), behind a macro (vmalloc()),
 * in arch code (copy_from_user()) or outside the derived areas (fs/,
 * drivers/dma-buf/). Each is documented to sleep. The ones the derivation finds
 * (mmap_read_lock(), flush_work(), kthread_stop(), lock_page(),
 * mmu_interval_notifier_remove()...) come from its table (kernel-api/derived.ts).
 */
const SLEEPING_CORE_FUNCTIONS = [
  'dma_fence_wait',
  'dma_fence_wait_timeout',
  'dma_fence_wait_any_timeout',
  'dma_resv_wait_timeout',
  'cancel_work_sync',
  'cancel_delayed_work_sync',
  'flush_workqueue',
  'flush_scheduled_work',
  'synchronize_rcu',
  'synchronize_srcu',
  'synchronize_rcu_expedited',
  'synchronize_irq',
  'synchronize_net',
  'rcu_barrier',
  'mmu_notifier_unregister',
  'mmu_notifier_put',
  'mmu_notifier_synchronize',
  'mmu_interval_read_begin',
  'vmalloc',
  'vzalloc',
  'kthread_park',
  'flush_kthread_work',
  'kthread_flush_work',
  'wait_on_page_locked',
  'folio_wait_locked',
  'lock_mm_and_find_vma',
  'get_user_pages',
  'get_user_pages_fast',
  'pin_user_pages',
  'pin_user_pages_fast',
  'hmm_range_fault',
  'copy_from_user',
  'copy_to_user',
  'get_user',
  'put_user',
];

/** Calls that may sleep, whatever their arguments. */
export const SLEEPING_CALLS: ReadonlySet<string> = new Set([...SLEEPING_PRIMITIVES, ...SLEEP_CHECKS, ...SLEEPING_CORE_FUNCTIONS]);

/** Macro-like sleeping calls matched by prefix (`wait_event_timeout`...). */
export const SLEEPING_PREFIXES = ['wait_event', 'wait_var_event', 'wait_on_bit'];

export function isSleepingCall(name: string): boolean {
  return SLEEPING_CALLS.has(name) || SLEEPING_PREFIXES.some((p) => name.startsWith(p) && !name.startsWith(`${p}_lock_irq_noresched`));
}
