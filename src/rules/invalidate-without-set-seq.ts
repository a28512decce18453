import { atom, isEventAtom } from '../ir/atoms.js';
import { isKernelHelper } from '../ir/kernel-api/helpers.js';
import { eventsOnPath, nonZero } from '../ir/summary.js';
import { describeWhen } from '../ir/describe.js';
import { defineRule } from './rule.js';
import { atReturn, bindingStep, modelEvidence, siteOf, step, describeVia, decidedBy, about } from './support.js';
import { FIRST_PASS_MEMBERS } from '../model/ops.js';

export default defineRule({
  id: 'invalidate-without-set-seq',
  title: '`invalidate` returns true without `mmu_interval_set_seq` while the read side is used',
  severity: 'error',
  invariant: 'I6',
  status: 'preview',
  since: '0.1.0',
  docs: {
    what: 'Flags an `invalidate` / `invalidate_start` path returning true without calling `mmu_interval_set_seq()`, for a notifier whose driver uses `mmu_interval_read_begin()`/`mmu_interval_read_retry()` on it. A path skipped only for some `range->event` values is a warning, unless no path returning true sets it at all: then no event filter can be what keeps it, and it is an error.',
    why: '`mmu_interval_read_retry()` compares the sequence saved by `mmu_interval_set_seq()`: include/linux/mmu_notifier.h says set_seq "must be called unconditionally from the invalidate callback". A path that skips it lets read_retry miss the invalidation, and lets read_begin return while the interval is being invalidated: the driver then commits device mappings of pages that are being freed.',
    bad: `static bool drv_invalidate(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	struct drv_obj *obj = container_of(mni, struct drv_obj, notifier);

	if (!obj->mapped)
		return true;
	spin_lock(&obj->lock);
	mmu_interval_set_seq(mni, cur_seq);
	spin_unlock(&obj->lock);
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate = drv_invalidate,
};

int drv_pin(struct drv_obj *obj)
{
	unsigned long seq;
	int err = mmu_interval_notifier_insert(&obj->notifier, current->mm, obj->start, obj->len, &drv_ops);

	if (err)
		return err;
	do {
		seq = mmu_interval_read_begin(&obj->notifier);
		spin_lock(&obj->lock);
	} while (mmu_interval_read_retry(&obj->notifier, seq) && (spin_unlock(&obj->lock), 1));
	spin_unlock(&obj->lock);
	return 0;
}
`,
    good: `static bool drv_invalidate(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	struct drv_obj *obj = container_of(mni, struct drv_obj, notifier);

	spin_lock(&obj->lock);
	mmu_interval_set_seq(mni, cur_seq);
	spin_unlock(&obj->lock);
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate = drv_invalidate,
};

int drv_pin(struct drv_obj *obj)
{
	unsigned long seq;
	int err = mmu_interval_notifier_insert(&obj->notifier, current->mm, obj->start, obj->len, &drv_ops);

	if (err)
		return err;
	do {
		seq = mmu_interval_read_begin(&obj->notifier);
		spin_lock(&obj->lock);
	} while (mmu_interval_read_retry(&obj->notifier, seq) && (spin_unlock(&obj->lock), 1));
	spin_unlock(&obj->lock);
	return 0;
}
`,
    references: ['include/linux/mmu_notifier.h: mmu_interval_set_seq(), mmu_interval_read_retry()', 'mm/mmu_notifier.c: mmu_interval_read_begin()'],
  },
  messages: {
    noSetSeq: '{{fn}}() returns true without mmu_interval_set_seq() on this path: mmu_interval_read_retry() will miss this invalidation',
    neverSet: '{{fn}}() returns true{{when}} and calls mmu_interval_set_seq() on no path: no invalidation it acknowledges is seen by mmu_interval_read_retry()',
    skippedForEvents: '{{fn}}() returns true without mmu_interval_set_seq() for some range events{{when}}; the header asks for it unconditionally',
    unlessCallee: '{{fn}}() returns true without mmu_interval_set_seq() on this path, unless {{callees}} calls it ({{why}})',
  },
  checkTable(table, ctx) {
    if (table.kind !== 'mmu_interval_notifier_ops' || !ctx.usesReadSide(table)) return;
    for (const field of FIRST_PASS_MEMBERS.mmu_interval_notifier_ops) {
      const cb = ctx.callback(table, field);
      if (!cb?.fn) continue;
      const s = ctx.summary(cb.fn);
      // no path returning true sets the sequence: whatever event test stands on a
      // path, none of them is a filter that lets the others set it (I6 is broken outright)
      const neverSets = !s.events.some((e) => e.kind === 'set_seq');
      for (const r of s.returns) {
        const events = eventsOnPath(s, r);
        if (nonZero(r.value) !== true || events.some((e) => e.kind === 'set_seq')) continue;
        // skipping one's own migration or exclusive access is the documented pattern (998427b3ad2c)
        if (r.when[atom.event('MMU_NOTIFY_MIGRATE')] === true || r.when[atom.event('MMU_NOTIFY_EXCLUSIVE')] === true) continue;
        const eventFilter = !neverSets && Object.keys(r.when).some(isEventAtom);
        // a driver function on this path whose body was not found might set it
        const unknown = [...new Set(events.filter((e) => e.kind === 'call' && s.unresolved.includes(e.name) && !isKernelHelper(e.name)).map((e) => e.name))];
        const unsure = s.truncated || unknown.length > 0;
        ctx.report({
          ...atReturn(r),
          severity: eventFilter || unsure ? 'warning' : 'error',
          function: r.via.length ? r.via[r.via.length - 1]!.function : cb.fn.name,
          decidedBy: decidedBy(r),
          about: about(table, field),
          ...(eventFilter
            ? { messageId: 'skippedForEvents' as const, data: { fn: cb.fn.name, when: describeWhen(r.when) } }
            : unsure
              ? { messageId: 'unlessCallee' as const, data: { fn: cb.fn.name, callees: unknown.slice(0, 3).join(', ') || 'a cut-off path', why: unknown.length ? 'not found in the scanned tree' : 'too many paths' } }
              : neverSets && Object.keys(r.when).some(isEventAtom)
                ? { messageId: 'neverSet' as const, data: { fn: cb.fn.name, when: describeWhen(r.when) } }
                : { messageId: 'noSetSeq' as const, data: { fn: cb.fn.name } }),
          // the model's counterexample is the table's, shown where it proves this return
          ...((eventFilter || unsure ? null : modelEvidence(ctx, table, { kinds: ['retry-misses-invalidation'], callback: field, site: siteOf(r) })) ?? {
            steps: [bindingStep(table, cb.field, cb.fn.name), ...describeVia(r.via), step(r, `returns ${r.text}${describeWhen(r.when)} without set_seq`, 'return')],
          }),
        });
      }
    }
  },
});
