import { isReleaseCall } from '../ir/kernel-api/effects.js';
import { eventsOnPath } from '../ir/summary.js';
import { finishHandedOut } from '../ir/queries.js';
import { defineRule } from './rule.js';
import { atReturn, step, decidedBy } from './support.js';
import { START_SIG } from './two-pass-api.js';

export default defineRule({
  id: 'finish-never-freed',
  title: 'allocated finish object not freed by `invalidate_finish`',
  severity: 'error',
  invariant: 'I7',
  status: 'preview',
  since: '0.1.0',
  docs: {
    what: 'When `invalidate_start` hands out a finish object it allocated, flags each `invalidate_finish` path that neither frees it (`kfree`, `kmem_cache_free`, `mempool_free`...) nor hands it back (a call ending in `_free`, `_put`, `_release`).',
    why: 'The finish pass is the last time the core touches the object: after `invalidate_finish(finish)` nothing else will free it. A path that forgets leaks one object per invalidation, under exactly the memory pressure that makes GFP_NOWAIT allocations fail (the kernel-doc of the two-pass series suggests a small pool for that reason).',
    bad: `${START_SIG}
{
	struct drv_job *job = kmalloc(sizeof(*job), GFP_NOWAIT);

	mmu_interval_set_seq(mni, cur_seq);
	if (!job) {
		drv_invalidate_now(mni);
		return true;
	}
	job->fence = drv_start_flush(mni);
	*finish = &job->finish;
	return true;
}

static void drv_finish(struct mmu_interval_notifier_finish *finish)
{
	struct drv_job *job = container_of(finish, struct drv_job, finish);

	drv_wait_flush(job->fence);
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate_start = drv_start,
	.invalidate_finish = drv_finish,
};
`,
    good: `${START_SIG}
{
	struct drv_job *job = kmalloc(sizeof(*job), GFP_NOWAIT);

	mmu_interval_set_seq(mni, cur_seq);
	if (!job) {
		drv_invalidate_now(mni);
		return true;
	}
	job->fence = drv_start_flush(mni);
	*finish = &job->finish;
	return true;
}

static void drv_finish(struct mmu_interval_notifier_finish *finish)
{
	struct drv_job *job = container_of(finish, struct drv_job, finish);

	drv_wait_flush(job->fence);
	kfree(job);
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate_start = drv_start,
	.invalidate_finish = drv_finish,
};
`,
    references: ['[PATCH v2 1/4] mm/mmu_notifier: Allow two-pass struct mmu_interval_notifiers, struct mmu_interval_notifier_finish kernel-doc ("consider implementing a small pool")'],
  },
  messages: {
    neverFreed: '{{finish}}() returns without freeing the finish object that {{start}}() allocated: it leaks on every invalidation taking this path',
  },
  checkTable(table, ctx) {
    const start = ctx.callback(table, 'invalidate_start');
    const finish = ctx.callback(table, 'invalidate_finish');
    if (!start?.fn || !finish?.fn) return;
    // only an object the first pass allocated is the finish pass's to free
    const allocated = ctx.summary(start.fn).events.some((e) => finishHandedOut(e)?.origin === 'allocated');
    if (!allocated) return;
    const s = ctx.summary(finish.fn);
    if (s.truncated) return;
    for (const r of s.returns) {
      if (eventsOnPath(s, r).some((e) => isReleaseCall(e.name))) continue;
      ctx.report({
        ...atReturn(r),
        function: finish.fn.name,
        messageId: 'neverFreed',
        decidedBy: decidedBy(r),
        data: { finish: finish.fn.name, start: start.fn.name },
        steps: [step(start.fn, `${start.fn.name}() hands out an allocated finish`, 'note'), step(r, `${finish.fn.name}() ends here without kfree / a pool put (I7)`, 'return')],
      });
    }
  },
});
