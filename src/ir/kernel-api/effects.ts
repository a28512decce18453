// What a call leaves behind: the counters and references it raises or lowers,
// the calls that free an object or hand it back, and the mm reference drops
// that can run exit_mmap(). Read from include/linux/atomic.h, refcount.h,
// kref.h, sched/mm.h, mm.h, percpu-refcount.h, dma-fence.h, slab.h and
// kernel/fork.c (mmput()).
import { PAGE_LOCKING_CALLS } from './pages.js';

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
 * drops, the page (folio) locks. A callee's other plain calls (list, print,
 * trace helpers) stay in its own summary only.
 */
export function isCallOfInterest(name: string): boolean {
  return isReleaseCall(name) || MM_LAST_REFERENCE_CALLS.has(name) || PAGE_LOCKING_CALLS.has(name);
}
