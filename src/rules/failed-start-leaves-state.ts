import { updateDelta } from '../ir/queries.js';
import { describeWhen } from '../ir/describe.js';
import { defineRule } from './rule.js';
import { atReturn, bindingStep, failsWith, step, describeVia, decidedBy, about } from './support.js';

/** The starts of an invalidation, and what a failure means to the core. */
const STARTS: Record<string, { after: (endAfterFailedStart: boolean) => string }> = {
  invalidate_range_start: {
    after: (end) => (end ? 'the core then calls invalidate_range_end, which cannot tell that this start failed (c2655835fd8c)' : 'at this API level the core calls no invalidate_range_end after a failed start'),
  },
  invalidate: { after: () => 'the core calls nothing more for this invalidation after a false return' },
  invalidate_start: { after: () => 'the core calls no invalidate_finish after a false return' },
};

export default defineRule({
  id: 'failed-start-leaves-state',
  title: 'a start that fails leaves a counter or reference raised',
  severity: 'error',
  invariant: 'I1',
  status: 'stable',
  since: '0.1.0',
  docs: {
    what: 'Flags `invalidate_range_start` returning an error, and `invalidate` / `invalidate_start` returning false, on a path where a counter or reference raised earlier on the same path (`x++`, `atomic_inc`, `kref_get`, `mmget`, `get_page`...) has not been lowered again. Locks left held are the rule lock-held-at-return.',
    why: 'A start that fails must leave the notifier as it found it. The core does not call `invalidate_range_end` after a start that failed before Linux 5.12, and since c2655835fd8c it calls the end of every notifier without saying which starts failed, so an end that lowers the counter lowers it once too often. Either way the count drifts: commit 5a136b4ae327 ("mm/hmm: Fix error flows in hmm_invalidate_range_start") fixed a start that returned -EAGAIN with the notifiers count raised, leaving it "permanently incremented and deadlock".',
    bad: `static int drv_start(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
	struct drv *d = container_of(mn, struct drv, mn);

	atomic_inc(&d->notifiers);
	if (!mmu_notifier_range_blockable(range))
		return -EAGAIN;
	drv_flush(d);
	atomic_dec(&d->notifiers);
	return 0;
}

static const struct mmu_notifier_ops drv_ops = {
	.invalidate_range_start = drv_start,
};
`,
    good: `static int drv_start(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
	struct drv *d = container_of(mn, struct drv, mn);

	if (!mmu_notifier_range_blockable(range))
		return -EAGAIN;
	atomic_inc(&d->notifiers);
	drv_flush(d);
	atomic_dec(&d->notifiers);
	return 0;
}

static const struct mmu_notifier_ops drv_ops = {
	.invalidate_range_start = drv_start,
};
`,
    references: [
      'commit 5a136b4ae327 ("mm/hmm: Fix error flows in hmm_invalidate_range_start")',
      'commit c2655835fd8c ("mm/mmu_notifier: always call invalidate_range_end() on failure")',
      'mm/mmu_notifier.c: mn_hlist_invalidate_range_start(), mn_itree_invalidate()',
    ],
  },
  messages: {
    stateRaised: '{{cb}}() returns {{result}}{{when}} with {{raised}} still raised: {{after}}',
  },
  checkTable(table, ctx) {
    for (const [field, start] of Object.entries(STARTS)) {
      const cb = ctx.callback(table, field);
      if (!cb?.fn) continue;
      const s = ctx.summary(cb.fn);
      const reported = new Set<string>();
      for (const r of s.returns) {
        if (failsWith(field, r.value) !== true || r.effects.length === 0) continue;
        const key = `${r.file}:${r.loc.line}`;
        if (reported.has(key)) continue;
        reported.add(key);
        const raised = r.effects.map((e) => e.slice(1));
        const where = raised.map((t) => s.events.find((e) => updateDelta(e) === 1 && e.name === t)).filter((e) => e !== undefined);
        ctx.report({
          ...atReturn(r),
          function: r.via.length ? r.via[r.via.length - 1]!.function : cb.fn.name,
          messageId: 'stateRaised',
          about: about(table, cb.field.field, 'object', raised),
          decidedBy: decidedBy(r),
          data: { cb: cb.fn.name, result: r.text || 'its failure', when: describeWhen(r.when), raised: raised.join(', '), after: start.after(ctx.api.endAfterFailedStart) },
          steps: [
            bindingStep(table, cb.field, cb.fn.name),
            ...where.flatMap((e) => [...describeVia(e.via), step(e, `raises ${e.name}`, 'event')]),
            ...describeVia(r.via),
            step(r, `returns ${r.text}${describeWhen(r.when)}`, 'return'),
          ],
        });
      }
    }
  },
});
