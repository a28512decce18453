import { defineRule, fieldFn } from './rule.js';
import { atField, step } from './support.js';
import { FINISH_FN, START_SIG } from './two-pass-api.js';

export default defineRule({
  id: 'finish-without-start',
  title: '`invalidate_finish` set without `invalidate_start`',
  severity: 'error',
  invariant: 'I3',
  status: 'preview',
  since: '0.1.0',
  docs: {
    what: 'Flags a `struct mmu_interval_notifier_ops` with `invalidate_finish` but no `invalidate_start`.',
    why: 'The core only queues a finish handed out by `invalidate_start`; with `invalidate` alone the finish callback is never called, so whatever the driver meant to wait for in it is never waited for (the two-pass series, v2).',
    bad: `${FINISH_FN}
static bool drv_invalidate(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	mmu_interval_set_seq(mni, cur_seq);
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate = drv_invalidate,
	.invalidate_finish = drv_finish,
};
`,
    good: `${FINISH_FN}
${START_SIG}
{
	mmu_interval_set_seq(mni, cur_seq);
	*finish = NULL;
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate_start = drv_start,
	.invalidate_finish = drv_finish,
};
`,
    references: ['[PATCH v2 1/4] mm/mmu_notifier: Allow two-pass struct mmu_interval_notifiers', 'include/linux/mmu_notifier.h (7.1): @invalidate_finish'],
  },
  messages: {
    finishWithoutStart: '{{table}} sets .invalidate_finish without .invalidate_start: the core never calls it',
  },
  checkTable(table, ctx) {
    if (table.kind !== 'mmu_interval_notifier_ops' || !fieldFn(table, 'invalidate_finish') || fieldFn(table, 'invalidate_start')) return;
    ctx.report({
      ...atField(table, 'invalidate_finish'),
      function: null,
      messageId: 'finishWithoutStart',
      data: { table: table.name },
      steps: [step(table, `${table.name}: only a finish handed out by invalidate_start is queued for invalidate_finish (I3)`, 'note')],
    });
  },
});
