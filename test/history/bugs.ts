// Real notifier bugs from kernel history: each fix commit reproduced as a
// reduced fixture written for mnlint (the pre-fix callback fires, the fixed
// twin stays quiet, every finding annotated as in fixtures/rules), and, where
// the fixed code is in the Debian Linux sources, a reintroduction mutant
// applied in memory. `bench/history.ts` prints the recall; the test asserts it.

/** What part of the analysis a bug needs (issue 9's items, then issue 10's). */
export type Capability =
  | 'helper-outcomes' // a callee's return conditions reach the caller's branch
  | 'resource-state' // locks and counters at every return
  | 'derived-sleep' // sleeping and reclaim facts through the callees
  | 'precision' // scopes, flags in struct fields, one finding per callback
  | 'core-state' // the core's own sequence state machine (I8), checked against the model
  | 'subscribers' // several subscribers on one mm in the model
  | 'read-side' // the read side across files, wrappers and parameters
  | 'shared-state'; // globals and function-statics written on the invalidation path

export interface Mutant {
  /** Debian linux-source version */
  kernel: string;
  file: string;
  find: string;
  replace: string;
  /** the directory scanned with it (default: the file's own) */
  scope?: string;
  /** a second edit in the same file */
  also?: { find: string; replace: string };
}

export interface HistoricBug {
  id: string;
  /** the fix commit, as `id ("subject")` */
  fix: string;
  /** the commit the fix names in its Fixes: tag, if any */
  fixes?: string;
  capabilities: Capability[];
  /** fixture under test/history/ */
  fixture: string;
  /** the rule that must report the pre-fix code */
  rule: string;
  /** the fix undone in a Debian tree, or why there is none */
  mutant: Mutant | { none: string };
}

/** A helper that dirties every page of a faulted range (written for the xe mutants). */
const XE_TOUCH_RANGE =
  'static void xe_touch_range(struct hmm_range *range)\n{\n\tunsigned long i;\n\n\tfor (i = 0; i < xe_npages_in_range(range->start, range->end); i++)\n\t\tset_page_dirty_lock(hmm_pfn_to_page(range->hmm_pfns[i]));\n}\n\nstatic int xe_alloc_sg(';

export const BUGS: readonly HistoricBug[] = [
  {
    id: 'hmm-notifiers-count',
    fix: '5a136b4ae327 ("mm/hmm: Fix error flows in hmm_invalidate_range_start")',
    capabilities: ['resource-state'],
    fixture: 'hmm-notifiers-count.c',
    rule: 'failed-start-leaves-state',
    mutant: { none: 'hmm_invalidate_range_start() left mm/hmm.c with the move to mmu_interval_notifier (5.5); 6.1 and 6.12 have no such code' },
  },
  {
    id: 'hmm-shadowed-ret',
    fix: '5a136b4ae327 ("mm/hmm: Fix error flows in hmm_invalidate_range_start")',
    capabilities: ['helper-outcomes', 'precision'],
    fixture: 'hmm-shadowed-ret.c',
    rule: 'helper-failure-swallowed',
    mutant: { none: 'as above: the code left mm/hmm.c in 5.5' },
  },
  {
    id: 'odp-umem-rwsem',
    fix: 'f25a546e6529 ("RDMA/odp: Use mmu_interval_notifier_insert()")',
    fixes: 'ca748c39ea3f ("RDMA/umem: Get rid of per_mm->notifier_count")',
    capabilities: ['resource-state'],
    fixture: 'odp-umem-rwsem.c',
    rule: 'lock-held-at-return',
    // the fixed callback takes and drops umem_mutex inside itself: keep it held past the return again
    mutant: {
      kernel: '6.12',
      file: 'drivers/infiniband/hw/mlx5/odp.c',
      find: '\t\tdestroy_unused_implicit_child_mr(mr);\nout:\n\tmutex_unlock(&umem_odp->umem_mutex);\n\treturn true;\n}',
      replace: '\t\tdestroy_unused_implicit_child_mr(mr);\nout:\n\treturn true;\n}',
    },
  },
  {
    id: 'amdkfd-mmput',
    fix: 'a29e067bd389 ("drm/amdkfd: Don\'t call mmput from MMU notifier callback")',
    fixes: 'fa582c6f3684 ("drm/amdkfd: Use mmget_not_zero in MMU notifier")',
    capabilities: ['derived-sleep'],
    fixture: 'amdkfd-mmput.c',
    rule: 'remove-from-callback',
    // back to fa582c6f3684's shape: a reference taken and dropped inside the callback
    mutant: {
      kernel: '6.12',
      file: 'drivers/gpu/drm/amd/amdkfd/kfd_svm.c',
      find: '\tif (range->event == MMU_NOTIFY_RELEASE)\n\t\treturn true;\n\n\tstart = mni->interval_tree.start;',
      replace: '\tif (range->event == MMU_NOTIFY_RELEASE)\n\t\treturn true;\n\tif (!mmget_not_zero(mni->mm))\n\t\treturn true;\n\n\tstart = mni->interval_tree.start;',
      also: { find: '\tsvm_range_unlock(prange);\n\n\treturn true;\n}', replace: '\tsvm_range_unlock(prange);\n\tmmput(mni->mm);\n\n\treturn true;\n}' },
    },
  },
  {
    id: 'hfi1-remove-under-spinlock',
    fix: 'b85ced91511f ("IB/hfi1: Consistently call ops->remove outside spinlock")',
    capabilities: ['derived-sleep', 'resource-state'],
    fixture: 'hfi1-remove-under-spinlock.c',
    rule: 'sleep-under-spinlock',
    mutant: { none: 'in 6.12 the node is dropped under the lock by kref_put() with a release function pointer, which mnlint does not follow' },
  },
  {
    id: 'gntdev-blockable',
    fix: '"xen/gntdev: fix up blockable calls to mn_invl_range_start" (Message-Id <20180827112623.8992-2-mhocko@kernel.org>, v4.19; its commit id is not in the stored archives)',
    fixes: '93065ac753e4 ("mm, oom: distinguish blockable mode for mmu notifiers")',
    capabilities: ['helper-outcomes', 'precision'],
    fixture: 'gntdev-blockable.c',
    rule: 'false-return-in-blockable-range',
    // back to failing for every map in range, blockable or not
    mutant: {
      kernel: '6.12',
      file: 'drivers/xen/gntdev.c',
      find: '\tif (!mmu_notifier_range_blockable(range))\n\t\treturn false;\n\n\tmap_start = map->pages_vm_start;',
      replace: '\tmap_start = map->pages_vm_start;',
      also: { find: '\tif (map_start >= range->end || map_end <= range->start)\n\t\treturn true;\n', replace: '\tif (map_start >= range->end || map_end <= range->start)\n\t\treturn true;\n\treturn false;\n' },
    },
  },
  {
    id: 'core-remove-race',
    fix: '319561669a59 ("mm/mmu_notifier.c: fix race in mmu_interval_notifier_remove()")',
    fixes: '99cb252f5e68 ("mm/mmu_notifier: add an interval tree notifier")',
    capabilities: ['core-state'],
    fixture: 'core-remove-race.c',
    rule: 'core-sequence-state',
    // back to the lockless wait: inv_end still advances the sequence before its deferred walk
    mutant: {
      kernel: '6.12',
      file: 'mm/mmu_notifier.c',
      scope: 'mm/mmu_notifier.c',
      find: '\t\twait_event(subscriptions->wq,\n\t\t\t   mmu_interval_seq_released(subscriptions, seq));',
      replace: '\t\twait_event(subscriptions->wq,\n\t\t\t   READ_ONCE(subscriptions->invalidate_seq) != seq);',
    },
  },
  {
    id: 'core-range-end-pairing',
    fix: 'c2655835fd8c ("mm/mmu_notifiers: ensure range_end() is paired with range_start()")',
    fixes: '93065ac753e4 ("mm, oom: distinguish blockable mode for mmu notifiers")',
    capabilities: ['subscribers', 'core-state'],
    fixture: 'core-range-end-pairing.c',
    rule: 'core-end-after-failed-start',
    // the post-failure end loop taken out again
    mutant: {
      kernel: '6.12',
      file: 'mm/mmu_notifier.c',
      scope: 'mm/mmu_notifier.c',
      find: '\t\t\tsubscription->ops->invalidate_range_end(subscription,\n\t\t\t\t\t\t\t\trange);\n\t\t}\n\t}\n\tsrcu_read_unlock(&srcu, id);\n\n\treturn ret;\n',
      replace: '\t\t}\n\t}\n\tsrcu_read_unlock(&srcu, id);\n\n\treturn ret;\n',
    },
  },
  {
    id: 'xe-pages-before-retry',
    fix: '0a98219bcc96 ("drm/xe/hmm: Don\'t dereference struct page pointers without notifier lock")',
    capabilities: ['read-side'],
    fixture: 'xe-pages-before-retry.c',
    rule: 'pfns-used-before-retry',
    // pages dirtied by a helper before the notifier lock and the retry, as before the fix
    mutant: {
      kernel: '6.12',
      file: 'drivers/gpu/drm/xe/xe_hmm.c',
      find: '\tret = down_read_interruptible(&vm->userptr.notifier_lock);\n\tif (ret)\n\t\tgoto free_st;\n',
      replace: '\txe_touch_range(&hmm_range);\n\tret = down_read_interruptible(&vm->userptr.notifier_lock);\n\tif (ret)\n\t\tgoto free_st;\n',
      also: { find: 'static int xe_alloc_sg(', replace: XE_TOUCH_RANGE },
    },
  },
  {
    id: 'xe-folio-deadlock',
    fix: '"drm/xe/userptr: fix notifier vs folio deadlock" (Message-Id <20250414132539.26654-2-matthew.auld@intel.com>; 2577b202458c in the stored shortlog)',
    fixes: '0a98219bcc96 ("drm/xe/hmm: Don\'t dereference struct page pointers without notifier lock")',
    capabilities: ['read-side', 'resource-state'],
    fixture: 'xe-folio-deadlock.c',
    rule: 'page-lock-under-notifier-lock',
    // the marking put back under the notifier lock, after the retry, as 0a98219bcc96 had it
    mutant: {
      kernel: '6.12',
      file: 'drivers/gpu/drm/xe/xe_hmm.c',
      find: '\tuserptr->sg = &userptr->sgt;\n\txe_hmm_userptr_set_mapped(uvma);',
      replace: '\txe_touch_range(&hmm_range);\n\tuserptr->sg = &userptr->sgt;\n\txe_hmm_userptr_set_mapped(uvma);',
      also: { find: 'static int xe_alloc_sg(', replace: XE_TOUCH_RANGE },
    },
  },
];
