// The lists' subject grammar: real subjects of notifier postings (stable
// queue, AUTOSEL, backports, list tags, tree tags) and the forms b4 and
// patchwork read, each with what it says about version, number and queue.
import { describe, expect, test } from 'vitest';
import { parseSubjectTag, patchLabel, type Patch } from '../src/input/patch.js';
import { parseSubject, queueOf } from '../src/input/subject.js';

type Row = [
  subject: string,
  want: { v?: number; n?: [number, number]; stable?: string | null; autosel?: boolean; rfc?: boolean; resend?: boolean; tags?: string[]; reply?: boolean; patch?: boolean; rest?: string; lists?: string[] },
];

const ROWS: Row[] = [
  ['[PATCH] mm, notifier: Fix early return case for new lockdep annotations', { v: 1, n: [1, 1], rest: 'mm, notifier: Fix early return case for new lockdep annotations' }],
  ['[PATCH v3 2/7] drm/xe: something', { v: 3, n: [2, 7] }],
  ['[RFC PATCH v2 0/5] mm: a cover', { v: 2, n: [0, 5], rfc: true }],
  ['[PATCH RFC] mm: an idea', { rfc: true, n: [1, 1] }],
  ['[PATCH net-next v2 1/3] net: x', { v: 2, n: [1, 3], tags: ['net-next'] }],
  ['[PATCH for-next 2/2] RDMA/x: y', { v: 1, n: [2, 2], tags: ['for-next'] }],
  ['[PATCH for-rc 6/6] RDMA/x: y', { v: 1, n: [6, 6], tags: ['for-rc'], stable: null }],
  ['[PATCH rdma-next v1 1/4] IB/core: Improve ODP to use hmm_range_fault()', { v: 1, n: [1, 4], tags: ['rdma-next'] }],
  ['[PATCH hmm v3 00/14] Consolidate the mmu notifier interval_tree and locking', { v: 3, n: [0, 14], tags: ['hmm'] }],
  ['[PATCH v3 hmm 12/12] mm/hmm: Fix error flows in hmm_invalidate_range_start', { v: 3, n: [12, 12], tags: ['hmm'] }],
  ['[PATCH hmm 05/15] RDMA/odp: Use mmu_range_notifier_insert()', { v: 1, n: [5, 15], tags: ['hmm'] }],
  // the stable queue: a release, never a version
  ['[PATCH 6.12 110/269] x', { v: 1, n: [110, 269], stable: '6.12' }],
  ["[PATCH 6.1.y] drm/amdkfd: Don't call mmput from MMU notifier callback", { v: 1, n: [1, 1], stable: '6.1.y' }],
  ["[PATCH 6.6.y] drm/amdkfd: Don't call mmput from MMU notifier callback", { stable: '6.6.y' }],
  ['[PATCH 5.15 05/41] x', { v: 1, n: [5, 41], stable: '5.15' }],
  ['[PATCH AUTOSEL 5.15 05/41] drm/amdkfd: Use mmget_not_zero in MMU notifier', { v: 1, n: [5, 41], stable: '5.15', autosel: true }],
  ['[PATCH AUTOSEL 5.18 06/47] drm/amdkfd: Use mmget_not_zero in MMU notifier', { n: [6, 47], stable: '5.18', autosel: true }],
  ['[PATCH AUTOSEL 6.6 1/3] x', { v: 1, n: [1, 3], stable: '6.6', autosel: true }],
  ['[PATCH AUTOSEL 6.1 17/27] drm/amdkfd: Fix lock dependency warning with srcu', { n: [17, 27], stable: '6.1', autosel: true }],
  ['[PATCH 5.18 010/141] drm/amdkfd: Use mmget_not_zero in MMU notifier', { v: 1, n: [10, 141], stable: '5.18' }],
  ['[PATCH 4.19 087/114] drm/i915/userptr: Acquire the page lock around set_page_dirty()', { n: [87, 114], stable: '4.19' }],
  ['[PATCH 5.2 362/413] RDMA/odp: Fix missed unlock in non-blocking invalidate_start', { n: [362, 413], stable: '5.2' }],
  ['[PATCH 6.1 208/259] iommu/arm-smmu-v3: Fix soft lockup triggered by arm_smmu_mm_invalidate_range', { n: [208, 259], stable: '6.1' }],
  ['[PATCH 6.6 247/322] drm/amdkfd: Fix lock dependency warning with srcu', { n: [247, 322], stable: '6.6' }],
  ['[PATCH 6.12 182/223] drm/xe/userptr: fix notifier vs folio deadlock', { n: [182, 223], stable: '6.12' }],
  ['[PATCH 6.6 368/393] Fix mmu notifiers for range-based invalidates', { n: [368, 393], stable: '6.6', rest: 'Fix mmu notifiers for range-based invalidates' }],
  // a backport whose subject lost its subsystem prefix
  ['[PATCH 4.19] Ignore failure to unmap -1', { v: 1, n: [1, 1], stable: '4.19', rest: 'Ignore failure to unmap -1' }],
  // replies and forwards
  ['Re: [PATCH 5.10] xen/gntdev: Avoid blocking in unmap_grant_pages()', { reply: true, stable: '5.10', rest: 'xen/gntdev: Avoid blocking in unmap_grant_pages()' }],
  ['Re: [PATCH v2 1/2] drm/drv: x', { reply: true, v: 2, n: [1, 2] }],
  ['Fwd: [PATCH v2 1/2] drm/drv: x', { reply: false, v: 2, n: [1, 2] }],
  ['AW: [PATCH] x', { reply: true }],
  ['[PATCH v2 RESEND 1/2] x', { v: 2, n: [1, 2], resend: true }],
  ['[RESEND PATCH v9 13/13] iommu/arm-smmu-v3: Hook up ATC invalidation to mm ops', { v: 9, n: [13, 13], resend: true }],
  ['[PATCH v10 13/13] iommu/arm-smmu-v3: Hook up ATC invalidation to mm ops', { v: 10, n: [13, 13] }],
  ['[PATCHv3] x', { v: 3 }],
  // two bracket groups; list tags; no PATCH at all
  ['[GIT PULL] Please pull hmm changes', { patch: false, tags: ['GIT', 'PULL'], rest: 'Please pull hmm changes' }],
  ['[PATCH][next] drm/x: y', { tags: ['next'], rest: 'drm/x: y' }],
  ['[PATCH] [arm64/tlb] Fix mmu notifiers for range-based invalidates', { tags: ['arm64/tlb'], rest: 'Fix mmu notifiers for range-based invalidates' }],
  ['[Intel-gfx] [PATCH] drm/i915/userptr: Acquire the page lock around set_page_dirty()', { lists: ['Intel-gfx'], tags: [], rest: 'drm/i915/userptr: Acquire the page lock around set_page_dirty()' }],
  ['[Nouveau] [PATCH v3 14/14] xen/gntdev: use mmu_interval_notifier_insert', { lists: ['Nouveau'], v: 3, n: [14, 14] }],
  ['[FIXES 1/3] drm/i915/userptr: Try to acquire the page lock around set_page_dirty()', { patch: false, n: [1, 3], tags: ['FIXES'] }],
  // prefixes lost
  ['drm/amdkfd: Use mmget_not_zero in MMU notifier', { patch: false, v: 1, n: [1, 1], rest: 'drm/amdkfd: Use mmget_not_zero in MMU notifier' }],
  [
    'FAILED: patch "[PATCH] drm/i915/userptr: Acquire the page lock around" failed to apply to 4.9-stable tree',
    { patch: false, stable: null, rest: 'FAILED: patch "[PATCH] drm/i915/userptr: Acquire the page lock around" failed to apply to 4.9-stable tree' },
  ],
];

describe('subject grammar', () => {
  test.each(ROWS)('%s', (subject, want) => {
    const p = parseSubject(subject);
    if (want.v !== undefined) expect(p.version).toBe(want.v);
    if (want.n) expect([p.index, p.total]).toEqual(want.n);
    if (want.stable !== undefined) expect(p.labels.stable).toBe(want.stable);
    expect(p.labels.autosel).toBe(want.autosel ?? false);
    expect(p.labels.rfc).toBe(want.rfc ?? false);
    expect(p.labels.resend).toBe(want.resend ?? false);
    if (want.tags) expect(p.labels.tags).toEqual(want.tags);
    expect(p.reply).toBe(want.reply ?? false);
    expect(p.patch).toBe(want.patch ?? true);
    if (want.rest !== undefined) expect(p.rest).toBe(want.rest);
    if (want.lists) expect(p.lists).toEqual(want.lists);
  });

  test('the stable queue and AUTOSEL are queues of their own; trees and RFC are not', () => {
    const q = (s: string): string => queueOf(parseSubject(s).labels);
    expect(q('[PATCH v3 2/3] x')).toBe('mainline');
    expect(q('[PATCH net-next v2 1/3] x')).toBe('mainline');
    expect(q('[RFC PATCH 1/2] x')).toBe('mainline');
    expect(q('[PATCH 6.12 110/269] x')).toBe('6.12');
    expect(q('[PATCH AUTOSEL 5.15 05/41] x')).toBe('AUTOSEL 5.15');
    expect(q('[PATCH 5.15 05/41] x')).not.toBe(q('[PATCH AUTOSEL 5.15 05/41] x'));
  });

  test('labels a patch keeps: shown where it is named', () => {
    const label = (subject: string): string => {
      const s = parseSubject(subject);
      const p = { version: s.version, index: s.index, total: s.total, subject: s.rest, labels: s.labels } as Patch;
      return patchLabel(p);
    };
    expect(label('[PATCH AUTOSEL 5.15 05/41] drm/amdkfd: Use mmget_not_zero in MMU notifier')).toBe('[PATCH AUTOSEL 5.15 05/41] drm/amdkfd: Use mmget_not_zero in MMU notifier');
    expect(label('[PATCH 6.1.y] drm/amdkfd: x')).toBe('[PATCH 6.1.y] drm/amdkfd: x');
    expect(label('[RFC PATCH net-next v2 1/3] net: x')).toBe('[RFC PATCH net-next v2 1/3] net: x');
    expect(label('[PATCH] drm/x: y')).toBe('drm/x: y');
  });

  test('parseSubjectTag keeps its shape; a subject without PATCH has none', () => {
    expect(parseSubjectTag('[PATCH 6.1.y] x')).toEqual({ version: 1, index: 1, total: 1, rest: 'x' });
    expect(parseSubjectTag('[PATCH for-rc 6/6] x')).toEqual({ version: 1, index: 6, total: 6, rest: 'x' });
    expect(parseSubjectTag('[GIT PULL] x')).toBeNull();
  });
});
