import { nonZero } from '../ir/summary.js';
import { failedAllocation } from '../ir/queries.js';
import { describeWhen } from '../ir/describe.js';
import { defineRule } from './rule.js';
import { atReturn, note, step, decidedBy } from './support.js';
import { FINISH_FN, START_SIG } from './two-pass-api.js';

export default defineRule({
  id: 'finish-alloc-failure-returns-false',
  title: 'finish allocation failure answered with `return false`',
  severity: 'error',
  invariant: 'I4',
  status: 'preview',
  since: '0.1.0',
  docs: {
    what: 'Flags an `invalidate_start` that returns false when its (GFP_NOWAIT) finish allocation fails, instead of doing the whole job in the first pass.',
    why: 'Under memory pressure GFP_NOWAIT fails often, and with many two-pass notifiers more so (the v2 series: "If allocation fails (which is not unlikely under memory pressure), fall back to single-pass operation"). Returning false fails the invalidation: in a blockable range the core WARNs and the device keeps stale mappings; in a non-blockable one the OOM reaper gives up on the mm.',
    bad: `${FINISH_FN}
${START_SIG}
{
	struct drv_job *job = kmalloc(sizeof(*job), GFP_NOWAIT);

	if (!job)
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
	struct drv_job *job = kmalloc(sizeof(*job), GFP_NOWAIT);

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
    references: ['[PATCH v2 1/4] mm/mmu_notifier: Allow two-pass struct mmu_interval_notifiers, struct mmu_interval_notifier_finish kernel-doc'],
  },
  messages: {
    falseOnAllocFailure: '{{cb}}() returns false when its finish allocation fails; fall back to doing the invalidation in the first pass and leave *finish NULL',
  },
  checkTable(table, ctx) {
    const cb = ctx.callback(table, 'invalidate_start');
    if (!cb?.fn) return;
    for (const r of ctx.summary(cb.fn).returns) {
      if (nonZero(r.value) !== false || !failedAllocation(r.when)) continue;
      ctx.report({
        ...atReturn(r),
        function: cb.fn.name,
        messageId: 'falseOnAllocFailure',
        decidedBy: decidedBy(r),
        data: { cb: cb.fn.name },
        steps: [step(r, `returns false${describeWhen(r.when)}`, 'return'), note('a failed GFP_NOWAIT allocation is not a reason to fail the invalidation (I4)')],
      });
    }
  },
});
