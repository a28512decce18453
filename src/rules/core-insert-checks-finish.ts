import { atLoc, step } from './support.js';
import { CORE, INSERT, INSERT_LOCKED } from '../ir/kernel-api/notifier.js';
import { writtenTexts } from '../ir/queries.js';
import { defineRule } from './rule.js';
import { coreFunctions, isTwoPassCore } from './core.js';

const INSERTS = [CORE.intervalInsert, INSERT, INSERT_LOCKED];

export default defineRule({
  id: 'core-insert-checks-finish',
  title: 'core: two-pass ops accepted at insert without `invalidate_finish`',
  severity: 'warning',
  invariant: 'API',
  status: 'preview',
  since: '0.1.0',
  docs: {
    what: 'In a two-pass mm/mmu_notifier.c, warns when no interval insert function checks that ops setting `invalidate_start` also set `invalidate_finish`.',
    why: "Reviewers of the v2 series asked the core to complain about such ops (Matthew Brost), and Linux 7.1 does: `WARN_ON_ONCE(ops->invalidate_start && !ops->invalidate_finish)` in mmu_interval_notifier_insert(). Without it the first finish handed out makes the finish pass call a NULL pointer, far from the driver's mistake.",
    bad: `static int mn_itree_invalidate(struct mmu_notifier_subscriptions *subscriptions,
			       const struct mmu_notifier_range *range)
{
	struct mmu_interval_notifier *sub = subscriptions->first;

	return sub->ops->invalidate_start(sub, range, 0, NULL) ? 0 : -EAGAIN;
}

static int __mmu_interval_notifier_insert(struct mmu_interval_notifier *interval_sub, struct mm_struct *mm,
					  struct mmu_notifier_subscriptions *subscriptions, unsigned long start,
					  unsigned long length, const struct mmu_interval_notifier_ops *ops)
{
	interval_sub->ops = ops;
	return 0;
}
`,
    good: `static int mn_itree_invalidate(struct mmu_notifier_subscriptions *subscriptions,
			       const struct mmu_notifier_range *range)
{
	struct mmu_interval_notifier *sub = subscriptions->first;

	return sub->ops->invalidate_start(sub, range, 0, NULL) ? 0 : -EAGAIN;
}

static int __mmu_interval_notifier_insert(struct mmu_interval_notifier *interval_sub, struct mm_struct *mm,
					  struct mmu_notifier_subscriptions *subscriptions, unsigned long start,
					  unsigned long length, const struct mmu_interval_notifier_ops *ops)
{
	if (WARN_ON_ONCE(ops->invalidate_start && !ops->invalidate_finish))
		return -EINVAL;
	interval_sub->ops = ops;
	return 0;
}
`,
    references: ['[PATCH v2 1/4] mm/mmu_notifier: Allow two-pass struct mmu_interval_notifiers, review by Matthew Brost', 'mm/mmu_notifier.c (Linux 7.1): mmu_interval_notifier_insert()'],
  },
  messages: {
    noFinishCheck:
      'two-pass ops are accepted at insert time without a check that invalidate_finish is set: add WARN_ON_ONCE(ops->invalidate_start && !ops->invalidate_finish) to the insert (as reviewers asked, and 7.1 has)',
  },
  checkFile(file, ctx) {
    const fns = coreFunctions(file);
    if (!fns || !isTwoPassCore(fns)) return;
    const inserts = INSERTS.map((n) => fns.get(n)).filter((f) => f !== undefined);
    if (!inserts.length) return;
    if (inserts.some((f) => f.events.some((e) => writtenTexts(e).some((a) => a.includes('invalidate_finish'))))) return;
    // point at the main walk when it is the one calling invalidate_start
    const calls = (f: { readonly events: ReadonlyArray<{ readonly name: string }> } | undefined): boolean => !!f?.events.some((e) => e.name === '->invalidate_start');
    const caller = calls(fns.get(CORE.itreeInvalidate)) ? fns.get(CORE.itreeInvalidate)! : [...fns.values()].find(calls)!;
    const at = caller.events.find((e) => e.name === '->invalidate_start')!;
    ctx.report({
      ...atLoc(file.file, at.loc),
      function: caller.name,
      messageId: 'noFinishCheck',
      steps: [
        step({ file: file.file, loc: at.loc }, 'ops->invalidate_start is called here', 'call'),
        ...inserts.map((f) => step({ file: file.file, loc: f.loc }, `${f.name}() does not check ops->invalidate_finish`, 'note')),
      ],
    });
  },
});
