// Mutations of real Linux 6.12 drivers, as a reviewer would try them: each edit
// is applied at test time to an in-memory copy of the Debian source laid over
// the tree (the file's driver directory is scanned with it), and the
// rule named must report something the unmutated file does not have. The
// detection rate is printed at the end (and goes into the issue notes).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { analyze } from '../src/engine/analyze.js';
import { scan } from '../src/engine/scan.js';
import { apiById } from '../src/model/api.js';
import type { Finding } from '../src/rules/rule.js';
import { kernelDir } from './kernel-trees.js';
import { needKernel, skipUnless } from './needs.js';

interface Mutation {
  name: string;
  file: string;
  find: string;
  replace: string;
  rule: string;
  api?: string;
  /** the directory scanned with the mutated file (default: the file's own) */
  scope?: string;
  /** a known miss, kept visible: the test fails if it starts being detected, so the list stays true */
  miss?: string;
  /** the severity the new finding must have (default: any) */
  severity?: 'error' | 'warning';
}

const BLOCKABLE_GUARD = '\tif (!mmu_notifier_range_blockable(range))\n\t\treturn false;\n';

const MUTATIONS: Mutation[] = [
  {
    name: 'amdgpu gfx: delete the blockable guard',
    file: 'drivers/gpu/drm/amd/amdgpu/amdgpu_hmm.c',
    find: `${BLOCKABLE_GUARD}\n\tmutex_lock(&adev->notifier_lock);`,
    replace: '\tmutex_lock(&adev->notifier_lock);',
    rule: 'sleep-in-non-blockable-range',
  },
  {
    name: 'amdgpu gfx: drop mmu_interval_set_seq',
    file: 'drivers/gpu/drm/amd/amdgpu/amdgpu_hmm.c',
    find: '\tmutex_lock(&adev->notifier_lock);\n\n\tmmu_interval_set_seq(mni, cur_seq);\n',
    replace: '\tmutex_lock(&adev->notifier_lock);\n\n',
    rule: 'invalidate-without-set-seq',
  },
  {
    name: 'amdgpu hsa: delete the blockable guard (the sleep is in amdkfd, another file)',
    file: 'drivers/gpu/drm/amd/amdgpu/amdgpu_hmm.c',
    find: `${BLOCKABLE_GUARD}\n\tamdgpu_amdkfd_evict_userptr`,
    replace: '\tamdgpu_amdkfd_evict_userptr',
    rule: 'sleep-in-non-blockable-range',
    scope: 'drivers/gpu/drm/amd',
  },
  {
    name: 'xe: delete the blockable guard',
    file: 'drivers/gpu/drm/xe/xe_vm.c',
    find: `${BLOCKABLE_GUARD}\n\tvm_dbg(&xe_vma_vm(vma)->xe->drm,`,
    replace: '\tvm_dbg(&xe_vma_vm(vma)->xe->drm,',
    rule: 'sleep-in-non-blockable-range',
  },
  {
    name: 'xe: drop mmu_interval_set_seq',
    file: 'drivers/gpu/drm/xe/xe_vm.c',
    find: '\tdown_write(&vm->userptr.notifier_lock);\n\tmmu_interval_set_seq(mni, cur_seq);\n',
    replace: '\tdown_write(&vm->userptr.notifier_lock);\n',
    rule: 'invalidate-without-set-seq',
  },
  {
    name: 'xe: a trylock that fails in blockable ranges too',
    file: 'drivers/gpu/drm/xe/xe_vm.c',
    find: `${BLOCKABLE_GUARD}\n\tvm_dbg(&xe_vma_vm(vma)->xe->drm,`,
    replace: '\tif (!down_write_trylock(&vm->userptr.notifier_lock))\n\t\treturn false;\n\tup_write(&vm->userptr.notifier_lock);\n\tvm_dbg(&xe_vma_vm(vma)->xe->drm,',
    rule: 'false-return-in-blockable-range',
  },
  {
    name: 'nouveau range: swap the trylock for a lock',
    file: 'drivers/gpu/drm/nouveau/nouveau_svm.c',
    find: '\tif (mmu_notifier_range_blockable(range))\n\t\tmutex_lock(&sn->svmm->mutex);\n\telse if (!mutex_trylock(&sn->svmm->mutex))\n\t\treturn false;\n',
    replace: '\tmutex_lock(&sn->svmm->mutex);\n',
    rule: 'sleep-in-non-blockable-range',
  },
  {
    name: 'nouveau range: take the lock through an ops pointer',
    file: 'drivers/gpu/drm/nouveau/nouveau_svm.c',
    find: '\tif (mmu_notifier_range_blockable(range))\n\t\tmutex_lock(&sn->svmm->mutex);\n\telse if (!mutex_trylock(&sn->svmm->mutex))\n\t\treturn false;\n',
    replace: '\tsn->svmm->lock_ops->lock(sn->svmm);\n',
    rule: 'sleep-in-non-blockable-range',
    miss: 'a call through a function pointer is not followed',
  },
  {
    name: 'nouveau range: drop mmu_interval_set_seq',
    file: 'drivers/gpu/drm/nouveau/nouveau_svm.c',
    find: '\t\treturn false;\n\tmmu_interval_set_seq(mni, cur_seq);\n\tmutex_unlock(&sn->svmm->mutex);',
    replace: '\t\treturn false;\n\tmutex_unlock(&sn->svmm->mutex);',
    rule: 'invalidate-without-set-seq',
    // no path returning true sets it: a proven I6 error, whatever event test precedes it
    severity: 'error',
  },
  {
    name: 'nouveau svmm start: delete the blockable guard',
    file: 'drivers/gpu/drm/nouveau/nouveau_svm.c',
    find: '\tif (!mmu_notifier_range_blockable(update))\n\t\treturn -EAGAIN;\n',
    replace: '',
    rule: 'sleep-in-non-blockable-range',
  },
  {
    name: 'nouveau svmm start: -EBUSY instead of -EAGAIN',
    file: 'drivers/gpu/drm/nouveau/nouveau_svm.c',
    find: '\tif (!mmu_notifier_range_blockable(update))\n\t\treturn -EAGAIN;\n',
    replace: '\tif (!mmu_notifier_range_blockable(update))\n\t\treturn -EBUSY;\n',
    rule: 'start-error-not-eagain',
  },
  {
    name: 'test_hmm: swap the trylock for a lock',
    file: 'lib/test_hmm.c',
    find: '\tif (mmu_notifier_range_blockable(range))\n\t\tmutex_lock(&dmirror->mutex);\n\telse if (!mutex_trylock(&dmirror->mutex))\n\t\treturn false;\n\n\tmmu_interval_set_seq(mni, cur_seq);\n\tdmirror_do_update',
    replace: '\tmutex_lock(&dmirror->mutex);\n\n\tmmu_interval_set_seq(mni, cur_seq);\n\tdmirror_do_update',
    rule: 'sleep-in-non-blockable-range',
  },
  {
    name: 'test_hmm: remove the notifier from its own callback',
    file: 'lib/test_hmm.c',
    find: '\tmmu_interval_set_seq(mni, cur_seq);\n\tdmirror_do_update(dmirror, range->start, range->end);\n',
    replace: '\tmmu_interval_set_seq(mni, cur_seq);\n\tdmirror_do_update(dmirror, range->start, range->end);\n\tif (range->event == MMU_NOTIFY_UNMAP)\n\t\tmmu_interval_notifier_remove(mni);\n',
    rule: 'remove-from-callback',
  },
  {
    name: 'test_hmm: stop skipping its own migrations',
    file: 'lib/test_hmm.c',
    find: '\tif (range->event == MMU_NOTIFY_MIGRATE &&\n\t    range->owner == dmirror->mdevice)\n\t\treturn true;\n\n\tif (mmu_notifier_range_blockable(range))\n\t\tmutex_lock(&dmirror->mutex);',
    replace: '\tif (mmu_notifier_range_blockable(range))\n\t\tmutex_lock(&dmirror->mutex);',
    rule: 'migrate-without-owner-skip',
  },
  {
    name: 'GRU: a start that has an end returns -EAGAIN',
    file: 'drivers/misc/sgi-gru/grutlbpurge.c',
    find: '\tSTAT(mmu_invalidate_range);\n',
    replace: '\tif (!mmu_notifier_range_blockable(range))\n\t\treturn -EAGAIN;\n\tSTAT(mmu_invalidate_range);\n',
    rule: 'range-end-with-failing-start',
  },
  {
    name: 'KVM: a start that has an end returns -EAGAIN',
    file: 'virt/kvm/kvm_main.c',
    find: 'static int kvm_mmu_notifier_invalidate_range_start(struct mmu_notifier *mn,\n\t\t\t\t\tconst struct mmu_notifier_range *range)\n{\n',
    replace: 'static int kvm_mmu_notifier_invalidate_range_start(struct mmu_notifier *mn,\n\t\t\t\t\tconst struct mmu_notifier_range *range)\n{\n\tif (!mmu_notifier_range_blockable(range))\n\t\treturn -EAGAIN;\n',
    rule: 'range-end-with-failing-start',
  },
  {
    name: 'mlx5: delete the blockable guard',
    file: 'drivers/infiniband/hw/mlx5/odp.c',
    find: `${BLOCKABLE_GUARD}\n\tmutex_lock(&umem_odp->umem_mutex);`,
    replace: '\tmutex_lock(&umem_odp->umem_mutex);',
    rule: 'sleep-in-non-blockable-range',
  },
  {
    name: 'intel iommu: a mutex in arch_invalidate_secondary_tlbs',
    file: 'drivers/iommu/intel/svm.c',
    find: '\tcache_tag_flush_range(domain, start, end - 1, 0);\n}',
    replace: '\tmutex_lock(&pasid_mutex);\n\tcache_tag_flush_range(domain, start, end - 1, 0);\n\tmutex_unlock(&pasid_mutex);\n}',
    rule: 'sleep-in-atomic-callback',
  },
  {
    name: 'gntdev: a GFP_KERNEL allocation before the blockable test',
    file: 'drivers/xen/gntdev.c',
    find: `\tstruct gntdev_grant_map *map =\n\t\tcontainer_of(mn, struct gntdev_grant_map, notifier);\n\tunsigned long mstart, mend;\n\tunsigned long map_start, map_end;\n\n${BLOCKABLE_GUARD}`,
    replace: `\tstruct gntdev_grant_map *map =\n\t\tcontainer_of(mn, struct gntdev_grant_map, notifier);\n\tunsigned long mstart, mend;\n\tunsigned long map_start, map_end;\n\tvoid *scratch = kmalloc(64, GFP_KERNEL);\n\n\tkfree(scratch);\n${BLOCKABLE_GUARD}`,
    rule: 'sleeping-gfp-in-first-pass',
  },
  // the read side in another directory: the ops handed to a helper that inserts it, a retry in a wrapper
  {
    name: 'mlx5: drop mmu_interval_set_seq (insert and retry in infiniband/core)',
    file: 'drivers/infiniband/hw/mlx5/odp.c',
    scope: 'drivers/infiniband',
    find: '\tmutex_lock(&umem_odp->umem_mutex);\n\tmmu_interval_set_seq(mni, cur_seq);\n',
    replace: '\tmutex_lock(&umem_odp->umem_mutex);\n',
    rule: 'invalidate-without-set-seq',
  },
  {
    name: 'amdkfd svm: drop mmu_interval_set_seq (retry in an amdgpu wrapper)',
    file: 'drivers/gpu/drm/amd/amdkfd/kfd_svm.c',
    scope: 'drivers/gpu/drm/amd',
    find: '\tsvm_range_lock(prange);\n\tmmu_interval_set_seq(mni, cur_seq);\n',
    replace: '\tsvm_range_lock(prange);\n',
    rule: 'invalidate-without-set-seq',
  },
  {
    name: 'hfi1 cover: drop mmu_interval_set_seq',
    file: 'drivers/infiniband/hw/hfi1/user_exp_rcv.c',
    find: '\t\tmutex_lock(&tidbuf->cover_mutex);\n\t\tmmu_interval_set_seq(mni, cur_seq);\n',
    replace: '\t\tmutex_lock(&tidbuf->cover_mutex);\n',
    rule: 'invalidate-without-set-seq',
  },
  {
    name: 'test_hmm: dirty the first page before the retry',
    file: 'lib/test_hmm.c',
    find: '\t\tmutex_lock(&dmirror->mutex);\n\t\tif (mmu_interval_read_retry(range->notifier,\n\t\t\t\t\t    range->notifier_seq)) {\n\t\t\tmutex_unlock(&dmirror->mutex);\n\t\t\tcontinue;\n\t\t}\n\t\tbreak;\n\t}\n\n\tret = dmirror_do_fault(',
    replace:
      '\t\tset_page_dirty_lock(hmm_pfn_to_page(range->hmm_pfns[0]));\n\t\tmutex_lock(&dmirror->mutex);\n\t\tif (mmu_interval_read_retry(range->notifier,\n\t\t\t\t\t    range->notifier_seq)) {\n\t\t\tmutex_unlock(&dmirror->mutex);\n\t\t\tcontinue;\n\t\t}\n\t\tbreak;\n\t}\n\n\tret = dmirror_do_fault(',
    rule: 'pfns-used-before-retry',
  },
  {
    name: 'test_hmm: use the pages after dropping the mutex',
    file: 'lib/test_hmm.c',
    find: '\tret = dmirror_do_fault(dmirror, range);\n\n\tmutex_unlock(&dmirror->mutex);\nout:\n',
    replace: '\tmutex_unlock(&dmirror->mutex);\n\tget_page(hmm_pfn_to_page(range->hmm_pfns[0]));\n\tret = dmirror_do_fault(dmirror, range);\nout:\n',
    rule: 'pfns-used-before-retry',
  },
  // the core itself (I8, I1): each edit drops one step of the sequence state machine
  {
    name: 'core: inv_start_range never marks the sequence odd',
    file: 'mm/mmu_notifier.c',
    scope: 'mm/mmu_notifier.c',
    find: '\tif (node) {\n\t\tsubscriptions->invalidate_seq |= 1;\n',
    replace: '\tif (node) {\n',
    rule: 'core-sequence-state',
  },
  {
    name: 'core: inv_start_range does not count the range',
    file: 'mm/mmu_notifier.c',
    scope: 'mm/mmu_notifier.c',
    find: '\tspin_lock(&subscriptions->lock);\n\tsubscriptions->active_invalidate_ranges++;\n',
    replace: '\tspin_lock(&subscriptions->lock);\n',
    rule: 'core-sequence-state',
  },
  { name: 'core: inv_end does not advance the sequence', file: 'mm/mmu_notifier.c', scope: 'mm/mmu_notifier.c', find: '\tsubscriptions->invalidate_seq++;\n', replace: '', rule: 'core-sequence-state' },
  {
    name: 'core: inv_end does not wake the waiters',
    file: 'mm/mmu_notifier.c',
    scope: 'mm/mmu_notifier.c',
    find: '\tspin_unlock(&subscriptions->lock);\n\n\twake_up_all(&subscriptions->wq);\n',
    replace: '\tspin_unlock(&subscriptions->lock);\n',
    rule: 'core-sequence-state',
  },
  {
    name: 'core: the -EAGAIN path of mn_itree_invalidate does not end the range',
    file: 'mm/mmu_notifier.c',
    scope: 'mm/mmu_notifier.c',
    find: '\t */\n\tmn_itree_inv_end(subscriptions);\n\treturn -EAGAIN;\n',
    replace: '\t */\n\treturn -EAGAIN;\n',
    rule: 'core-sequence-state',
  },
  {
    name: 'core: read_begin does not wait for the invalidation',
    file: 'mm/mmu_notifier.c',
    scope: 'mm/mmu_notifier.c',
    find: '\tif (is_invalidating)\n\t\twait_event(subscriptions->wq,\n\t\t\t   READ_ONCE(subscriptions->invalidate_seq) != seq);\n',
    replace: '',
    rule: 'core-sequence-state',
  },
  {
    name: 'core: remove does not wait for the invalidation in flight',
    file: 'mm/mmu_notifier.c',
    scope: 'mm/mmu_notifier.c',
    find: '\tif (seq)\n\t\twait_event(subscriptions->wq,\n\t\t\t   mmu_interval_seq_released(subscriptions, seq));\n',
    replace: '',
    rule: 'core-sequence-state',
  },
  {
    name: 'core: insert during an invalidation goes straight into the tree',
    file: 'mm/mmu_notifier.c',
    scope: 'mm/mmu_notifier.c',
    find: '\t\tif (mn_itree_is_invalidating(subscriptions))\n\t\t\thlist_add_head(&interval_sub->deferred_item,\n\t\t\t\t       &subscriptions->deferred_list);\n\t\telse {\n',
    replace: '\t\t{\n',
    rule: 'core-sequence-state',
  },
  {
    name: 'core: remove during an invalidation goes straight out of the tree',
    file: 'mm/mmu_notifier.c',
    scope: 'mm/mmu_notifier.c',
    find: '\t\t} else {\n\t\t\thlist_add_head(&interval_sub->deferred_item,\n\t\t\t\t       &subscriptions->deferred_list);\n\t\t\tseq = subscriptions->invalidate_seq;\n\t\t}\n',
    replace: '\t\t} else {\n\t\t\tinterval_tree_remove(&interval_sub->interval_tree,\n\t\t\t\t\t     &subscriptions->itree);\n\t\t}\n',
    rule: 'core-sequence-state',
  },
  {
    name: 'core: inv_end drops the deferred list',
    file: 'mm/mmu_notifier.c',
    scope: 'mm/mmu_notifier.c',
    find: '\t\tif (RB_EMPTY_NODE(&interval_sub->interval_tree.rb))\n\t\t\tinterval_tree_insert(&interval_sub->interval_tree,\n\t\t\t\t\t     &subscriptions->itree);\n\t\telse\n\t\t\tinterval_tree_remove(&interval_sub->interval_tree,\n\t\t\t\t\t     &subscriptions->itree);\n',
    replace: '',
    rule: 'core-sequence-state',
  },
  {
    name: 'core: release does not end its range',
    file: 'mm/mmu_notifier.c',
    scope: 'mm/mmu_notifier.c',
    find: '\t\tWARN_ON(!ret);\n\t}\n\n\tmn_itree_inv_end(subscriptions);\n}',
    replace: '\t\tWARN_ON(!ret);\n\t}\n}',
    rule: 'core-sequence-state',
  },
  {
    name: 'core: register starts the sequence odd',
    file: 'mm/mmu_notifier.c',
    scope: 'mm/mmu_notifier.c',
    find: '\t\tsubscriptions->invalidate_seq = 2;\n',
    replace: '\t\tsubscriptions->invalidate_seq = 1;\n',
    rule: 'core-sequence-state',
  },
  {
    name: 'core: c2655835fd8c reverted (no end after a failed start)',
    file: 'mm/mmu_notifier.c',
    scope: 'mm/mmu_notifier.c',
    find: '\t\t\tsubscription->ops->invalidate_range_end(subscription,\n\t\t\t\t\t\t\t\trange);\n\t\t}\n\t}\n\tsrcu_read_unlock(&srcu, id);\n\n\treturn ret;\n',
    replace: '\t\t}\n\t}\n\tsrcu_read_unlock(&srcu, id);\n\n\treturn ret;\n',
    rule: 'core-end-after-failed-start',
  },
  {
    name: 'i915: converted to two-pass with a GFP_KERNEL finish and no finish callback',
    file: 'drivers/gpu/drm/i915/gem/i915_gem_userptr.c',
    api: '7.1',
    find: 'static bool i915_gem_userptr_invalidate(struct mmu_interval_notifier *mni,\n\t\t\t\t\tconst struct mmu_notifier_range *range,\n\t\t\t\t\tunsigned long cur_seq)\n{\n\tmmu_interval_set_seq(mni, cur_seq);\n\treturn true;\n}',
    replace:
      'static bool i915_gem_userptr_invalidate(struct mmu_interval_notifier *mni,\n\t\t\t\t\tconst struct mmu_notifier_range *range,\n\t\t\t\t\tunsigned long cur_seq,\n\t\t\t\t\tstruct mmu_interval_notifier_finish **finish)\n{\n\tstruct i915_userptr_finish *f = kmalloc(sizeof(*f), GFP_KERNEL);\n\n\tmmu_interval_set_seq(mni, cur_seq);\n\tif (f)\n\t\t*finish = &f->base;\n\treturn true;\n}',
    rule: 'sleeping-gfp-in-first-pass',
  },
  // the interval notifier's life and the read section, as typestates (src/path/checkers/typestate.ts)
  {
    name: 'nouveau: a failed insert goes to the exit that removes',
    file: 'drivers/gpu/drm/nouveau/nouveau_svm.c',
    find: '\t\t\t\t\t&nouveau_svm_mni_ops);\n\tif (ret)\n\t\treturn ret;\n\n\trange.start',
    replace: '\t\t\t\t\t&nouveau_svm_mni_ops);\n\tif (ret)\n\t\tgoto out;\n\n\trange.start',
    rule: 'interval-notifier-not-inserted',
  },
  {
    name: 'nouveau: the retry as a statement',
    file: 'drivers/gpu/drm/nouveau/nouveau_svm.c',
    find: '\t\tif (mmu_interval_read_retry(range.notifier,\n\t\t\t\t\t    range.notifier_seq)) {\n\t\t\tmutex_unlock(&svmm->mutex);\n\t\t\tcontinue;\n\t\t}\n\t\tbreak;',
    replace: '\t\tmmu_interval_read_retry(range.notifier,\n\t\t\t\t\t    range.notifier_seq);\n\t\tbreak;',
    rule: 'read-retry-result-ignored',
  },
  {
    name: 'nouveau: an error return after the insert skips the remove',
    file: 'drivers/gpu/drm/nouveau/nouveau_svm.c',
    find: '\t\tif (ret <= 0 || !page) {\n\t\t\tret = -EINVAL;\n\t\t\tgoto out;\n\t\t}',
    replace: '\t\tif (ret <= 0 || !page)\n\t\t\treturn -EINVAL;',
    rule: 'interval-insert-not-undone',
  },
  {
    name: 'test_hmm: the snapshot notifier on the stack left inserted',
    file: 'lib/test_hmm.c',
    find: '\tmutex_unlock(&dmirror->mutex);\nout:\n\tmmu_interval_notifier_remove(range->notifier);\n\treturn ret;',
    replace: '\tmutex_unlock(&dmirror->mutex);\nout:\n\treturn ret;',
    rule: 'interval-insert-not-undone',
  },
  {
    name: 'amdgpu: a begin per chunk again (as 6.6 to 6.19 have it; 7.1 and 6.12.118 begin once before the loop)',
    file: 'drivers/gpu/drm/amd/amdgpu/amdgpu_hmm.c',
    find: '\thmm_range->notifier_seq = mmu_interval_read_begin(notifier);\n\tdo {\n\t\thmm_range->end = min(hmm_range->start + max_bytes, end);\n',
    replace: '\tdo {\n\t\thmm_range->end = min(hmm_range->start + max_bytes, end);\n\t\thmm_range->notifier_seq = mmu_interval_read_begin(notifier);\n',
    rule: 'read-sequence-overwritten',
  },
  {
    name: 'test_hmm: a second begin between the fault and the retry',
    file: 'lib/test_hmm.c',
    find: '\t\t\tgoto out;\n\t\t}\n\n\t\tmutex_lock(&dmirror->mutex);\n\t\tif (mmu_interval_read_retry(range->notifier,\n\t\t\t\t\t    range->notifier_seq)) {\n\t\t\tmutex_unlock(&dmirror->mutex);\n\t\t\tcontinue;\n\t\t}\n\t\tbreak;\n\t}\n\n\tn = ',
    replace:
      '\t\t\tgoto out;\n\t\t}\n\t\trange->notifier_seq = mmu_interval_read_begin(range->notifier);\n\n\t\tmutex_lock(&dmirror->mutex);\n\t\tif (mmu_interval_read_retry(range->notifier,\n\t\t\t\t\t    range->notifier_seq)) {\n\t\t\tmutex_unlock(&dmirror->mutex);\n\t\t\tcontinue;\n\t\t}\n\t\tbreak;\n\t}\n\n\tn = ',
    rule: 'read-sequence-overwritten',
  },
];

const results: Array<{ name: string; rule: string; detected: boolean; miss?: string }> = [];
const root = kernelDir('6.12');

async function findingsOf(scope: string, api: string, overlay?: Map<string, string>): Promise<Finding[]> {
  const r = await scan({ paths: [join(root, scope)], jobs: 1, overlay });
  if (r.problems.length) throw new Error(r.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return analyze(r.files, r.index, undefined, apiById(api)!);
}

describe('mutations of Linux 6.12 drivers', () => {
  beforeEach((ctx) => skipUnless(ctx, needKernel('6.12')));

  for (const m of MUTATIONS) {
    test(m.name, async () => {
      const source = readFileSync(join(root, m.file), 'utf8');
      const at = source.indexOf(m.find);
      expect(at, 'the mutation applies exactly once').toBeGreaterThanOrEqual(0);
      expect(source.indexOf(m.find, at + 1)).toBe(-1);
      const api = m.api ?? '6.12';
      // the edit is applied to an in-memory copy laid over the tree (scan's overlay)
      const scope = m.scope ?? dirname(m.file);
      const overlay = new Map([[join(root, m.file), source.replace(m.find, m.replace)]]);
      // a finding of the rule the original does not have (same place, severity and message)
      const key = (f: Finding): string => `${f.file}:${f.line}:${f.severity}:${f.message}`;
      const before = new Set((await findingsOf(scope, api)).filter((f) => f.rule === m.rule).map(key));
      const after = (await findingsOf(scope, api, overlay)).filter((f) => f.rule === m.rule && (m.severity === undefined || f.severity === m.severity)).map(key);
      const detected = after.some((k) => !before.has(k));
      results.push({ name: m.name, rule: m.rule, detected, miss: m.miss });
      expect(detected, m.miss ?? 'detected').toBe(m.miss === undefined);
    });
  }

  afterAll(() => {
    const found = results.filter((r) => r.detected).length;
    const lines = results.map((r) => `  ${r.detected ? 'detected' : 'missed  '} ${r.rule.padEnd(32)} ${r.name}${r.miss ? ` (${r.miss})` : ''}`);
    console.log(`mutation detection: ${found}/${results.length}\n${lines.join('\n')}`);
  });
});

/** Correct conversions a reviewer would accept: each must add no error (precision on the two-pass API). */
const I915_INVALIDATE =
  'static bool i915_gem_userptr_invalidate(struct mmu_interval_notifier *mni,\n\t\t\t\t\tconst struct mmu_notifier_range *range,\n\t\t\t\t\tunsigned long cur_seq)\n{\n\tmmu_interval_set_seq(mni, cur_seq);\n\treturn true;\n}\n\nstatic const struct mmu_interval_notifier_ops i915_gem_userptr_notifier_ops = {\n\t.invalidate = i915_gem_userptr_invalidate,\n};';
const TWO_PASS_HEAD =
  'static bool i915_gem_userptr_invalidate(struct mmu_interval_notifier *mni,\n\t\t\t\t\tconst struct mmu_notifier_range *range,\n\t\t\t\t\tunsigned long cur_seq,\n\t\t\t\t\tstruct mmu_interval_notifier_finish **finish)\n{\n';
const TWO_PASS_TABLE = '\nstatic const struct mmu_interval_notifier_ops i915_gem_userptr_notifier_ops = {\n\t.invalidate_start = i915_gem_userptr_invalidate,\n\t.invalidate_finish = i915_gem_userptr_finish,\n};';
const CONVERSIONS: Array<{ name: string; file: string; find: string; replace: string; api: string }> = [
  {
    name: 'i915 to two-pass, single pass (no finish handed out)',
    file: 'drivers/gpu/drm/i915/gem/i915_gem_userptr.c',
    api: '7.1',
    find: I915_INVALIDATE,
    replace: `static void i915_gem_userptr_finish(struct mmu_interval_notifier_finish *finish)\n{\n}\n\n${TWO_PASS_HEAD}\tmmu_interval_set_seq(mni, cur_seq);\n\treturn true;\n}\n${TWO_PASS_TABLE}`,
  },
  {
    name: 'i915 to two-pass, a GFP_NOWAIT finish per call, freed by the finish',
    file: 'drivers/gpu/drm/i915/gem/i915_gem_userptr.c',
    api: '7.1',
    find: I915_INVALIDATE,
    replace: `struct i915_userptr_finish {\n\tstruct mmu_interval_notifier_finish base;\n};\n\nstatic void i915_gem_userptr_finish(struct mmu_interval_notifier_finish *finish)\n{\n\tkfree(container_of(finish, struct i915_userptr_finish, base));\n}\n\n${TWO_PASS_HEAD}\tstruct i915_userptr_finish *f = kmalloc(sizeof(*f), GFP_NOWAIT);\n\n\tmmu_interval_set_seq(mni, cur_seq);\n\tif (f)\n\t\t*finish = &f->base;\n\treturn true;\n}\n${TWO_PASS_TABLE}`,
  },
];

describe('correct two-pass conversions of Linux 6.12 drivers add no error', () => {
  beforeEach((ctx) => skipUnless(ctx, needKernel('6.12')));

  for (const c of CONVERSIONS) {
    test(c.name, async () => {
      const source = readFileSync(join(root, c.file), 'utf8');
      expect(source.split(c.find).length, 'the edit applies exactly once').toBe(2);
      const scope = dirname(c.file);
      const key = (f: Finding): string => `${f.rule} ${f.message}`;
      const before = new Set((await findingsOf(scope, c.api)).filter((f) => f.severity === 'error').map(key));
      const after = (await findingsOf(scope, c.api, new Map([[join(root, c.file), source.replace(c.find, c.replace)]]))).filter((f) => f.severity === 'error');
      expect(after.filter((f) => !before.has(key(f))).map((f) => `${f.file}:${f.line} ${f.rule}: ${f.message}`)).toEqual([]);
    });
  }
});
