import { atLoc, bindingStep, step, describeVia, decidedBy, about } from './support.js';
import { describeWhen } from '../ir/describe.js';
import { defineRule } from './rule.js';
import { FIRST_PASS_MEMBERS } from '../model/ops.js';

export default defineRule({
  id: 'sleeping-gfp-in-first-pass',
  title: 'sleeping GFP allocation in a first-pass invalidation callback',
  severity: 'error',
  invariant: 'I5',
  status: 'stable',
  since: '0.1.0',
  docs: {
    what: 'Flags an allocation with a mask that allows direct reclaim (`GFP_KERNEL`, `GFP_USER`, `GFP_HIGHUSER*`, `GFP_NOFS`, `GFP_NOIO`, anything with `__GFP_DIRECT_RECLAIM`) reachable from `invalidate`, `invalidate_start` or `invalidate_range_start` on a path where the range is not known to be blockable. The same allocation on a path that only runs in blockable ranges is the rule reclaim-in-invalidation.',
    why: 'The core calls these callbacks with non-blockable ranges (the OOM reaper, `mmu_notifier_invalidate_range_start_nonblock`), inside `non_block_start()`: nothing may sleep there, and direct reclaim sleeps. Even in a blockable range, reclaim itself enters `invalidate_range_start` (mm/page_alloc.c annotates `fs_reclaim_acquire` with `__mmu_notifier_invalidate_range_start_map`), so lockdep reports the allocation as a possible reclaim recursion. The two-pass series asks for `GFP_NOWAIT` in the first pass and a single-pass fallback when it fails.',
    bad: `static bool drv_invalidate(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	struct drv_job *job = kmalloc(sizeof(*job), GFP_KERNEL);

	if (!job) {
		drv_invalidate_now(mni);
		return true;
	}
	drv_queue(job);
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate = drv_invalidate,
};
`,
    good: `static bool drv_invalidate(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	struct drv_job *job = kmalloc(sizeof(*job), GFP_NOWAIT);

	if (!job) {
		drv_invalidate_now(mni);
		return true;
	}
	drv_queue(job);
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate = drv_invalidate,
};
`,
    references: [
      'include/linux/mmu_notifier.h: struct mmu_interval_notifier_ops @invalidate ("Return false only if sleeping was required but mmu_notifier_range_blockable(range) is false")',
      'mm/page_alloc.c: __fs_reclaim_acquire() and __mmu_notifier_invalidate_range_start_map',
      '[PATCH v2 1/4] mm/mmu_notifier: Allow two-pass struct mmu_interval_notifiers: "Allocate, typically using GFP_NOWAIT in the interval notifier\'s first pass"',
    ],
  },
  messages: {
    sleepingMask: '{{call}}(..., {{mask}}) may sleep in direct reclaim, reachable from {{field}} callback {{cb}}() when the range is not blockable; use GFP_NOWAIT and a fallback',
    unknownMask: '{{call}}() in {{field}} callback {{cb}}() uses mask {{mask}}, which mnlint cannot classify, on a path that runs in non-blockable ranges',
  },
  checkTable(table, ctx) {
    for (const field of FIRST_PASS_MEMBERS[table.kind]) {
      const cb = ctx.callback(table, field);
      if (!cb?.fn) continue;
      // one finding per allocation: the path where the range is not blockable
      // decides, so visit those events first (the engine keeps the first report)
      const events = [...ctx.summary(cb.fn).events].sort((a, b) => Number(a.when.blockable === true) - Number(b.when.blockable === true));
      const reported = new Set<string>();
      for (const e of events) {
        if (e.kind !== 'alloc' || !e.gfp) continue;
        const where = `${e.file}:${e.loc.line}:${e.loc.column}`;
        if (reported.has(where)) continue;
        const nonBlocking = e.when.blockable !== true;
        if (e.gfp.class === 'atomic') continue;
        // in a blockable range it is a reclaim recursion, not a sleep: reclaim-in-invalidation
        if (!nonBlocking) continue;
        // warnings only in the callback's own body: deeper, the conditions of
        // the callees (a size test before a slow-path kmalloc) are not tracked
        if (e.gfp.class !== 'sleeping' && e.via.length > 0) continue;
        const proven = e.gfp.class === 'sleeping';
        reported.add(where);
        const head = `${e.name}(..., ${e.gfp.mask})`;
        ctx.report({
          severity: proven ? 'error' : 'warning',
          ...atLoc(e.file, e.loc),
          function: e.via.length ? e.via[e.via.length - 1]!.function : cb.fn.name,
          messageId: e.gfp.class === 'unknown' ? 'unknownMask' : 'sleepingMask',
          decidedBy: decidedBy(e),
          about: about(table, field, 'call', [e.name]),
          data: { call: e.name, mask: e.gfp.mask, field, cb: cb.fn.name },
          steps: [bindingStep(table, cb.field, cb.fn.name), ...describeVia(e.via), step(e, `${head}${describeWhen(e.when) || ' on a path with no mmu_notifier_range_blockable() test'}`, 'event')],
        });
      }
    }
  },
});
