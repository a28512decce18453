import { atom } from '../ir/atoms.js';
import { failedAllocation } from '../ir/queries.js';
import { describeWhen } from '../ir/describe.js';
import { defineRule } from './rule.js';
import { atReturn, bindingStep, failsWith, modelEvidence, siteOf, step, describeVia, decidedBy, about } from './support.js';
import { FIRST_PASS_MEMBERS } from '../model/ops.js';

export default defineRule({
  id: 'false-return-in-blockable-range',
  title: 'invalidation callback fails on a path that runs in blockable ranges',
  severity: 'error',
  invariant: 'I4',
  status: 'stable',
  since: '0.1.0',
  docs: {
    what: 'Flags `invalidate` / `invalidate_start` returning false, and `invalidate_range_start` returning non-zero, on a path that is not restricted to non-blockable ranges (no `!mmu_notifier_range_blockable(range)` test on the way).',
    why: 'A callback may only fail when it would have to sleep and the range is not blockable: include/linux/mmu_notifier.h, `@invalidate`: "Return false only if sleeping was required but mmu_notifier_range_blockable(range) is false". In a blockable range the core WARNs (`WARN_ON(mmu_notifier_range_blockable(range))` in mn_itree_invalidate) and goes on as if the callback had succeeded, so the device keeps mappings of pages that are being freed.',
    bad: `static bool drv_invalidate(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	struct drv *d = container_of(mni, struct drv, notifier);

	if (!mutex_trylock(&d->lock))
		return false;
	mmu_interval_set_seq(mni, cur_seq);
	mutex_unlock(&d->lock);
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate = drv_invalidate,
};
`,
    good: `static bool drv_invalidate(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	struct drv *d = container_of(mni, struct drv, notifier);

	if (mmu_notifier_range_blockable(range))
		mutex_lock(&d->lock);
	else if (!mutex_trylock(&d->lock))
		return false;
	mmu_interval_set_seq(mni, cur_seq);
	mutex_unlock(&d->lock);
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate = drv_invalidate,
};
`,
    references: [
      'include/linux/mmu_notifier.h: struct mmu_interval_notifier_ops @invalidate, struct mmu_notifier_ops @invalidate_range_start',
      'mm/mmu_notifier.c: mn_itree_invalidate(), mn_hlist_invalidate_range_start()',
      'commit 93065ac753e4 ("mm, oom: distinguish blockable mode for mmu notifiers")',
    ],
  },
  messages: {
    failsWhenBlockable: '{{cb}}() returns {{text}} on a path that also runs when the range is blockable{{untested}}; fail only when !mmu_notifier_range_blockable(range)',
  },
  checkTable(table, ctx) {
    const fields = FIRST_PASS_MEMBERS[table.kind];
    for (const field of fields) {
      const cb = ctx.callback(table, field);
      if (!cb?.fn) continue;
      const s = ctx.summary(cb.fn);
      for (const r of s.returns) {
        if (failsWith(field, r.value) !== true || r.when.blockable === false) continue;
        // the blockable flag went into a helper whose body is not known and whose
        // result may decide this return: not followed, not reported (a known helper's
        // return conditions are in r.when already)
        if (
          r.when.blockable === undefined &&
          r.path.some((id) => {
            const e = cb.fn!.events[id];
            return e?.kind === 'call' && e.argAtoms?.some((a) => a?.atom === atom.blockable) && s.unresolved.includes(e.name);
          })
        )
          continue;
        // an allocation failure answered with false is reported by its own rule
        if (field === 'invalidate_start' && failedAllocation(r.when)) continue;
        ctx.report({
          ...atReturn(r),
          function: r.via.length ? r.via[r.via.length - 1]!.function : cb.fn.name,
          messageId: 'failsWhenBlockable',
          about: about(table, field),
          decidedBy: decidedBy(r),
          data: { cb: cb.fn.name, text: r.text, untested: r.when.blockable === true ? '' : ' (no blockable test before it)' },
          ...(modelEvidence(ctx, table, { kinds: ['false-in-blockable-range', 'false-from-release', 'start-error-not-eagain'], callback: field, site: siteOf(r) }) ?? {
            steps: [bindingStep(table, cb.field, cb.fn.name), ...describeVia(r.via), step(r, `returns ${r.text}${describeWhen(r.when)}`, 'return')],
          }),
        });
      }
    }
  },
});
