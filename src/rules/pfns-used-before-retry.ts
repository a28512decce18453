// I6 on the read side, as Documentation/mm/hmm.rst writes it: the pages of a
// read section (hmm_range_fault() filling range->hmm_pfns) are used only
// after mmu_interval_read_retry() said the section holds, and under the lock
// it was checked under. The read-side checker marks the fault, the uses of pages made
// from its pfns, and the retry's outcome on each path.
import { sectionRetried } from '../ir/queries.js';
import { eventsOnPath, type SummaryEvent } from '../ir/summary.js';
import { describeWhen } from '../ir/describe.js';
import { defineRule } from './rule.js';
import { atEvent, functionOf, placeOf, step, describeVia } from './support.js';

export default defineRule({
  id: 'pfns-used-before-retry',
  title: 'pages of a read section used before `mmu_interval_read_retry()` succeeded, or after the lock dropped',
  severity: 'error',
  invariant: 'I6',
  docs: {
    what: 'In a function that calls `hmm_range_fault()`, flags a reference, kernel mapping or dirtying of a page made from its pfns (`get_page`, `kmap*`, `page_address`, `set_page_dirty*`, ...) on a path where `mmu_interval_read_retry()` has not returned false, or where the lock held at that retry is no longer held. DMA mapping is not flagged: drivers map first and commit after the retry.',
    why: '`hmm_range_fault()` takes no page references: until `mmu_interval_read_retry()` returns false under the driver lock that the `invalidate` callback takes, the pages may already be unmapped and freed. hmm.rst: "take_lock(driver->update); if (mmu_interval_read_retry(&ni, range.notifier_seq)) { release_lock(driver->update); goto again; } /* Use pfns array content to update device page table, under the update lock */ release_lock(driver->update);"',
    bad: `static int drv_populate(struct drv_mirror *m, struct hmm_range *range)
{
	struct page *page;
	int ret;

again:
	range->notifier_seq = mmu_interval_read_begin(range->notifier);
	mmap_read_lock(m->mm);
	ret = hmm_range_fault(range);
	mmap_read_unlock(m->mm);
	if (ret)
		return ret;
	page = hmm_pfn_to_page(range->hmm_pfns[0]);
	set_page_dirty_lock(page);
	mutex_lock(&m->lock);
	if (mmu_interval_read_retry(range->notifier, range->notifier_seq)) {
		mutex_unlock(&m->lock);
		goto again;
	}
	drv_update_device(m, range);
	mutex_unlock(&m->lock);
	return 0;
}
`,
    good: `static int drv_populate(struct drv_mirror *m, struct hmm_range *range)
{
	struct page *page;
	int ret;

again:
	range->notifier_seq = mmu_interval_read_begin(range->notifier);
	mmap_read_lock(m->mm);
	ret = hmm_range_fault(range);
	mmap_read_unlock(m->mm);
	if (ret)
		return ret;
	mutex_lock(&m->lock);
	if (mmu_interval_read_retry(range->notifier, range->notifier_seq)) {
		mutex_unlock(&m->lock);
		goto again;
	}
	page = hmm_pfn_to_page(range->hmm_pfns[0]);
	set_page_dirty_lock(page);
	drv_update_device(m, range);
	mutex_unlock(&m->lock);
	return 0;
}
`,
    references: ['Documentation/mm/hmm.rst: "Address space mirroring implementation and API"', 'include/linux/mmu_notifier.h: mmu_interval_read_retry()'],
  },
  messages: {
    usedBeforeRetry: '{{call}}() on a page from hmm_range_fault() before mmu_interval_read_retry() said the section holds: the page may already be unmapped and freed',
    usedBeforeRetryInHelper: '{{call}}() on a page from hmm_range_fault() before mmu_interval_read_retry() said the section holds (in {{helper}}(), called from {{fn}}()): the page may already be unmapped and freed',
    usedAfterUnlock: '{{call}}() on a page of the read section after {{locks}} was dropped: an invalidation may have run since mmu_interval_read_retry()',
  },
  checkFile(file, ctx) {
    for (const fn of file.functions) {
      if (!fn.events.some((e) => e.kind === 'fault')) continue;
      const s = ctx.summary(fn);
      if (!s.events.some((e) => e.kind === 'page_use')) continue;
      const seen = new Set<string>();
      for (const r of s.returns) {
        let faulted = false;
        let retry: SummaryEvent | null = null;
        // in the order of the root function: a helper's events sit at its call
        for (const e of eventsOnPath(s, r).sort(byRootPlace)) {
          if (e.kind === 'fault') {
            faulted = true;
            retry = null;
          } else if (e.kind === 'read_retry' || e.kind === 'check_retry') retry = e;
          if (e.kind !== 'page_use' || !faulted) continue;
          const key = placeOf(e);
          if (seen.has(key)) continue;
          const checked = sectionRetried(e.when) === false;
          // every lock held at the retry is still held at the use
          const dropped = checked && retry?.locks.some((l) => !e.locks.includes(l));
          if (checked && !dropped) continue;
          seen.add(key);
          ctx.report({
            ...atEvent(e),
            function: functionOf(e, fn.name),
            ...(checked
              ? { messageId: 'usedAfterUnlock' as const, data: { call: e.name, locks: retry!.locks.filter((l) => !e.locks.includes(l)).join(', ') } }
              : e.via.length
                ? { messageId: 'usedBeforeRetryInHelper' as const, data: { call: e.name, helper: functionOf(e, fn.name), fn: fn.name } }
                : { messageId: 'usedBeforeRetry' as const, data: { call: e.name } }),
            steps: [
              ...fn.events
                .filter((x) => x.kind === 'fault')
                .slice(0, 1)
                .map((x) => step({ file: fn.file, loc: x.loc }, `${x.name}() fills the pfns (no page references)`, 'event')),
              ...(retry ? [step(retry, `${retry.name}() under ${retry.locks.join(', ') || 'no lock'}`, 'event')] : []),
              ...describeVia(e.via),
              step(e, `${e.name}(${e.args.join(', ')})${describeWhen(e.when)} (I6: use the pages only after a successful retry, under its lock)`, 'event'),
            ],
          });
        }
      }
    }
  },
});

/** Where an event sits in the root function: its own place, or the call that leads to it. */
function byRootPlace(a: SummaryEvent, b: SummaryEvent): number {
  const line = (e: SummaryEvent): number => (e.via.length ? e.via[0]!.line : e.loc.line);
  return line(a) - line(b) || a.via.length - b.via.length || a.loc.line - b.loc.line || a.loc.column - b.loc.column;
}
