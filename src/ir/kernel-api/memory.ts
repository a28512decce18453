// Allocations: the allocators and the index of their GFP argument, and which
// GFP masks allow direct reclaim (the allocation may sleep). Read from
// include/linux/gfp_types.h and the allocators' headers (slab.h, gfp.h,
// mempool.h, xarray.h, idr.h, dma-mapping.h, dmapool.h).
import type { GfpClass } from '../types.js';

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
