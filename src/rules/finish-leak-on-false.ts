import { isFreeCall } from '../ir/kernel-api/effects.js';
import { eventsOnPath, nonZero } from '../ir/summary.js';
import { failedAllocation } from '../ir/queries.js';
import { describeWhen } from '../ir/describe.js';
import { defineRule } from './rule.js';
import { atReturn, modelEvidence, siteOf, step, decidedBy, about } from './support.js';
import { FINISH_FN, START_SIG } from './two-pass-api.js';

export default defineRule({
  id: 'finish-leak-on-false',
  title: 'finish object allocated, then `invalidate_start` returns false',
  severity: 'error',
  invariant: 'I7',
  status: 'preview',
  since: '0.1.0',
  docs: {
    what: 'Flags an `invalidate_start` path that allocates (the finish object) and then returns false without freeing it.',
    why: 'The core ignores `*finish` when the first pass returns false (two-pass series: only `if (ret && finish)` is queued), so the object is never passed to `invalidate_finish` and leaks on every non-blockable invalidation that bails out.',
    bad: `${FINISH_FN}
${START_SIG}
{
	struct drv_job *job = kmalloc(sizeof(*job), GFP_NOWAIT);

	if (!job) {
		drv_invalidate_now(mni);
		mmu_interval_set_seq(mni, cur_seq);
		return true;
	}
	if (!mmu_notifier_range_blockable(range))
		return false;
	mmu_interval_set_seq(mni, cur_seq);
	*finish = &job->finish;
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate_start = drv_start,
	.invalidate_finish = drv_finish,
};
`,
    good: `${FINISH_FN}
${START_SIG}
{
	struct drv_job *job;

	if (!mmu_notifier_range_blockable(range))
		return false;
	job = kmalloc(sizeof(*job), GFP_NOWAIT);
	mmu_interval_set_seq(mni, cur_seq);
	if (!job) {
		drv_invalidate_now(mni);
		return true;
	}
	*finish = &job->finish;
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate_start = drv_start,
	.invalidate_finish = drv_finish,
};
`,
    references: ['[PATCH v2 1/4] mm/mmu_notifier: Allow two-pass struct mmu_interval_notifiers: mn_itree_invalidate() queues only `if (ret && finish)`'],
  },
  messages: {
    leakOnFalse: '{{cb}}() returns false after {{alloc}}() at line {{allocLine}}: the core drops *finish on a false return, the object leaks',
  },
  checkTable(table, ctx) {
    const cb = ctx.callback(table, 'invalidate_start');
    if (!cb?.fn) return;
    const s = ctx.summary(cb.fn);
    for (const r of s.returns) {
      if (nonZero(r.value) !== false) continue;
      const events = eventsOnPath(s, r);
      const alloc = events.find((e) => e.kind === 'alloc');
      if (!alloc || events.some((e) => isFreeCall(e.name) && e.loc.line > alloc.loc.line)) continue;
      // the allocation itself failed on this path: nothing to leak
      if (failedAllocation(r.when)) continue;
      ctx.report({
        ...atReturn(r),
        function: cb.fn.name,
        messageId: 'leakOnFalse',
        about: about(table, 'invalidate_start', 'call', [alloc.name]),
        decidedBy: decidedBy(r),
        data: { cb: cb.fn.name, alloc: alloc.name, allocLine: alloc.loc.line },
        ...(modelEvidence(ctx, table, { kinds: ['finish-leaked-on-false'], callback: 'invalidate_start', site: siteOf(r) }) ?? {
          steps: [step(alloc, `${alloc.name}(..., ${alloc.gfp?.mask ?? ''})`, 'event'), step(r, `returns false${describeWhen(r.when)}; the core ignores *finish (I7)`, 'return')],
        }),
      });
    }
  },
});
