// What kernel functions do, as far as the notifier rules care: which sleep,
// which take or drop locks, which allocate and where their GFP mask is.
// Plain data, shared by the parser (to classify events) and the rules.
import type { GfpClass } from './types.js';

/**
 * The sleeping primitives: a function sleeps when it calls one of these, a
 * reclaiming allocation, or a function that sleeps (the summaries derive that
 * through every body mnlint finds in the tree, however deep).
 */
const SLEEPING_PRIMITIVES = [
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
 * Functions of the core kernel (mm/, kernel/, drivers/dma-buf/, fs/) that sleep.
 * Their bodies lie outside the area a driver's callees are looked up in, so
 * their fact cannot be derived from the scanned tree; each is documented to
 * sleep (a might_sleep(), a sleeping lock or a wait in its body).
 */
const SLEEPING_CORE_FUNCTIONS = [
  'mmap_read_lock',
  'mmap_write_lock',
  'mmap_read_lock_killable',
  'mmap_write_lock_killable',
  'dma_fence_wait',
  'dma_fence_wait_timeout',
  'dma_fence_wait_any_timeout',
  'dma_resv_wait_timeout',
  'dma_resv_lock',
  'dma_resv_lock_interruptible',
  'flush_work',
  'flush_delayed_work',
  'cancel_work_sync',
  'cancel_delayed_work_sync',
  'flush_workqueue',
  'drain_workqueue',
  'flush_scheduled_work',
  'synchronize_rcu',
  'synchronize_srcu',
  'synchronize_rcu_expedited',
  'synchronize_srcu_expedited',
  'synchronize_irq',
  'synchronize_net',
  'rcu_barrier',
  'srcu_barrier',
  'mmu_interval_notifier_remove',
  'mmu_notifier_unregister',
  'mmu_notifier_put',
  'mmu_notifier_synchronize',
  'mmu_interval_read_begin',
  'vmalloc',
  'vzalloc',
  'kthread_stop',
  'kthread_park',
  'flush_kthread_work',
  'kthread_flush_work',
  'kthread_flush_worker',
  'lock_page',
  'folio_lock',
  'wait_on_page_locked',
  'folio_wait_locked',
  'i_mmap_lock_write',
  'i_mmap_lock_read',
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
export const SLEEPING_CALLS: ReadonlySet<string> = new Set([...SLEEPING_PRIMITIVES, ...SLEEPING_CORE_FUNCTIONS]);

/** Macro-like sleeping calls matched by prefix (`wait_event_timeout`...). */
export const SLEEPING_PREFIXES = ['wait_event', 'wait_var_event', 'wait_on_bit'];

export function isSleepingCall(name: string): boolean {
  return SLEEPING_CALLS.has(name) || SLEEPING_PREFIXES.some((p) => name.startsWith(p) && !name.startsWith(`${p}_lock_irq_noresched`));
}

/** Calls that acquire a lock; the first argument names it. */
export const LOCK_CALLS: Record<string, { sleeps: boolean }> = {
  mutex_lock: { sleeps: true },
  mutex_lock_interruptible: { sleeps: true },
  mutex_lock_killable: { sleeps: true },
  mutex_lock_nested: { sleeps: true },
  down_read: { sleeps: true },
  down_write: { sleeps: true },
  down: { sleeps: true },
  down_read_killable: { sleeps: true },
  down_write_killable: { sleeps: true },
  down_read_nested: { sleeps: true },
  down_write_nested: { sleeps: true },
  // interruptible / killable acquires: held after the call on the success path
  // (drivers return on the failure path), e.g. xe's `ret = down_read_interruptible(&l); if (ret) goto out;`
  down_read_interruptible: { sleeps: true },
  down_interruptible: { sleeps: true },
  down_killable: { sleeps: true },
  mmap_read_lock_killable: { sleeps: true },
  mmap_write_lock_killable: { sleeps: true },
  dma_resv_lock_interruptible: { sleeps: true },
  ww_mutex_lock_interruptible: { sleeps: true },
  mmap_read_lock: { sleeps: true },
  mmap_write_lock: { sleeps: true },
  dma_resv_lock: { sleeps: true },
  ww_mutex_lock: { sleeps: true },
  spin_lock: { sleeps: false },
  spin_lock_irq: { sleeps: false },
  spin_lock_irqsave: { sleeps: false },
  spin_lock_bh: { sleeps: false },
  read_lock: { sleeps: false },
  write_lock: { sleeps: false },
  read_lock_irqsave: { sleeps: false },
  write_lock_irqsave: { sleeps: false },
  write_lock_irq: { sleeps: false },
  read_lock_irq: { sleeps: false },
  raw_spin_lock: { sleeps: false },
  raw_spin_lock_irqsave: { sleeps: false },
  xa_lock: { sleeps: false },
  xa_lock_irq: { sleeps: false },
  xa_lock_irqsave: { sleeps: false },
  rcu_read_lock: { sleeps: false },
  srcu_read_lock: { sleeps: false },
  write_seqlock: { sleeps: false },
  preempt_disable: { sleeps: false },
  KVM_MMU_LOCK: { sleeps: false },
};

/** Trylock calls: their success (non-zero result) means the lock is held. */
export const TRYLOCK_CALLS = new Set([
  'mutex_trylock',
  'down_read_trylock',
  'down_write_trylock',
  'down_trylock',
  'spin_trylock',
  'spin_trylock_irqsave',
  'mmap_read_trylock',
  'dma_resv_trylock',
  'ww_mutex_trylock',
  'read_trylock',
  'write_trylock',
  'raw_spin_trylock',
]);

/** Release calls: lock name -> released. `down_trylock` returns 0 on success (inverted). */
export const UNLOCK_CALLS = new Set([
  'mutex_unlock',
  'up_read',
  'up_write',
  'up',
  'spin_unlock',
  'spin_unlock_irq',
  'spin_unlock_irqrestore',
  'spin_unlock_bh',
  'read_unlock',
  'write_unlock',
  'read_unlock_irqrestore',
  'write_unlock_irqrestore',
  'write_unlock_irq',
  'read_unlock_irq',
  'raw_spin_unlock',
  'raw_spin_unlock_irqrestore',
  'mmap_read_unlock',
  'mmap_write_unlock',
  'dma_resv_unlock',
  'ww_mutex_unlock',
  'xa_unlock',
  'xa_unlock_irq',
  'xa_unlock_irqrestore',
  'rcu_read_unlock',
  'srcu_read_unlock',
  'write_sequnlock',
  'preempt_enable',
  'KVM_MMU_UNLOCK',
]);

/** Acquires that can fail (non-zero result): the lock is held only when they return 0. */
export const FAILABLE_ACQUIRES: ReadonlySet<string> = new Set([
  'mutex_lock_interruptible',
  'mutex_lock_killable',
  'down_interruptible',
  'down_killable',
  'down_read_interruptible',
  'down_read_killable',
  'down_write_killable',
  'mmap_read_lock_killable',
  'mmap_write_lock_killable',
  'dma_resv_lock',
  'dma_resv_lock_interruptible',
  'ww_mutex_lock',
  'ww_mutex_lock_interruptible',
]);

/**
 * Calls that raise (+1) or lower (-1) a counter or a reference: the state a
 * callback leaves behind when it returns (`arg` is the index of the counter).
 */
export const EFFECT_CALLS: Readonly<Record<string, { arg: number; delta: 1 | -1 }>> = {
  atomic_inc: { arg: 0, delta: 1 },
  atomic_dec: { arg: 0, delta: -1 },
  atomic_long_inc: { arg: 0, delta: 1 },
  atomic_long_dec: { arg: 0, delta: -1 },
  atomic64_inc: { arg: 0, delta: 1 },
  atomic64_dec: { arg: 0, delta: -1 },
  refcount_inc: { arg: 0, delta: 1 },
  refcount_dec: { arg: 0, delta: -1 },
  kref_get: { arg: 0, delta: 1 },
  kref_put: { arg: 0, delta: -1 },
  mmget: { arg: 0, delta: 1 },
  mmput: { arg: 0, delta: -1 },
  mmput_async: { arg: 0, delta: -1 },
  mmgrab: { arg: 0, delta: 1 },
  mmdrop: { arg: 0, delta: -1 },
  get_page: { arg: 0, delta: 1 },
  put_page: { arg: 0, delta: -1 },
  folio_get: { arg: 0, delta: 1 },
  folio_put: { arg: 0, delta: -1 },
  percpu_ref_get: { arg: 0, delta: 1 },
  percpu_ref_put: { arg: 0, delta: -1 },
  dma_fence_get: { arg: 0, delta: 1 },
  dma_fence_put: { arg: 0, delta: -1 },
};

/**
 * Acquires that open an atomic section: nothing may sleep until the release.
 * Not SRCU (its readers may sleep), not the sleeping locks.
 */
export const ATOMIC_ACQUIRES: ReadonlySet<string> = new Set([
  'spin_lock',
  'spin_lock_irq',
  'spin_lock_irqsave',
  'spin_lock_bh',
  'raw_spin_lock',
  'raw_spin_lock_irqsave',
  'read_lock',
  'write_lock',
  'read_lock_irqsave',
  'write_lock_irqsave',
  'write_lock_irq',
  'read_lock_irq',
  'xa_lock',
  'xa_lock_irq',
  'xa_lock_irqsave',
  'rcu_read_lock',
  'write_seqlock',
  'preempt_disable',
  'KVM_MMU_LOCK',
]);

/** Acquires without a lock argument: the name of what they hold (`rcu_read_lock()` -> `rcu`). */
export const IMPLICIT_LOCKS: Readonly<Record<string, string>> = {
  rcu_read_lock: 'rcu',
  rcu_read_unlock: 'rcu',
  preempt_disable: 'preempt',
  preempt_enable: 'preempt',
};

/** Trylocks whose success is a zero result (`down_trylock`). */
export const INVERTED_TRYLOCKS = new Set(['down_trylock']);

/** Allocation functions and the index of their GFP argument. */
export const ALLOC_GFP_ARG: Record<string, number> = {
  kmalloc: 1,
  kzalloc: 1,
  kmalloc_node: 1,
  kzalloc_node: 1,
  kcalloc: 2,
  kmalloc_array: 2,
  kcalloc_node: 2,
  kmalloc_array_node: 2,
  kvmalloc: 1,
  kvzalloc: 1,
  kvmalloc_node: 1,
  kvzalloc_node: 1,
  kvcalloc: 2,
  kvmalloc_array: 2,
  kmem_cache_alloc: 1,
  kmem_cache_zalloc: 1,
  kmem_cache_alloc_node: 1,
  alloc_page: 0,
  alloc_pages: 0,
  __get_free_page: 0,
  __get_free_pages: 0,
  get_zeroed_page: 0,
  alloc_pages_node: 1,
  folio_alloc: 0,
  mempool_alloc: 1,
  kstrdup: 1,
  kstrndup: 2,
  kmemdup: 2,
  krealloc: 2,
  krealloc_array: 3,
  idr_alloc: 4,
  idr_alloc_cyclic: 4,
  idr_alloc_u32: 4,
  xa_store: 3,
  xa_alloc: 4,
  xa_alloc_cyclic: 5,
  xa_insert: 3,
  xa_reserve: 2,
  radix_tree_preload: 0,
  dma_alloc_coherent: 3,
  dma_pool_alloc: 1,
  dma_pool_zalloc: 1,
  kthread_create_worker: 1,
  xa_store_irq: 3,
};

/** GFP flags that allow direct reclaim (the allocation may sleep). */
const SLEEPING_GFP = new Set([
  'GFP_KERNEL',
  'GFP_KERNEL_ACCOUNT',
  'GFP_USER',
  'GFP_HIGHUSER',
  'GFP_HIGHUSER_MOVABLE',
  'GFP_NOIO',
  'GFP_NOFS',
  'GFP_TRANSHUGE',
  'GFP_TRANSHUGE_LIGHT',
  'GFP_DMA32_KERNEL',
  '__GFP_DIRECT_RECLAIM',
  '__GFP_RECLAIM',
]);

/** GFP flags that never sleep on their own. */
const ATOMIC_GFP = new Set([
  'GFP_ATOMIC',
  'GFP_NOWAIT',
  '__GFP_NOWARN',
  '__GFP_ZERO',
  '__GFP_HIGH',
  '__GFP_NORETRY',
  '__GFP_RETRY_MAYFAIL',
  '__GFP_NOFAIL',
  '__GFP_COMP',
  '__GFP_ACCOUNT',
  'GFP_DMA',
  'GFP_DMA32',
  '__GFP_DMA',
  '__GFP_DMA32',
  '__GFP_HIGHMEM',
  'GFP_HIGHMEM',
  '__GFP_MOVABLE',
  '__GFP_KSWAPD_RECLAIM',
  '__GFP_NOMEMALLOC',
  '__GFP_MEMALLOC',
  '__GFP_THISNODE',
  '__GFP_RECLAIMABLE',
  '__GFP_WRITE',
  '__GFP_HARDWALL',
  '__GFP_IO',
  '__GFP_FS',
  '__GFP_NOLOCKDEP',
  '__GFP_SKIP_ZERO',
  '__GFP_NO_OBJ_EXT',
  'GFP_NOWAIT_NOWARN',
  '0',
]);

/**
 * Classifies a GFP mask expression: an OR of flags, possibly with `& ~FLAG`
 * removing reclaim. Anything else (a variable, a call) is 'unknown'.
 */
export function classifyGfp(mask: string): GfpClass {
  const text = mask.replace(/\s+/g, '').replace(/^\((.*)\)$/, '$1');
  const [orPart, ...andParts] = text.split('&');
  const removed = new Set(andParts.map((p) => p.replace(/^~\(?|\)$/g, '').replace(/^~/, '')));
  let sleeping = false;
  for (const raw of (orPart ?? '').split('|')) {
    const flag = raw.replace(/^\(|\)$/g, '');
    if (SLEEPING_GFP.has(flag)) {
      if (!(removed.has('__GFP_DIRECT_RECLAIM') || removed.has('__GFP_RECLAIM'))) sleeping = true;
    } else if (!ATOMIC_GFP.has(flag)) {
      return 'unknown';
    }
  }
  return sleeping ? 'sleeping' : 'atomic';
}

/** mm/mmu_notifier.c's own functions, and the interval tree's, as the core steps name them. */
export const CORE = {
  itreeInvEnd: 'mn_itree_inv_end',
  itreeInvStartRange: 'mn_itree_inv_start_range',
  itreeInvalidate: 'mn_itree_invalidate',
  itreeRelease: 'mn_itree_release',
  itreeFinishPass: 'mn_itree_finish_pass',
  hlistInvalidateRangeStart: 'mn_hlist_invalidate_range_start',
  hlistInvalidateEnd: 'mn_hlist_invalidate_end',
  invalidateRangeStart: '__mmu_notifier_invalidate_range_start',
  invalidateRangeEnd: '__mmu_notifier_invalidate_range_end',
  intervalInsert: '__mmu_interval_notifier_insert',
  register: '__mmu_notifier_register',
  treeInsert: 'interval_tree_insert',
  treeRemove: 'interval_tree_remove',
  treeIterFirst: 'interval_tree_iter_first',
} as const;

// The notifier API (include/linux/mmu_notifier.h)
export const SET_SEQ = 'mmu_interval_set_seq';
export const READ_BEGIN = 'mmu_interval_read_begin';
export const READ_RETRY = 'mmu_interval_read_retry';
export const CHECK_RETRY = 'mmu_interval_check_retry';
export const INSERT = 'mmu_interval_notifier_insert';
export const INSERT_LOCKED = 'mmu_interval_notifier_insert_locked';
export const REMOVE = 'mmu_interval_notifier_remove';
export const REGISTER = 'mmu_notifier_register';
export const UNREGISTER = 'mmu_notifier_unregister';
export const GET = 'mmu_notifier_get';
export const GET_LOCKED = 'mmu_notifier_get_locked';
export const PUT = 'mmu_notifier_put';
export const SYNCHRONIZE = 'mmu_notifier_synchronize';
export const SEQ_RELEASED = 'mmu_interval_seq_released';
export const RANGE_BLOCKABLE = 'mmu_notifier_range_blockable';
export const HMM_RANGE_FAULT = 'hmm_range_fault';
export const INTERVAL_INSERTS: ReadonlySet<string> = new Set([INSERT, INSERT_LOCKED]);
/** A read side that can miss an invalidation: one that retries (read_begin alone only waits). */
export const RETRY_CALLS: ReadonlySet<string> = new Set([READ_RETRY, CHECK_RETRY]);

/** The notifier API functions whose calls the parser records with their arguments. */
export const API_FUNCTIONS: readonly string[] = [
  READ_BEGIN,
  READ_RETRY,
  CHECK_RETRY,
  SET_SEQ,
  INSERT,
  INSERT_LOCKED,
  REMOVE,
  REGISTER,
  CORE.register,
  UNREGISTER,
  GET,
  GET_LOCKED,
  PUT,
  SYNCHRONIZE,
  'migrate_vma_setup',
  'mmap_read_lock',
  'mmap_write_lock',
  'mmap_read_unlock',
  'mmap_write_unlock',
  HMM_RANGE_FAULT,
];

/** API calls whose enclosing function is walked too: the rules ask about its locks and parameters. */
export const WALKED_API_USERS: ReadonlySet<string> = new Set([READ_RETRY, CHECK_RETRY, READ_BEGIN, INSERT_LOCKED]);

/** The functions of mm/mmu_notifier.c whose paths the core rules check. */
export const CORE_FUNCTIONS: readonly string[] = [
  CORE.itreeInvStartRange,
  READ_BEGIN,
  CORE.itreeInvalidate,
  CORE.itreeRelease,
  CORE.itreeFinishPass,
  CORE.itreeInvEnd,
  CORE.hlistInvalidateRangeStart,
  CORE.hlistInvalidateEnd,
  CORE.invalidateRangeStart,
  CORE.invalidateRangeEnd,
  CORE.intervalInsert,
  INSERT,
  INSERT_LOCKED,
  REMOVE,
  SEQ_RELEASED,
  CORE.register,
];

/** Calls that mark a file as the core (or a patch to it): the state machine's own functions. */
export const CORE_MARKERS: readonly string[] = [CORE.itreeInvalidate, CORE.hlistInvalidateRangeStart, CORE.itreeInvStartRange, CORE.itreeInvEnd, CORE.invalidateRangeStart, READ_BEGIN, REMOVE];

/** Fills `range->hmm_pfns` inside a read section (Documentation/mm/hmm.rst). */
export const HMM_FAULT_CALLS: ReadonlySet<string> = new Set(['hmm_range_fault']);

/**
 * Uses of a page that are only safe once mmu_interval_read_retry() said the
 * section holds (hmm.rst: "use the pfns, program the device" after it): a
 * reference, a kernel mapping, a dirtying. DMA mapping is left out: drivers
 * map before the retry and commit only after it.
 */
export const PAGE_USE_CALLS: ReadonlySet<string> = new Set([
  'get_page',
  'folio_get',
  'try_get_page',
  'kmap',
  'kmap_local_page',
  'kmap_atomic',
  'kmap_local_folio',
  'page_address',
  'set_page_dirty',
  'set_page_dirty_lock',
  'folio_mark_dirty',
  'mark_page_accessed',
  'lock_page',
  'copy_page',
  'lock_page_killable',
  'folio_lock',
  'folio_lock_killable',
]);

/**
 * Page uses that take the page (folio) lock. Migration and reclaim hold it
 * when they call the notifier (migrate_pages_batch -> try_to_migrate ->
 * invalidate), so it must not be taken under a lock the callback takes.
 */
export const PAGE_LOCKING_CALLS: ReadonlySet<string> = new Set(['set_page_dirty_lock', 'lock_page', 'lock_page_killable', 'folio_lock', 'folio_lock_killable']);

/** Kernel helpers and macros that never call back into the notifier API. */
const HELPER_PREFIXES = [
  'spin_',
  'raw_spin_',
  'mutex_',
  'atomic_',
  'list_',
  'hlist_',
  'trace_',
  'pr_',
  'dev_',
  'drm_',
  'WARN',
  'BUG',
  'rcu_',
  'read_',
  'write_',
  'kref_',
  'refcount_',
  'lockdep_',
  'test_',
  'set_bit',
  'clear_bit',
  '__set_bit',
  '__clear_bit',
  'bitmap_',
  'xa_',
  'idr_',
  'mmgrab',
  'mmdrop',
  'mmget',
  'mmput',
  'min',
  'max',
  'clamp',
];
const HELPERS = new Set([
  'container_of',
  'typeof',
  '__typeof__',
  'likely',
  'unlikely',
  'READ_ONCE',
  'WRITE_ONCE',
  'kfree',
  'kvfree',
  'memset',
  'memcpy',
  'offsetof',
  'sizeof',
  'ERR_PTR',
  'PTR_ERR',
  'IS_ERR',
  'IS_ERR_OR_NULL',
  'smp_mb',
  'smp_wmb',
  'smp_rmb',
  'wake_up',
  'wake_up_all',
  'complete',
  'schedule_work',
  'queue_work',
  'cpu_relax',
  'mmu_notifier_range_blockable',
]);

export function isKernelHelper(name: string): boolean {
  return HELPERS.has(name) || HELPER_PREFIXES.some((p) => name.startsWith(p)) || /^[A-Z0-9_]+$/.test(name);
}

/**
 * Calls that wait for the invalidation a callback is part of. Not
 * mmu_notifier_put(): it frees asynchronously, and mm/mmu_notifier.c says it
 * "can be called from the ops->release callback" (SGX and amdkfd do).
 */
export const SELF_WAITING_CALLS: ReadonlySet<string> = new Set(['mmu_interval_notifier_remove', 'mmu_notifier_unregister', 'mmu_notifier_synchronize']);

/** Kernel errno values (include/uapi/asm-generic/errno-base.h, errno.h, include/linux/errno.h). */
const ERRNOS: Readonly<Record<string, number>> = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  EINVAL: 22,
  ENOSPC: 28,
  ERANGE: 34,
  EDEADLK: 35,
  ENOSYS: 38,
  ENOTSUPP: 524,
  EOPNOTSUPP: 95,
  ETIMEDOUT: 110,
  ERESTARTSYS: 512,
  ECANCELED: 125,
  ENOLCK: 37,
};

/** `-EAGAIN`, the only error an invalidate_range_start may return. */
export const EAGAIN = ERRNOS.EAGAIN!;

/** An errno name's value; names mnlint does not know get one no real errno has. */
export function errnoNumber(name: string): number {
  return ERRNOS[name] ?? 1000;
}

export const ERRNO_NAME = /^E[A-Z0-9]+$/;

/**
 * Calls that may drop the last reference to the mm and run exit_mmap(), and so
 * mmu_notifier_release(), inside the invalidation that called them (mmput()
 * does it synchronously; mmput_async() defers it to a work item).
 */
export const MM_LAST_REFERENCE_CALLS: ReadonlySet<string> = new Set(['mmput']);

/** Calls that free an object outright. */
const FREE_CALLS = /^(kfree|kvfree|kmem_cache_free|mempool_free|kfree_rcu)$/;

/** A call that frees an object (`kfree`...). */
export function isFreeCall(name: string): boolean {
  return FREE_CALLS.test(name);
}

/** A call that frees an object or hands it back: a free, an RCU-deferred free, a `*_put`/`*_release`. */
export function isReleaseCall(name: string): boolean {
  return isFreeCall(name) || name === 'call_rcu' || /(_free|_put|_release|_recycle)$|^(put_|free_)/.test(name);
}

/**
 * The calls without a body in the tree that a caller's summary keeps from its
 * callees (the rules ask about them by name): releases and the mm reference
 * drops. A callee's other plain calls (list, print, trace helpers) stay in its
 * own summary only.
 */
export function isCallOfInterest(name: string): boolean {
  return isReleaseCall(name) || MM_LAST_REFERENCE_CALLS.has(name);
}

/** Calls that begin or end a notifier's life, with the ops kind they take and the word the survey prints. */
export const LIFETIME_CALLS: Readonly<Record<string, { interval: boolean; step: 'setup' | 'teardown'; word: string }>> = {
  mmu_interval_notifier_insert: { interval: true, step: 'setup', word: 'insert' },
  mmu_interval_notifier_insert_locked: { interval: true, step: 'setup', word: 'insert_locked' },
  mmu_interval_notifier_remove: { interval: true, step: 'teardown', word: 'remove' },
  mmu_notifier_register: { interval: false, step: 'setup', word: 'register' },
  __mmu_notifier_register: { interval: false, step: 'setup', word: 'register' },
  mmu_notifier_get: { interval: false, step: 'setup', word: 'get' },
  mmu_notifier_get_locked: { interval: false, step: 'setup', word: 'get' },
  mmu_notifier_unregister: { interval: false, step: 'teardown', word: 'unregister' },
  mmu_notifier_put: { interval: false, step: 'teardown', word: 'put' },
  mmu_notifier_synchronize: { interval: false, step: 'teardown', word: 'synchronize' },
};

/** Whether a text names the notifier API at all: the prefilter's test (grep's `mmu_(interval_)?notifier`). */
export function mentionsNotifierApi(text: string): boolean {
  return text.includes('mmu_notifier') || text.includes('mmu_interval_notifier');
}

/** What the build's -D/-U flags and autoconf.h define at the top of a file (kbuild's CHECK). */
export interface MacroEnv {
  /** object-like macros and their values (`-DX` is `1`) */
  readonly defines: ReadonlyMap<string, string>;
  /** names known not to be defined (`-UX`) */
  readonly undefined: ReadonlySet<string>;
  /** autoconf.h was read: a CONFIG_ option it does not define is off */
  readonly configComplete: boolean;
}
