// Kernel helpers and macros that never call back into the notifier API (list,
// print, trace, atomic, bit, refcount helpers, the ALL_CAPS macros): calls
// whose bodies nobody needs to look up. Read from their headers under
// include/linux/.

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
 * Macros that declare the local named by their first argument when written
 * as a statement inside a body (`LIST_HEAD(todo);` in include/linux/list.h,
 * `DECLARE_BITMAP(map, n);`, `DEFINE_XARRAY(xa);`...).
 */
export function declaresLocal(name: string): boolean {
  return /^(LIST_HEAD|HLIST_HEAD|LLIST_HEAD|DECLARE_[A-Z0-9_]+|DEFINE_[A-Z0-9_]+)$/.test(name);
}
