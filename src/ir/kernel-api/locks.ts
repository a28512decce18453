// The lock families: acquires (sleeping or not), trylocks, releases, the
// acquires that can fail and those that open an atomic section. Read from
// include/linux/{spinlock,rwlock,mutex,rwsem,semaphore,mmap_lock,dma-resv,
// ww_mutex,xarray,rcupdate,srcu,seqlock,preempt}.h and KVM's
// virt/kvm/kvm_mm.h (KVM_MMU_LOCK). Plain data for the parser and the rules.

/** Calls that acquire a lock; the first argument names it. */
export const LOCK_CALLS: Record<string, { sleeps: boolean }> = {
  mutex_lock: { sleeps: true },
  mutex_lock_interruptible: { sleeps: true },
  mutex_lock_killable: { sleeps: true },
  mutex_lock_nested: { sleeps: true },
  mutex_lock_interruptible_nested: { sleeps: true },
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
  'mutex_lock_interruptible_nested',
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

/**
 * Calls that sleep only with the lock of an argument released: cond_resched_lock()
 * and its rwlock forms (include/linux/sched.h) unlock it, reschedule and lock it
 * again (kernel/sched/core.c __cond_resched_lock()); their sleep check allows
 * that one lock held (PREEMPT_LOCK_OFFSET). Name -> the lock's argument.
 */
export const SLEEPS_UNLOCKED: Readonly<Record<string, number>> = { cond_resched_lock: 0, cond_resched_rwlock_read: 0, cond_resched_rwlock_write: 0 };

/**
 * Lockdep maps (include/linux/lockdep.h): `lock_map_acquire(&map)` and its
 * read and try forms tell lockdep that the region up to `lock_map_release(&map)`
 * behaves as if it held a lock of the map's class (struct lockdep_map: the
 * class is the map object, a global such as `__mmu_notifier_invalidate_range_start_map`
 * or a member such as `work->lockdep_map`). They are annotations, not locks:
 * no mutual exclusion, no atomic section, nothing waits, nothing fails (the
 * `_try` forms only skip lockdep's ordering check, and all return void); they
 * compile to nothing without CONFIG_LOCKDEP. So they are kept apart from the
 * lock tables above: a map held does not protect a shared write, does not
 * make a sleep illegal, and is not the user lock of the read side.
 * Name -> acquires (true) or releases (false) its argument's map.
 */
export const LOCKDEP_MAP_CALLS: Readonly<Record<string, boolean>> = {
  lock_map_acquire: true,
  lock_map_acquire_read: true,
  lock_map_acquire_try: true,
  lock_map_acquire_tryread: true,
  lock_map_release: false,
};
