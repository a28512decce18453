import { defineRule } from './rule.js';
import { atField, modelEvidence } from './support.js';
import { FINISH_FN } from './two-pass-api.js';

export default defineRule({
  id: 'shared-finish-unguarded',
  title: 'one finish object handed out by concurrent invalidations',
  severity: 'error',
  invariant: 'I7',
  status: 'preview',
  since: '0.1.0',
  docs: {
    what: 'Flags an `invalidate_start` that hands out the same embedded finish object (`*finish = &obj->finish`) on every call without taking it under a lock and an in-use flag.',
    why: "Invalidations run in parallel on several CPUs, each holding its own queue of finishes until its finish pass. Two invalidations of the same notifier both queue the one embedded object: its llist link is corrupted and one finish pass runs twice. Linux 7.1's first user (xe) embeds one object but takes it under the notifier lock with an in-use flag, and does the job in the first pass when it is busy.",
    bad: `${FINISH_FN.replace('kfree(job);', '')}
static bool drv_start(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
		      unsigned long cur_seq, struct mmu_interval_notifier_finish **finish)
{
	struct drv_job *job = container_of(mni, struct drv_job, notifier);

	mmu_interval_set_seq(mni, cur_seq);
	drv_start_flush(job);
	*finish = &job->finish;
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate_start = drv_start,
	.invalidate_finish = drv_finish,
};
`,
    good: `${FINISH_FN.replace('kfree(job);', 'spin_lock(&job->lock);\n\tjob->finish_busy = false;\n\tspin_unlock(&job->lock);')}
static bool drv_start(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
		      unsigned long cur_seq, struct mmu_interval_notifier_finish **finish)
{
	struct drv_job *job = container_of(mni, struct drv_job, notifier);

	spin_lock(&job->lock);
	mmu_interval_set_seq(mni, cur_seq);
	if (job->finish_busy) {
		spin_unlock(&job->lock);
		drv_invalidate_now(job);
		return true;
	}
	job->finish_busy = true;
	spin_unlock(&job->lock);
	drv_start_flush(job);
	*finish = &job->finish;
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate_start = drv_start,
	.invalidate_finish = drv_finish,
};
`,
    references: ['include/linux/mmu_notifier.h (7.1): "each parallel invocation needs its own struct mmu_interval_notifier_finish"', 'drivers/gpu/drm/xe/xe_userptr.c (7.1): the guarded embedded finish'],
  },
  messages: {
    globalFinish: '{{table}}.invalidate_start hands out one global (or function-static) finish object to every notifier and invalidation; allocate one per call, or embed one per notifier and guard it',
    embeddedFinish: '{{table}}.invalidate_start hands out one embedded finish object to concurrent invalidations; guard it (lock + in-use flag, single pass when busy) or allocate one per call',
  },
  checkTable(table, ctx) {
    if (!ctx.api.twoPass || !ctx.callback(table, 'invalidate_start')?.fn) return;
    const query = { kinds: ['finish-shared-by-all', 'finish-shared-by-concurrent'] as const, callback: 'invalidate_start' };
    const v = ctx.model(table).find(query);
    const evidence = modelEvidence(ctx, table, query);
    if (!evidence || !v) return;
    const global = v.kind === 'finish-shared-by-all';
    ctx.report({
      ...atField(table, 'invalidate_start'),
      function: null,
      messageId: global ? 'globalFinish' : 'embeddedFinish',
      data: { table: table.name },
      ...evidence,
    });
  },
});
