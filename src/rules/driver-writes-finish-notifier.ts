import { defineRule } from './rule.js';
import { atEvent, functionOf, step, decidedBy, about } from './support.js';
import { FINISH_FN, START_SIG } from './two-pass-api.js';
import { TWO_PASS_MEMBERS } from '../model/ops.js';

export default defineRule({
  id: 'driver-writes-finish-notifier',
  title: 'driver writes `finish->notifier`',
  severity: 'error',
  invariant: 'API',
  status: 'preview',
  since: '0.1.0',
  docs: {
    what: 'Flags a write to the `notifier` member of a `struct mmu_interval_notifier_finish` from driver code.',
    why: "The core sets `finish->notifier = interval_sub` when it queues the finish, and calls `f->notifier->ops->invalidate_finish(f)` in the finish pass (the two-pass series, v2). The member belongs to the core; a driver writing it can make the core call another notifier's finish.",
    bad: `${FINISH_FN}
${START_SIG}
{
	struct drv_job *job = kmalloc(sizeof(*job), GFP_NOWAIT);

	mmu_interval_set_seq(mni, cur_seq);
	if (!job)
		return true;
	job->finish.notifier = mni;
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
	if (!job)
		return true;
	*finish = &job->finish;
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate_start = drv_start,
	.invalidate_finish = drv_finish,
};
`,
    references: ['[PATCH v2 1/4] mm/mmu_notifier: Allow two-pass struct mmu_interval_notifiers: `finish->notifier = interval_sub;` in mn_itree_invalidate()'],
  },
  messages: {
    writesFinishNotifier: '{{call}} is written by the driver: the core sets finish->notifier when it queues the finish',
  },
  checkTable(table, ctx) {
    for (const field of TWO_PASS_MEMBERS) {
      const cb = ctx.callback(table, field);
      if (!cb?.fn) continue;
      for (const e of ctx.summary(cb.fn).events) {
        if (e.kind !== 'finish_notifier_write') continue;
        ctx.report({
          ...atEvent(e),
          function: functionOf(e, cb.fn.name),
          messageId: 'writesFinishNotifier',
          about: about(table, field, 'call', [e.name]),
          decidedBy: decidedBy(e),
          data: { call: e.name },
          steps: [step(e, `${e.name} = ${e.value}`, 'event')],
        });
      }
    }
  },
});
