import { defineRule, fieldFn } from './rule.js';
import { atField, step } from './support.js';
import { FINISH_FN, START_SIG } from './two-pass-api.js';

export default defineRule({
  id: 'invalidate-and-invalidate-start',
  title: 'both `invalidate` and `invalidate_start` set',
  severity: 'error',
  invariant: 'API',
  status: 'preview',
  since: '0.1.0',
  docs: {
    what: 'Flags a `struct mmu_interval_notifier_ops` that sets both `invalidate` and `invalidate_start`.',
    why: 'When `invalidate_start` is set the core calls it instead of `invalidate` (mn_itree_invalidate, two-pass series): `invalidate` is dead code, and a reader of the driver cannot tell which one runs.',
    bad: `${FINISH_FN}
${START_SIG}
{
	mmu_interval_set_seq(mni, cur_seq);
	*finish = NULL;
	return true;
}

static bool drv_invalidate(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	mmu_interval_set_seq(mni, cur_seq);
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate = drv_invalidate,
	.invalidate_start = drv_start,
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
    references: ['[PATCH v2 1/4] mm/mmu_notifier: Allow two-pass struct mmu_interval_notifiers: "if ops->invalidate_start is set it is called instead of invalidate"'],
  },
  messages: {
    bothSet: '{{table}} sets both .invalidate and .invalidate_start: the core calls invalidate_start instead, .invalidate is never called',
  },
  checkTable(table, ctx) {
    if (table.kind !== 'mmu_interval_notifier_ops' || !fieldFn(table, 'invalidate') || !fieldFn(table, 'invalidate_start')) return;
    ctx.report({
      ...atField(table, 'invalidate'),
      function: null,
      messageId: 'bothSet',
      data: { table: table.name },
      steps: [step(table, `${table.name}: mn_itree_invalidate() calls ops->invalidate_start when it is set`, 'note')],
    });
  },
});
