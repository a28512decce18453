// Real notifier bugs from kernel history. Each entry is one fix commit and,
// where a release carries it, the REAL pre-fix and post-fix files inside their
// release trees (.cache/releases/<version>, the Debian trees as <x.y>-debian):
// bench/history.ts scans the whole directory a user would and asks whether the
// bug's rule fires at the fixed function before the fix and stays quiet after
// it (test/history/real.ts). The first entries also have a reduced fixture
// written for mnlint (the pre-fix callback fires, the fixed twin stays quiet,
// every finding annotated as in fixtures/rules) and, where the fixed code is in
// the Debian sources, a reintroduction mutant applied in memory.

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

/** One side of a fix inside a release tree. */
export interface ReleaseSite {
  /** a directory under .cache/releases, or `6.1-debian` / `6.12-debian` for .cache/kernels/linux-<x.y> */
  release: string;
  /** the directory scanned, as a user would scan it (relative to the tree); several when the code is linked from several (virt/kvm with arch/<arch>/kvm) */
  dir: string | readonly string[];
  /** the file the fix touches (relative to the tree) */
  file: string;
  /** the fixed function first, then helpers the fix touched: a finding in any of them is "at the fix" */
  fns: readonly string[];
}

export type RealCase =
  | {
      pre: ReleaseSite;
      post: ReleaseSite;
      /** how the release files differ from the fix commit's own pre- and post-image, when they do */
      note?: string;
      /** a finding counts only if its message or trace matches (a regular expression): the path of this bug, not another one at the same function */
      match?: string;
    }
  | { none: string };

export type InvariantId = 'I1' | 'I2' | 'I3' | 'I4' | 'I5' | 'I6' | 'I7' | 'I8' | 'API';

export interface HistoricBug {
  id: string;
  /** the fix commit, as `id ("subject")` */
  fix: string;
  /** the commit the fix names in its Fixes: tag, if any */
  fixes?: string;
  capabilities: Capability[];
  /** the invariant of /work/shared/design/semantics.md the bug breaks */
  invariant: InvariantId;
  /** fixture under test/history/ (the first entries) */
  fixture?: string;
  /** the rule that must report the pre-fix code; null when no rule models the bug (then `why`) */
  rule: string | null;
  /** why no rule, or what the rule needs */
  why?: string;
  /** the fix undone in a Debian tree, or why there is none */
  mutant?: Mutant | { none: string };
  /** the real pre-fix and post-fix files in release trees, or why there are none */
  real: RealCase;
  /** when the real pre-fix file is missed: which fact the IR or the model lacks */
  miss?: string;
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
    invariant: 'I1',
    real: {
      pre: { release: '5.2', dir: 'mm', file: 'mm/hmm.c', fns: ['hmm_invalidate_range_start'] },
      post: { release: '5.3', dir: 'mm', file: 'mm/hmm.c', fns: ['hmm_invalidate_range_start'] },
      note: 'first fixed in 5.3 (the 5.3 tree is 5.3.1)',
    },
    mutant: { none: 'hmm_invalidate_range_start() left mm/hmm.c with the move to mmu_interval_notifier (5.5); 6.1 and 6.12 have no such code' },
  },
  {
    id: 'hmm-shadowed-ret',
    fix: '5a136b4ae327 ("mm/hmm: Fix error flows in hmm_invalidate_range_start")',
    capabilities: ['helper-outcomes', 'precision'],
    fixture: 'hmm-shadowed-ret.c',
    rule: 'helper-failure-swallowed',
    invariant: 'I4',
    // found on the real file without the helper: mirror->ops->sync_cpu_device_pagetables has no binding in mm/,
    // but the callback's own `ret = -EAGAIN` goes to an inner ret nothing reads (locals are known by declaration)
    real: {
      pre: { release: '5.2', dir: 'mm', file: 'mm/hmm.c', fns: ['hmm_invalidate_range_start'] },
      post: { release: '5.3', dir: 'mm', file: 'mm/hmm.c', fns: ['hmm_invalidate_range_start'] },
      note: 'first fixed in 5.3 (the 5.3 tree is 5.3.1)',
    },
    mutant: { none: 'as above: the code left mm/hmm.c in 5.5' },
  },
  {
    id: 'odp-umem-rwsem',
    fix: 'f25a546e6529 ("RDMA/odp: Use mmu_interval_notifier_insert()")',
    fixes: 'ca748c39ea3f ("RDMA/umem: Get rid of per_mm->notifier_count")',
    capabilities: ['resource-state'],
    fixture: 'odp-umem-rwsem.c',
    rule: 'lock-held-at-return',
    invariant: 'I5',
    real: {
      pre: { release: '5.4', dir: 'drivers/infiniband', file: 'drivers/infiniband/core/umem_odp.c', fns: ['ib_umem_notifier_invalidate_range_start', 'ib_umem_notifier_invalidate_range_end'] },
      post: { release: '5.10', dir: 'drivers/infiniband', file: 'drivers/infiniband/hw/mlx5/odp.c', fns: ['mlx5_ib_invalidate_range'] },
      note: 'the fix replaced the per-mm start/end pair by an interval notifier (5.5): the post-fix callback is mlx5_ib_invalidate_range',
      match: 'when the range is blockable',
    },
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
    invariant: 'I5',
    real: {
      pre: { release: '6.1-rc7', dir: 'drivers/gpu/drm/amd/amdkfd', file: 'drivers/gpu/drm/amd/amdkfd/kfd_svm.c', fns: ['svm_range_cpu_invalidate_pagetables'] },
      post: { release: '6.12-debian', dir: 'drivers/gpu/drm/amd/amdkfd', file: 'drivers/gpu/drm/amd/amdkfd/kfd_svm.c', fns: ['svm_range_cpu_invalidate_pagetables'] },
      note: 'fixed in 6.17, backported to the 6.12 stable series the Debian tree is',
    },
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
    invariant: 'I5',
    real: {
      none: 'fixed for 4.9 and backported to 4.8.y: the stored 4.8 imports (4.8.15, 4.8.17) carry the fix, and 4.7 (4.7.4) predates the bug (its notifier path passes no mm to the page release, which then takes no mmap_sem)',
    },
    mutant: { none: 'in 6.12 the node is dropped under the lock by kref_put() with a release function pointer, which mnlint does not follow' },
  },
  {
    id: 'gntdev-blockable',
    fix: '"xen/gntdev: fix up blockable calls to mn_invl_range_start" (Message-Id <20180827112623.8992-2-mhocko@kernel.org>, v4.19; its commit id is not in the stored archives)',
    fixes: '93065ac753e4 ("mm, oom: distinguish blockable mode for mmu notifiers")',
    capabilities: ['helper-outcomes', 'precision'],
    fixture: 'gntdev-blockable.c',
    rule: 'false-return-in-blockable-range',
    invariant: 'I4',
    real: { none: 'no release carries it: 93065ac753e4 and the fix are both in the 4.19 rc cycle' },
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
    invariant: 'I8',
    real: {
      pre: { release: '5.10', dir: 'mm', file: 'mm/mmu_notifier.c', fns: ['mmu_interval_notifier_remove'] },
      post: { release: '6.1-rc7', dir: 'mm', file: 'mm/mmu_notifier.c', fns: ['mmu_interval_notifier_remove', 'mmu_interval_seq_released'] },
      note: 'first fixed in 5.18',
    },
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
    invariant: 'I1',
    real: {
      pre: { release: '5.10', dir: 'mm', file: 'mm/mmu_notifier.c', fns: ['mn_hlist_invalidate_range_start', '__mmu_notifier_invalidate_range_start'] },
      post: { release: '5.15', dir: 'mm', file: 'mm/mmu_notifier.c', fns: ['mn_hlist_invalidate_range_start', '__mmu_notifier_invalidate_range_start'] },
      note: 'first fixed in 5.12',
    },
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
    invariant: 'I6',
    real: {
      pre: { release: '6.13', dir: 'drivers/gpu/drm/xe', file: 'drivers/gpu/drm/xe/xe_hmm.c', fns: ['xe_hmm_userptr_populate_range', 'xe_mark_range_accessed', 'xe_build_sg'] },
      post: { release: '6.14', dir: 'drivers/gpu/drm/xe', file: 'drivers/gpu/drm/xe/xe_hmm.c', fns: ['xe_hmm_userptr_populate_range', 'xe_mark_range_accessed', 'xe_build_sg'] },
      note: 'the 6.13 tree is 6.13.2, the 6.14 tree 6.14.0',
    },
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
    invariant: 'I5',
    real: {
      pre: { release: '6.14', dir: 'drivers/gpu/drm/xe', file: 'drivers/gpu/drm/xe/xe_hmm.c', fns: ['xe_hmm_userptr_populate_range', 'xe_mark_range_accessed'] },
      post: { release: '6.12-debian', dir: 'drivers/gpu/drm/xe', file: 'drivers/gpu/drm/xe/xe_hmm.c', fns: ['xe_hmm_userptr_populate_range', 'xe_mark_range_accessed'] },
      note: 'first fixed in 6.15; the post-fix file is the 6.12 stable backport in the Debian tree (6.15 to 6.19 moved userptr to xe_userptr.c / drm_gpusvm)',
    },
    // the marking put back under the notifier lock, after the retry, as 0a98219bcc96 had it
    mutant: {
      kernel: '6.12',
      file: 'drivers/gpu/drm/xe/xe_hmm.c',
      find: '\tuserptr->sg = &userptr->sgt;\n\txe_hmm_userptr_set_mapped(uvma);',
      replace: '\txe_touch_range(&hmm_range);\n\tuserptr->sg = &userptr->sgt;\n\txe_hmm_userptr_set_mapped(uvma);',
      also: { find: 'static int xe_alloc_sg(', replace: XE_TOUCH_RANGE },
    },
  },
  // Fixes found in the stable and mailing-list archives; no reduced fixture,
  // the real release files are the benchmark.
  {
    id: 'odp-missed-unlock',
    fix: '7608bf40cf24 ("RDMA/odp: Fix missed unlock in non-blocking invalidate_start")',
    fixes: 'ca748c39ea3f ("RDMA/umem: Get rid of per_mm->notifier_count")',
    capabilities: ['resource-state', 'helper-outcomes'],
    rule: 'lock-held-at-return',
    invariant: 'I1',
    real: {
      pre: { release: '5.2', dir: 'drivers/infiniband', file: 'drivers/infiniband/core/umem_odp.c', fns: ['ib_umem_notifier_invalidate_range_start'] },
      post: { release: '5.3', dir: 'drivers/infiniband', file: 'drivers/infiniband/core/umem_odp.c', fns: ['ib_umem_notifier_invalidate_range_start'] },
      note: 'first fixed in 5.3 (5.2.3 stable; the 5.2 tree is 5.2.1, the 5.3 tree 5.3.1); in both trees the blockable path keeps umem_rwsem until invalidate_range_end by design (odp-umem-rwsem), only the -EAGAIN return after a successful trylock must drop it',
      match: 'not blockable|non-blockable|-EAGAIN|-11',
    },
  },
  {
    id: 'i915-flush-cancel-worker',
    fix: '484d9a844d0d ("drm/i915/userptr: Avoid struct_mutex recursion for mmu_invalidate_range_start")',
    fixes: '93065ac753e4 ("mm, oom: distinguish blockable mode for mmu notifiers") (References:)',
    capabilities: ['derived-sleep', 'precision'],
    rule: 'reclaim-in-invalidation',
    invariant: 'I5',
    why: 'the callback flushes a workqueue whose work takes struct_mutex, which the invalidating thread may already hold (the shrinker): a wait in the invalidation on work that needs a reclaim-held lock',
    miss: 'the wait is flush_workqueue() on work (cancel_userptr) that takes struct_mutex, held around reclaim by the shrinker: the flush is followed to cancel_userptr() (queued by queue_work(mn->wq, &mo->work), bound by INIT_WORK), whose mutex_lock(struct_mutex) is in the callback summary as a waited event, but mnlint has no fact that struct_mutex is held around reclaim; it reports the flush only as sleep-in-non-blockable-range, on a path the non-blockable branch leaves empty',
    real: {
      pre: { release: '5.0', dir: 'drivers/gpu/drm/i915', file: 'drivers/gpu/drm/i915/i915_gem_userptr.c', fns: ['i915_gem_userptr_mn_invalidate_range_start', 'cancel_userptr'] },
      post: { release: '5.2', dir: 'drivers/gpu/drm/i915', file: 'drivers/gpu/drm/i915/i915_gem_userptr.c', fns: ['userptr_mn_invalidate_range_start'] },
      note: 'first fixed in 5.1; the fixed callback was renamed userptr_mn_invalidate_range_start',
    },
  },
  {
    id: 'hfi1-cover-invalidate',
    fix: 'b3deec25847b ("IB/hfi1: Remove user expected buffer invalidate race")',
    fixes: '3889551db212 ("RDMA/hfi1: Use mmu_interval_notifier_insert for user_exp_rcv")',
    capabilities: ['read-side'],
    rule: 'read-begin-result-unused',
    invariant: 'I6',
    why: 'the sequence from mmu_interval_read_begin() is dropped (taken after the pages were pinned) and never checked with mmu_interval_read_retry(): an invalidation during setup goes unseen',
    real: {
      pre: { release: '6.1-rc7', dir: 'drivers/infiniband/hw/hfi1', file: 'drivers/infiniband/hw/hfi1/user_exp_rcv.c', fns: ['set_rcvarray_entry', 'hfi1_user_exp_rcv_setup'] },
      post: { release: '6.1-debian', dir: 'drivers/infiniband/hw/hfi1', file: 'drivers/infiniband/hw/hfi1/user_exp_rcv.c', fns: ['set_rcvarray_entry', 'hfi1_user_exp_rcv_setup'] },
      note: 'first fixed in 6.2, backported to 6.1.9; the Debian 6.1 tree has later hfi1 fixes too',
    },
  },
  {
    id: 'gntdev-unmap-async',
    fix: 'dbe97cff7dd9 ("xen/gntdev: Avoid blocking in unmap_grant_pages()")',
    fixes: '745282256c75 ("xen/gntdev: safely unmap grants in case they are still in use")',
    capabilities: ['derived-sleep'],
    rule: null,
    invariant: 'I5',
    why: 'the invalidation waits (blockable range) until another subscriber (i915) drops its page references, while that subscriber waits for this notifier: a cross-subscriber wait the contract forbids only informally; no rule models waits on other subscribers',
    real: {
      pre: { release: '5.10', dir: 'drivers/xen', file: 'drivers/xen/gntdev.c', fns: ['gntdev_invalidate', 'unmap_grant_pages', '__unmap_grant_pages'] },
      post: { release: '6.1-rc7', dir: 'drivers/xen', file: 'drivers/xen/gntdev.c', fns: ['gntdev_invalidate', 'unmap_grant_pages', '__unmap_grant_pages'] },
      note: 'first fixed in 5.19',
    },
  },
  {
    id: 'amdkfd-userptr-notifier-lock',
    fix: 'f95f51a4c335 ("drm/amdgpu: Add notifier lock for KFD userptrs")',
    capabilities: ['read-side', 'resource-state'],
    rule: 'set-seq-lock-mismatch',
    invariant: 'I6',
    why: 'the HSA invalidate callback set the sequence under the device-wide adev->notifier_lock while the KFD restore worker checked mmu_interval_read_retry() under process_info->lock; the fix adds a per-process notifier lock taken on both sides',
    miss: "the retry is in amdgpu_hmm_range_get_pages_done(), reached through amdgpu_ttm_tt_get_user_pages_done(): both are non-static, so their entry locks are unknown (callers elsewhere in the module may exist), and the callers in the scan do not agree: amdgpu_amdkfd_gpuvm.c calls it under process_info->lock (and ignores the result), amdgpu_cs.c under bo_list_mutex and under adev->notifier_lock (the gfx path, the same lock as the HSA invalidate), amdgpu_gem.c under none. Which callers carry HSA notifiers (bo->kfd_bo) is a path fact of amdgpu_mn_register(); without it no caller-held lock is proven for the HSA table's read side",
    real: {
      pre: { release: '6.1-rc7', dir: 'drivers/gpu/drm/amd/amdgpu', file: 'drivers/gpu/drm/amd/amdgpu/amdgpu_mn.c', fns: ['amdgpu_mn_invalidate_hsa'] },
      post: { release: '6.6', dir: 'drivers/gpu/drm/amd/amdgpu', file: 'drivers/gpu/drm/amd/amdgpu/amdgpu_hmm.c', fns: ['amdgpu_hmm_invalidate_hsa'] },
      note: 'first fixed in 6.3; 6.2 renamed amdgpu_mn.c to amdgpu_hmm.c; the sequence is now set in amdgpu_amdkfd_evict_userptr()',
    },
  },
  {
    id: 'odp-end-with-failing-start',
    fix: 'f25a546e6529 ("RDMA/odp: Use mmu_interval_notifier_insert()")',
    fixes: 'c2655835fd8c\'s audit ("hmm is OK, ODP is not": an ODP start that returns -EAGAIN also has invalidate_range_end)',
    capabilities: ['helper-outcomes', 'subscribers'],
    rule: 'range-end-with-failing-start',
    invariant: 'I2',
    why: 'ib_umem_notifiers can fail invalidate_range_start with -EAGAIN and sets invalidate_range_end: once c2655835fd8c makes the core call every end after a failed start, ODP gets an end for a start that failed; f25a546e6529 removed the start/end pair',
    real: {
      none: 'no release carries it: before 5.12 (c2655835fd8c) the core called no end after a failed start, so 5.4 ODP was consistent with its own core (mnlint, at the 5.4 level, rightly stays quiet there; at the 7.1 level it reports core/umem_odp.c), and ODP lost its start/end pair in 5.5',
    },
  },
  {
    id: 'i915-page-lock-recursion',
    fix: '505a8ec7e11a ("Revert "drm/i915/userptr: Acquire the page lock around set_page_dirty()"")',
    fixes: 'aa56a292ce62 ("drm/i915/userptr: Acquire the page lock around set_page_dirty()")',
    capabilities: ['derived-sleep'],
    rule: null,
    invariant: 'I5',
    why: 'put_pages, reached from the invalidation, took the page lock that try_to_unmap() already holds around the notifier call: a lock the core holds while it calls the callback; no rule knows which locks the core holds at the call (the context facts of the call sites)',
    real: { none: 'no cached release carries it: aa56a292ce62 and its revert are both in the 5.3 rc cycle (the 5.3 tree has plain set_page_dirty); only 5.2.y stable releases after the cb6d7c7dc7ff backport had it' },
  },
  {
    id: 'kvm-arm64-resched-nonblock',
    fix: 'b5331379bc62 ("KVM: arm64: Only reschedule if MMU_NOTIFIER_RANGE_BLOCKABLE is not set")',
    fixes: '8b3405e345b5 ("kvm: arm/arm64: Fix locking for kvm_free_stage2_pgd")',
    capabilities: ['derived-sleep', 'helper-outcomes'],
    fixture: 'kvm-arm64-resched-nonblock.c',
    rule: 'sleep-in-non-blockable-range',
    invariant: 'I5',
    why: "kvm_mmu_notifier_invalidate_range_start() -> kvm_unmap_hva_range() -> handle_hva_to_gpa(..., kvm_unmap_hva_handler) -> unmap_stage2_range() calls cond_resched_lock() whatever the range, so the OOM reaper's non-blockable invalidation may sleep (might_sleep splat in the commit message)",
    mutant: { none: "6.1 and 6.12 pass the range's may_block to the arm64 unmap in struct kvm_gfn_range, called through a struct field (`.handler = kvm_mmu_unmap_gfn_range`): no one-line edit brings back this shape" },
    real: {
      pre: { release: '5.6', dir: 'virt/kvm', file: 'virt/kvm/arm/mmu.c', fns: ['unmap_stage2_range', 'kvm_unmap_hva_handler', 'kvm_unmap_hva_range', 'handle_hva_to_gpa'] },
      post: { release: '5.10', dir: ['virt/kvm', 'arch/arm64/kvm'], file: 'arch/arm64/kvm/mmu.c', fns: ['__unmap_stage2_range', 'kvm_unmap_hva_handler', 'kvm_unmap_hva_range', 'stage2_apply_range'] },
      note: 'first fixed in 5.9 (4.19.142, 5.4.61 stable); by 5.10 the arm64 code moved to arch/arm64/kvm, scanned with virt/kvm (the callbacks; its Makefile links them). Found as a warning: cond_resched_lock() sleeps by the facts derived from 5.6 sched.h (a macro expanding to ___might_sleep()), reached through the parameter `handler` of handle_hva_to_gpa(), bound to kvm_unmap_hva_handler() where kvm_unmap_hva_range() passes it. The 5.10 file still gets the warning (no error): the fix passes the flag as `*(unsigned *)data` and tests `flags & MMU_NOTIFIER_RANGE_BLOCKABLE`, neither a tracked atom',
    },
  },
  // Added for issue 21's second pass (realbugs2): fixes whose pre-fix and
  // post-fix files are in cached release trees, then fixes no rule models.
  {
    id: 'hmm-range-end-sleep',
    fix: '5a136b4ae327 ("mm/hmm: Fix error flows in hmm_invalidate_range_start")',
    capabilities: ['derived-sleep'],
    fixture: 'hmm-range-end-sleep.c',
    rule: 'sleep-in-non-blockable-range',
    invariant: 'I5',
    why: 'hmm_invalidate_range_end() took the hmm->lock mutex unconditionally, also after a non-blockable start (the OOM reaper); the fix made the lock the ranges_lock spinlock',
    mutant: { none: 'hmm_invalidate_range_end() left mm/hmm.c with the move to mmu_interval_notifier (5.5): 6.1 and 6.12 have no such code' },
    real: {
      pre: { release: '5.2', dir: 'mm', file: 'mm/hmm.c', fns: ['hmm_invalidate_range_end'] },
      post: { release: '5.3', dir: 'mm', file: 'mm/hmm.c', fns: ['hmm_invalidate_range_end'] },
      note: 'first fixed in 5.3 (the 5.2 tree is 5.2.1, the 5.3 tree 5.3.1)',
    },
  },
  {
    id: 'hmm-mirrors-sem-nonblock',
    fix: 'a3e0d41c2b1f ("mm/hmm: improve driver API to work and wait over a range")',
    capabilities: ['derived-sleep', 'helper-outcomes'],
    fixture: 'hmm-mirrors-sem-nonblock.c',
    rule: 'sleep-in-non-blockable-range',
    invariant: 'I5',
    why: 'the 5.0 start called hmm_invalidate_range(), which took down_read(&hmm->mirrors_sem) whatever range->blockable said; v2 of the series squashed Dan Carpenter\'s "potential deadlock in nonblocking code" fix: a trylock (-EAGAIN) on the non-blockable path',
    mutant: { none: 'the mirrors and their rwsem left mm/hmm.c in 5.5: 6.1 and 6.12 have no such code' },
    real: {
      pre: { release: '5.0', dir: 'mm', file: 'mm/hmm.c', fns: ['hmm_invalidate_range', 'hmm_invalidate_range_start'] },
      post: { release: '5.2', dir: 'mm', file: 'mm/hmm.c', fns: ['hmm_invalidate_range_start'] },
      note: 'first fixed in 5.2 (the 5.0 tree is 5.0.1, the 5.2 tree 5.2.1); the fix moved the body of hmm_invalidate_range() into hmm_invalidate_range_start()',
      match: 'mirrors_sem|down_read',
    },
  },
  {
    id: 'odp-notifier-count-eagain',
    fix: 'ca748c39ea3f ("RDMA/umem: Get rid of per_mm->notifier_count")',
    capabilities: ['resource-state', 'helper-outcomes'],
    rule: 'failed-start-leaves-state',
    invariant: 'I1',
    why: 'the 4.19 start raised context->notifier_count (ib_ucontext_notifier_start_account) and then returned the -EAGAIN of rbt_ib_umem_for_each_in_range() in a non-blockable range; no end follows a failed start, so the count stayed raised and ODP page faults waited for it forever; ca748c39ea3f removed the count (the stored archives have its id and subject through the Fixes: tags of 7608bf40cf24 and f25a546e6529, not its message)',
    real: {
      pre: { release: '4.19', dir: 'drivers/infiniband/core', file: 'drivers/infiniband/core/umem_odp.c', fns: ['ib_umem_notifier_invalidate_range_start', 'ib_ucontext_notifier_start_account'] },
      post: { release: '5.0', dir: 'drivers/infiniband/core', file: 'drivers/infiniband/core/umem_odp.c', fns: ['ib_umem_notifier_invalidate_range_start'] },
      note: 'in 4.20 (7608bf40cf24 "does not apply to the 4.19-stable tree"); the 4.19 tree is 4.19.1, the 5.0 tree 5.0.1; 4.19 passes blockability as a bool parameter',
      match: 'notifier_count|start_account',
    },
  },
  {
    id: 'kfd-release-cancels-restore-work',
    fix: '6225bb3a88d2 ("drm/amdkfd: svm range restore work deadlock when process exit")',
    capabilities: ['derived-sleep'],
    rule: 'remove-from-callback',
    invariant: 'I5',
    why: 'kfd_process_notifier_release() waited (cancel_delayed_work_sync) for svm_range_restore_work, whose deferred-list flush may mmput() the last mm reference: exit_mmap() then runs the notifier release that is waiting for it; the fix moved the wait to kfd_process_wq_release()',
    real: {
      pre: { release: '5.17-rc5', dir: 'drivers/gpu/drm/amd/amdkfd', file: 'drivers/gpu/drm/amd/amdkfd/kfd_process.c', fns: ['kfd_process_notifier_release'] },
      post: { release: '6.1-rc7', dir: 'drivers/gpu/drm/amd/amdkfd', file: 'drivers/gpu/drm/amd/amdkfd/kfd_process.c', fns: ['kfd_process_notifier_release'] },
      match: 'mmput',
      note: 'fixed after 5.17-rc5 and before 6.1-rc7; the 5.15.85 tree also waits in the release callback, but its svm_range_deferred_list_work() drops no mm reference (it removes interval notifiers, which do not wait for a release callback), so the deadlock is not there; the id is the one of the drm-fixes shortlog in the stored archives (stable trees carry cherry-picks under other ids)',
    },
  },
  {
    id: 'i915-userptr-mm-lock',
    fix: 'ed29c2691188 ("drm/i915: Fix userptr so we do not have to worry about obj->mm.lock, v7.")',
    capabilities: ['derived-sleep', 'read-side'],
    fixture: 'i915-userptr-mm-lock.c',
    rule: 'reclaim-in-invalidation',
    invariant: 'I5',
    why: 'the hlist start unbound the object and put its pages (__i915_gem_object_put_pages takes obj->mm.lock, a lock held elsewhere around allocations that may reclaim, e.g. i915_gem_object_pin_map() around kvmalloc_array(GFP_KERNEL)) from inside the invalidation; the fix moved userptr to an interval notifier that only sets the sequence and waits, with the pages taken outside all locks and checked with mmu_interval_read_retry()',
    mutant: { none: 'the Debian 6.1/6.12 trees have the interval-notifier userptr; undoing the v7 rework is no small edit' },
    real: {
      pre: { release: '5.10', dir: 'drivers/gpu/drm/i915', file: 'drivers/gpu/drm/i915/gem/i915_gem_userptr.c', fns: ['userptr_mn_invalidate_range_start'] },
      post: { release: '5.15', dir: 'drivers/gpu/drm/i915', file: 'drivers/gpu/drm/i915/gem/i915_gem_userptr.c', fns: ['i915_gem_userptr_invalidate'] },
      note: 'first fixed in 5.13; the post-fix callback is the interval notifier i915_gem_userptr_invalidate',
      match: 'is held around',
    },
  },
  // Real fixes that no rule models (yet): each says which invariant and why no rule.
  {
    id: 'hmm-uaf-unregister-no-release',
    fix: '6d7c3cde93c1 ("mm/hmm: fix use after free with struct hmm in the mmu notifiers")',
    capabilities: ['resource-state'],
    rule: null,
    invariant: 'API',
    why: 'struct hmm, which embeds the mmu_notifier, was freed after mmu_notifier_unregister_no_release(), which is no fence: callbacks still running under SRCU used freed memory; the fix takes kref_get_unless_zero() in every callback and frees through mmu_notifier_call_srcu(); no rule checks that the memory of a notifier outlives the SRCU grace period after unregister_no_release (put-without-free-notifier covers only mmu_notifier_put)',
    real: {
      pre: { release: '5.2', dir: 'mm', file: 'mm/hmm.c', fns: ['hmm_free', 'hmm_invalidate_range_start'] },
      post: { release: '5.3', dir: 'mm', file: 'mm/hmm.c', fns: ['hmm_free', 'hmm_free_rcu', 'hmm_invalidate_range_start'] },
      note: 'first fixed in 5.3',
    },
  },
  {
    id: 'core-insert-mmget-assert',
    fix: '"mm/mmu_notifier: Fix mmget() assert in __mmu_interval_notifier_insert" (Message-Id <20200901000143.207585-1-jannh@google.com>; its commit id is not in the stored archives)',
    fixes: '99cb252f5e68 ("mm/mmu_notifier: add an interval tree notifier")',
    capabilities: ['core-state'],
    rule: null,
    invariant: 'API',
    why: 'the insert asserted mm_count (mmgrab) where the contract needs mm_users (mmget): an insert racing with __mmu_notifier_release() went unwarned; a core precondition on the caller, which the model of the core does not state as a check',
    real: {
      pre: { release: '5.6', dir: 'mm', file: 'mm/mmu_notifier.c', fns: ['__mmu_interval_notifier_insert'] },
      post: { release: '5.10', dir: 'mm', file: 'mm/mmu_notifier.c', fns: ['__mmu_interval_notifier_insert'] },
      note: 'the 5.6 tree asserts mm_count, the 5.10 tree mm_users (reviewed by Jason Gunthorpe in the stored thread)',
    },
  },
  {
    id: 'kvm-memslot-across-start-end',
    fix: '52ac8b358b0c ("KVM: Block memslot updates across range_start() and range_end()")',
    capabilities: ['subscribers', 'resource-state'],
    rule: null,
    invariant: 'I1',
    why: 'KVM counts invalidations between invalidate_range_start and _end (mmu_notifier_count) and relied on the memslots not changing across the pair; the fix adds mn_active_invalidate_count and makes memslot updates wait until every start has its end; a driver-internal state spanning the start/end pair, which no rule models',
    real: {
      pre: { release: '5.10', dir: 'virt/kvm', file: 'virt/kvm/kvm_main.c', fns: ['kvm_mmu_notifier_invalidate_range_start', 'kvm_set_memslot'] },
      post: { release: '5.15', dir: 'virt/kvm', file: 'virt/kvm/kvm_main.c', fns: ['kvm_mmu_notifier_invalidate_range_start', 'kvm_set_memslot'] },
      note: 'fixed between the 5.10 and the 5.15 tree (merged with 071064f14d87 "KVM: Don\'t take mmu_lock for range invalidation unless necessary")',
    },
  },
  {
    id: 'odp-nested-mmput',
    fix: '85eaeb5058f0 ("IB/core: Fix a nested dead lock as part of ODP flow")',
    fixes: '36f30e486dce ("IB/core: Improve ODP to use hmm_range_fault()")',
    capabilities: ['derived-sleep'],
    fixture: 'odp-nested-mmput.c',
    rule: 'remove-from-callback',
    invariant: 'I5',
    why: "the ODP page fault returned holding umem_odp->umem_mutex and dropped its mm reference with mmput() under it: when that was the last one, exit_mmap() -> mmu_notifier_release() ran the driver's invalidate callback (mlx5_ib_invalidate_range(), in drivers/infiniband/hw/mlx5), which takes umem_mutex, in the same task; the fix uses mmput_async(). The callback of another directory is looked up in the area by the lock's struct type and member",
    real: {
      pre: { release: '5.10', dir: 'drivers/infiniband/core', file: 'drivers/infiniband/core/umem_odp.c', fns: ['ib_umem_odp_map_dma_and_lock'] },
      post: { release: '5.15', dir: 'drivers/infiniband/core', file: 'drivers/infiniband/core/umem_odp.c', fns: ['ib_umem_odp_map_dma_and_lock'] },
      note: 'fixed in 6.0 and backported: the 5.15 tree (5.15.85) has mmput_async()',
    },
    // back to 36f30e486dce's mmput(), under the mutex the fault returns holding;
    // the scope holds the core and mlx5, whose invalidate callback takes it
    mutant: {
      kernel: '6.12',
      file: 'drivers/infiniband/core/umem_odp.c',
      scope: 'drivers/infiniband',
      find: 'out_put_mm:\n\tmmput_async(owning_mm);',
      replace: 'out_put_mm:\n\tmmput(owning_mm);',
    },
  },
  {
    id: 'smmu-sva-soft-lockup',
    fix: 'd5afb4b47e13 ("iommu/arm-smmu-v3: Fix soft lockup triggered by arm_smmu_mm_invalidate_range")',
    capabilities: ['precision'],
    rule: null,
    invariant: 'I5',
    why: 'invalidate_range runs under the page-table lock and must be short; the SVA callback issued one TLBI per page for huge ranges (a soft lockup, no sleep); the fix falls back to invalidating the whole ASID; a bound on the work of an atomic callback is no invariant mnlint checks',
    real: {
      pre: { release: '6.1-rc7', dir: 'drivers/iommu/arm/arm-smmu-v3', file: 'drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3-sva.c', fns: ['arm_smmu_mm_invalidate_range'] },
      post: { release: '6.6', dir: 'drivers/iommu/arm/arm-smmu-v3', file: 'drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3-sva.c', fns: ['arm_smmu_mm_arch_invalidate_secondary_tlbs'] },
      note: 'first fixed in 6.6 (backported to 6.1.y and 5.15.y); 6.6 renamed the callback arch_invalidate_secondary_tlbs',
    },
  },
  {
    id: 'i915-remove-after-failed-insert',
    fix: '01bb1ae35006 ("drm/i915: Check before removing mm notifier")',
    fixes: 'ed29c2691188 ("drm/i915: Fix userptr so we do not have to worry about obj->mm.lock, v7.")',
    capabilities: ['resource-state'],
    rule: null,
    invariant: 'API',
    why: "after mmu_interval_notifier_insert() failed, the release path still called mmu_interval_notifier_remove() on the never-inserted notifier (NULL notifier.mm); the lifetime of an interval notifier (inserted, removed once, only if inserted) is not a rule of this catalogue's release (the typestate work tracks it)",
    real: {
      pre: { release: '6.6', dir: 'drivers/gpu/drm/i915/gem', file: 'drivers/gpu/drm/i915/gem/i915_gem_userptr.c', fns: ['i915_gem_userptr_release'] },
      post: { release: '6.12-debian', dir: 'drivers/gpu/drm/i915/gem', file: 'drivers/gpu/drm/i915/gem/i915_gem_userptr.c', fns: ['i915_gem_userptr_release'] },
      note: 'fixed after 6.6 (Cc stable 5.13+): the 6.6.0 tree lacks the check, the Debian 6.12 tree has it',
    },
  },
  {
    id: 'kfd-deferred-work-mmput',
    fix: '2a9de42e8d3c ("drm/amdkfd: Fix lock dependency warning with srcu")',
    capabilities: ['derived-sleep'],
    rule: null,
    invariant: 'I5',
    why: "svm_range_deferred_list_work() dropped its mm reference with mmput(); when it was the last one, exit_mmap() ran __mmu_notifier_release() (synchronize_srcu, and the KFD release callback that cancels work this worker depends on) inside the work item: a lockdep cycle through SRCU; the fix uses mmput_async(); like odp-nested-mmput the mmput is in a work item, not in a callback, so remove-from-callback does not claim it: it follows a callback's waits for work, and finds no callback of 6.6 that waits for the deferred list work (the release callback's wait on it through svms.restore_work went with 6225bb3a88d2, kfd-release-cancels-restore-work)",
    real: {
      pre: { release: '6.6', dir: 'drivers/gpu/drm/amd/amdkfd', file: 'drivers/gpu/drm/amd/amdkfd/kfd_svm.c', fns: ['svm_range_deferred_list_work'] },
      post: { release: '6.12-debian', dir: 'drivers/gpu/drm/amd/amdkfd', file: 'drivers/gpu/drm/amd/amdkfd/kfd_svm.c', fns: ['svm_range_deferred_list_work'] },
      note: 'first fixed in 6.8 (AUTOSEL backport to 6.6.y in the stored archives); the 6.6 tree is 6.6.0',
    },
  },
];
