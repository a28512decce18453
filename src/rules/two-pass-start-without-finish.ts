import { atLoc, note, step } from './support.js';
import { defineRule, fieldFn } from './rule.js';

export default defineRule({
  id: 'two-pass-start-without-finish',
  title: '`invalidate_start` set without `invalidate_finish`',
  severity: 'error',
  invariant: 'I3',
  status: 'preview',
  since: '0.1.0',
  docs: {
    what: 'Flags a `struct mmu_interval_notifier_ops` that sets the two-pass first pass `invalidate_start` but no `invalidate_finish`.',
    why: 'With the two-pass interval notifiers, a start that hands out a `finish` object is completed by the core calling `ops->invalidate_finish(finish)` in start order, before `inv_end`, on the success path, the -EAGAIN path and in release. Without `invalidate_finish` the core calls a NULL pointer as soon as a start returns a finish, and a start that never returns one should have been a plain `invalidate`. Reviewers of the v2 series asked the core to WARN on exactly this table (Matthew Brost); Linux 7.1 does: `WARN_ON_ONCE(ops->invalidate_start && !ops->invalidate_finish)` in `mmu_interval_notifier_insert`.',
    bad: `static bool drv_start(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
		      unsigned long cur_seq, struct mmu_interval_notifier_finish **finish)
{
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate_start = drv_start,
};
`,
    good: `static bool drv_start(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
		      unsigned long cur_seq, struct mmu_interval_notifier_finish **finish)
{
	return true;
}

static void drv_finish(struct mmu_interval_notifier_finish *finish)
{
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate_start = drv_start,
	.invalidate_finish = drv_finish,
};
`,
    references: [
      '[PATCH v2 1/4] mm/mmu_notifier: Allow two-pass struct mmu_interval_notifiers (Thomas Hellström, linux-mm, March 2026), review by Matthew Brost',
      'include/linux/mmu_notifier.h (Linux 7.1): struct mmu_interval_notifier_ops, @invalidate_start / @invalidate_finish',
      'mm/mmu_notifier.c (Linux 7.1): mmu_interval_notifier_insert() WARN_ON_ONCE',
    ],
  },
  messages: {
    startWithoutFinish: '{{table}} sets .invalidate_start = {{function}} but no .invalidate_finish: a finish handed out by the first pass has no second pass to complete it',
  },
  checkTable(table, ctx) {
    if (table.kind !== 'mmu_interval_notifier_ops') return;
    const start = fieldFn(table, 'invalidate_start');
    if (!start || fieldFn(table, 'invalidate_finish')) return;
    ctx.report({
      ...atLoc(table.file, start.loc),
      function: null,
      messageId: 'startWithoutFinish',
      data: { table: table.name, function: start.function! },
      steps: [
        step(table, `${table.name} is a struct mmu_interval_notifier_ops`, 'note'),
        step({ file: table.file, loc: start.loc }, `.invalidate_start = ${start.function}`, 'binding'),
        note('no .invalidate_finish: the core calls ops->invalidate_finish(finish) for every finish returned (I3)'),
      ],
    });
  },
});
