// I5 on the read side: the core calls the invalidate callback with folio
// locks held (migration, reclaim), and the callback takes the driver's
// notifier lock. A read side that takes a folio lock (set_page_dirty_lock,
// lock_page) while holding that lock closes the cycle. And the callback
// itself: a folio lock it takes is a second one under the core's (the same
// folio: it waits for itself).
import { filesBeside } from '../ir/files.js';
import type { SummaryEvent } from '../ir/summary.js';
import { PAGE_LOCKING_CALLS } from '../ir/kernel-api/pages.js';
import { lockMember } from '../ir/queries.js';
import { defineRule } from './rule.js';
import { atEvent, functionOf, sitesOf, step, describeVia, decidedBy, about, bindingStep } from './support.js';
import { FIRST_PASS_MEMBERS, INVALIDATION_MEMBERS } from '../model/ops.js';

export default defineRule({
  id: 'page-lock-under-notifier-lock',
  title: 'a page lock taken by an invalidation callback, or under the lock the `invalidate` callback takes',
  severity: 'error',
  invariant: 'I5',
  status: 'stable',
  since: '0.1.0',
  docs: {
    what: 'Flags a page or folio lock (`set_page_dirty_lock`, `lock_page`, `folio_lock` ...) taken by an invalidation callback itself (`invalidate`, `invalidate_start`, `invalidate_range_start`, `invalidate_range_end`) or a function it calls, also through an ops member (`obj->ops->put_pages()`: a warning naming the candidate when several functions are set there). And, for an interval notifier, takes the locks its `invalidate` (or `invalidate_start`) callback takes, and flags a read-side function of the same directory (one that calls `hmm_range_fault()`) that takes a page or folio lock on a page from those pfns while holding one of them.',
    why: 'Migration and reclaim lock the folio and then invalidate its mappings (`migrate_pages_batch()` -> `try_to_migrate()` -> the notifier, `shrink_page_list()` -> `try_to_unmap()`), so the callback runs with a folio locked: a folio lock it takes waits for itself on that folio, or orders two folio locks the other way round elsewhere (the i915 userptr revert 505a8ec7e11a). And it waits for the driver lock with the folio locked: the read side holding the driver lock and waiting for the folio lock is the other half of an ABBA deadlock (the xe userptr fix "fix notifier vs folio deadlock", Fixes: 0a98219bcc96).',
    bad: `static bool drv_invalidate(struct mmu_interval_notifier *mni,
			   const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	struct drv_obj *obj = container_of(mni, struct drv_obj, notifier);

	if (!mmu_notifier_range_blockable(range))
		return false;
	down_write(&obj->notifier_lock);
	mmu_interval_set_seq(mni, cur_seq);
	up_write(&obj->notifier_lock);
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate = drv_invalidate,
};

static int drv_populate(struct drv_obj *obj, struct hmm_range *range)
{
	int ret;

	range->notifier_seq = mmu_interval_read_begin(&obj->notifier);
	ret = hmm_range_fault(range);
	if (ret)
		return ret;
	down_read(&obj->notifier_lock);
	if (mmu_interval_read_retry(&obj->notifier, range->notifier_seq)) {
		up_read(&obj->notifier_lock);
		return -EAGAIN;
	}
	set_page_dirty_lock(hmm_pfn_to_page(range->hmm_pfns[0]));
	up_read(&obj->notifier_lock);
	return 0;
}
`,
    good: `static bool drv_invalidate(struct mmu_interval_notifier *mni,
			   const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	struct drv_obj *obj = container_of(mni, struct drv_obj, notifier);

	if (!mmu_notifier_range_blockable(range))
		return false;
	down_write(&obj->notifier_lock);
	mmu_interval_set_seq(mni, cur_seq);
	up_write(&obj->notifier_lock);
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate = drv_invalidate,
};

static int drv_populate(struct drv_obj *obj, struct hmm_range *range)
{
	int ret;

	range->notifier_seq = mmu_interval_read_begin(&obj->notifier);
	ret = hmm_range_fault(range);
	if (ret)
		return ret;
	down_read(&obj->notifier_lock);
	if (mmu_interval_read_retry(&obj->notifier, range->notifier_seq)) {
		up_read(&obj->notifier_lock);
		return -EAGAIN;
	}
	/* hmm_range_fault() already marked the pages; no folio lock under ours */
	drv_update_device(obj, range);
	up_read(&obj->notifier_lock);
	return 0;
}
`,
    references: [
      '"drm/xe/userptr: fix notifier vs folio deadlock" (Matthew Auld, 2025, Message-Id <20250414132539.26654-2-matthew.auld@intel.com>)',
      '505a8ec7e11a Revert "drm/i915/userptr: Acquire the page lock around set_page_dirty()"',
      'mm/migrate.c: migrate_pages_batch()',
      'mm/rmap.c: try_to_unmap_one()',
    ],
  },
  messages: {
    folioLockInCallback:
      '{{call}}() takes a folio lock in {{taker}} ({{table}}.{{member}}): reclaim and migration run the invalidation with a folio locked (try_to_unmap_one()), so it may wait for the folio lock its own caller holds',
    folioLockUnderNotifierLock: '{{call}}() takes the folio lock while holding {{held}}, which {{taker}} ({{table}}) takes: migration calls the notifier with the folio locked, and the two wait for each other',
  },
  checkTable(table, ctx) {
    // the callback itself, either struct: the core may hold a folio lock around it
    for (const member of INVALIDATION_MEMBERS[table.kind]) {
      const cb = ctx.callback(table, member);
      if (!cb?.fn) continue;
      // a site reached directly is shown so, before a way through a function pointer
      const pointers = (e: SummaryEvent): number => e.via.filter((v) => v.through).length;
      const locking = ctx
        .summary(cb.fn)
        .events.filter((e) => 'args' in e && PAGE_LOCKING_CALLS.has(e.name))
        .sort((a, b) => pointers(a) - pointers(b));
      for (const e of sitesOf(locking, (x) => x)) {
        ctx.report({
          ...atEvent(e),
          function: functionOf(e, cb.fn.name),
          messageId: 'folioLockInCallback',
          about: about(table, member, 'call', [e.name]),
          decidedBy: decidedBy(e),
          data: { call: e.name, taker: `${cb.fn.name}()`, table: table.name, member },
          steps: [
            bindingStep(table, cb.field, cb.fn.name),
            ...describeVia(e.via),
            step(e, `${e.name}() takes a folio lock; try_to_unmap_one() and try_to_migrate_one() run the invalidation under folio_lock() (I5: the same folio waits for itself, two folios in no order)`, 'event'),
          ],
        });
      }
    }
    if (table.kind !== 'mmu_interval_notifier_ops') return;
    const taken = new Map<string, string>();
    for (const field of FIRST_PASS_MEMBERS.mmu_interval_notifier_ops) {
      const cb = ctx.callback(table, field);
      if (!cb?.fn) continue;
      for (const e of ctx.summary(cb.fn).events) if (e.kind === 'lock' && e.lock) taken.set(lockMember(e.lock), `${cb.fn.name}()`);
    }
    if (taken.size === 0) return;
    for (const f of filesBeside(ctx.files, table.file)) {
      for (const fn of f.functions) {
        if (!fn.events.some((e) => e.kind === 'fault')) continue;
        const uses = ctx.summary(fn).events.filter((e) => e.kind === 'page_use' && PAGE_LOCKING_CALLS.has(e.name) && e.locks.some((l) => taken.has(lockMember(l))));
        for (const e of sitesOf(uses, (x) => x)) {
          const held = e.locks.find((l) => taken.has(lockMember(l)))!;
          ctx.report({
            ...atEvent(e),
            function: functionOf(e, fn.name),
            messageId: 'folioLockUnderNotifierLock',
            about: about(null, null, 'call', [e.name]),
            decidedBy: decidedBy(e),
            data: { call: e.name, held, taker: taken.get(lockMember(held))!, table: table.name },
            steps: [
              step({ file: table.file }, `${table.name}.invalidate takes ${lockMember(held)} in ${taken.get(lockMember(held))}`, 'note'),
              ...describeVia(e.via),
              step(e, `${e.name}() on a page from hmm_range_fault() with ${held} held (I5: ABBA with migrate_pages_batch())`, 'event'),
            ],
          });
        }
      }
    }
  },
});
