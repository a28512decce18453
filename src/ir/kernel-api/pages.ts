// The read side's page uses: what fills range->hmm_pfns, and the uses of a
// page (a reference, a kernel mapping, a dirtying, the page lock) that belong
// after the retry. Read from Documentation/mm/hmm.rst and include/linux/mm.h,
// highmem.h, pagemap.h.

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

/**
 * The page lookups (see PAGE_LOOKUP_CALLS) and the argument each fills with
 * pages (include/linux/mm.h; make_device_exclusive_range(): mm/rmap.c).
 */
export const PAGE_LOOKUP_OUTPUT: Readonly<Record<string, number>> = {
  get_user_pages: 3,
  get_user_pages_fast: 3,
  get_user_pages_remote: 4,
  get_user_pages_unlocked: 3,
  pin_user_pages: 3,
  pin_user_pages_fast: 3,
  pin_user_pages_remote: 4,
  pin_user_pages_unlocked: 3,
  make_device_exclusive_range: 3,
  make_device_exclusive: 3,
};

/**
 * Calls that look pages up for a read section without taking part in its
 * sequence (include/linux/mm.h, mm/gup.c; make_device_exclusive_range() in
 * mm/rmap.c): what they return may be stale once an invalidation ran, so the
 * section's retry must follow them as it follows hmm_range_fault().
 */
export const PAGE_LOOKUP_CALLS: ReadonlySet<string> = new Set(Object.keys(PAGE_LOOKUP_OUTPUT));

/**
 * Calls that give pages back or free what held them (include/linux/mm.h,
 * pagemap.h, slab.h): what a section does with its pages after a failed
 * retry, which is no use of them.
 */
export const PAGE_RELEASE_CALLS: ReadonlySet<string> = new Set([
  'put_page',
  'folio_put',
  'release_pages',
  'unpin_user_page',
  'unpin_user_pages',
  'unpin_user_pages_dirty_lock',
  'unpin_user_page_range_dirty_lock',
  'unlock_page',
  'folio_unlock',
]);

/**
 * Conversions of a pfn or a page to another name of it (include/linux/hmm.h,
 * mm.h, migrate.h): reading what a section produced without committing it
 * anywhere.
 */
export const PFN_CONVERSIONS: ReadonlySet<string> = new Set(['hmm_pfn_to_page', 'hmm_pfn_to_phys', 'hmm_pfn_to_map_order', 'page_folio', 'page_to_pfn', 'page_to_phys', 'pfn_to_page', 'migrate_pfn_to_page']);
