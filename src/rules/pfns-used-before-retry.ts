// I6 on the read side, as Documentation/mm/hmm.rst writes it: the pages of a
// read section (hmm_range_fault() filling range->hmm_pfns) are used only
// after mmu_interval_read_retry() said the section holds, and under the lock
// it was checked under. The read-side checker follows each read section along
// the paths (faulted, then retried) and says where it stood at each page use
// and each call to a helper; this rule only reads those facts.
import { sectionRetried } from '../ir/queries.js';
import type { ReadSectionFact } from '../ir/types.js';
import { describeWhen } from '../ir/describe.js';
import { defineRule } from './rule.js';
import { atEvent, functionOf, placeOf, step, describeVia, decidedBy, about } from './support.js';

export default defineRule({
  id: 'pfns-used-before-retry',
  title: 'pages of a read section used before `mmu_interval_read_retry()` succeeded, or after the lock dropped',
  severity: 'error',
  invariant: 'I6',
  status: 'stable',
  since: '0.1.0',
  docs: {
    what: 'In a function that calls `hmm_range_fault()`, flags a reference, kernel mapping or dirtying of a page made from its pfns (`get_page`, `kmap*`, `page_address`, `set_page_dirty*`, ...) on a path where `mmu_interval_read_retry()` has not returned false (a function that faults and retries nowhere leaves the section open: its sequence, stored in a field or returned, is retried later, elsewhere), or where the lock held at that retry is no longer held. DMA mapping is not flagged: drivers map first and commit after the retry.',
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
      if (!fn.readSections?.length) continue;
      // where the read-side checker saw the section stand, by the event of the function
      const sections = new Map<number, ReadSectionFact[]>();
      for (const f of fn.readSections) sections.set(f.event, [...(sections.get(f.event) ?? []), f]);
      const s = ctx.summary(fn);
      const seen = new Set<string>();
      s.events.forEach((e, k) => {
        if (e.kind !== 'page_use') return;
        // a helper's page use stands where the function called it
        for (const fact of sections.get(s.origin[k]!) ?? []) {
          const retry = fact.retry === null ? null : fn.events[fact.retry]!;
          const checked = sectionRetried(e.when) === false;
          // every lock held at the retry is still held at the use
          const dropped = checked && !!retry?.locks.some((l) => !e.locks.includes(l));
          if (checked && !dropped) continue;
          const key = placeOf(e);
          if (seen.has(key)) continue;
          seen.add(key);
          ctx.report({
            ...atEvent(e),
            function: functionOf(e, fn.name),
            about: about(null, null, 'call', [e.name]),
            decidedBy: decidedBy(e),
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
              ...(retry ? [step({ file: fn.file, loc: retry.loc }, `${retry.name}() under ${retry.locks.join(', ') || 'no lock'}`, 'event')] : []),
              ...describeVia(e.via),
              step(e, `${e.name}(${e.args.join(', ')})${describeWhen(e.when)} (I6: use the pages only after a successful retry, under its lock)`, 'event'),
            ],
          });
        }
      });
    }
  },
});
