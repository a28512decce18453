import { EAGAIN } from '../ir/kernel-api/errno.js';
import { defineRule, fieldFn } from './rule.js';
import { describeWhen } from '../ir/describe.js';
import { atReturn, bindingStep, note, step, describeVia, decidedBy, about } from './support.js';

export default defineRule({
  id: 'start-error-not-eagain',
  title: '`invalidate_range_start` returns an error other than -EAGAIN',
  severity: 'error',
  invariant: 'I4',
  status: 'stable',
  since: '0.1.0',
  docs: {
    what: 'Flags an `invalidate_range_start` path returning a negative value other than `-EAGAIN`.',
    why: 'The only failure the core accepts from `invalidate_range_start` is -EAGAIN in a non-blockable range: mn_hlist_invalidate_range_start() does `WARN_ON(mmu_notifier_range_blockable(range) || _ret != -EAGAIN)`. Callers such as the OOM reaper treat any failure as "try later"; another error code is reported as a bug and its meaning is lost.',
    bad: `static int drv_start(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
	if (!mmu_notifier_range_blockable(range))
		return -EBUSY;
	return 0;
}

static const struct mmu_notifier_ops drv_ops = {
	.invalidate_range_start = drv_start,
};
`,
    good: `static int drv_start(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
	if (!mmu_notifier_range_blockable(range))
		return -EAGAIN;
	return 0;
}

static const struct mmu_notifier_ops drv_ops = {
	.invalidate_range_start = drv_start,
};
`,
    references: ['mm/mmu_notifier.c: mn_hlist_invalidate_range_start()', 'include/linux/mmu_notifier.h: struct mmu_notifier_ops @invalidate_range_start'],
  },
  messages: {
    notEagain: '{{cb}}() returns {{text}}: invalidate_range_start may only fail with -EAGAIN, in a non-blockable range',
  },
  checkTable(table, ctx) {
    if (table.kind !== 'mmu_notifier_ops' || !fieldFn(table, 'invalidate_range_start')) return;
    const cb = ctx.callback(table, 'invalidate_range_start');
    if (!cb?.fn) return;
    for (const r of ctx.summary(cb.fn).returns) {
      if (r.value.k !== 'int' || r.value.v >= 0 || r.value.v === -EAGAIN) continue;
      ctx.report({
        ...atReturn(r),
        function: r.via.length ? r.via[r.via.length - 1]!.function : cb.fn.name,
        messageId: 'notEagain',
        about: about(table, cb.field.field),
        decidedBy: decidedBy(r),
        data: { cb: cb.fn.name, text: r.text },
        steps: [
          bindingStep(table, cb.field, cb.fn.name),
          ...describeVia(r.via),
          step(r, `returns ${r.text}${describeWhen(r.when)}`, 'return'),
          note('the core WARNs: WARN_ON(mmu_notifier_range_blockable(range) || _ret != -EAGAIN) (I4)'),
        ],
      });
    }
  },
});
