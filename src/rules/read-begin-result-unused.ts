import { atLoc, step } from './support.js';
import { defineRule } from './rule.js';

export default defineRule({
  id: 'read-begin-result-unused',
  title: '`mmu_interval_read_begin` result thrown away',
  severity: 'warning',
  invariant: 'I6',
  status: 'stable',
  since: '0.1.0',
  docs: {
    what: 'Warns on a call of `mmu_interval_read_begin()` whose result is discarded, so it can never reach `mmu_interval_read_retry()` / `mmu_interval_check_retry()`. A comment on the line above the call (or above the `if` it is the body of), or after it on its line, is the author saying only the wait is meant: no warning. A comment marking a known defect (FIXME, XXX, a to-do) says the opposite and does not count.',
    why: 'read_begin returns the sequence that read_retry compares later; thrown away, nothing detects an invalidation that races with the device mapping being built. The call only waits for a running invalidation to end. That is sometimes the intent (xen gntdev holds the mmap lock and documents that no retry is needed), hence a warning: say so in a comment, or keep the sequence and retry.',
    bad: `static bool drv_invalidate(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	mmu_interval_set_seq(mni, cur_seq);
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate = drv_invalidate,
};

int drv_register(struct drv_obj *obj)
{
	int err = mmu_interval_notifier_insert(&obj->notifier, current->mm, obj->start, obj->len, &drv_ops);

	if (err)
		return err;
	mmu_interval_read_begin(&obj->notifier);
	return drv_map_pages(obj);
}
`,
    good: `static bool drv_invalidate(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	mmu_interval_set_seq(mni, cur_seq);
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate = drv_invalidate,
};

int drv_register(struct drv_obj *obj)
{
	int err = mmu_interval_notifier_insert(&obj->notifier, current->mm, obj->start, obj->len, &drv_ops);

	if (err)
		return err;
	obj->seq = mmu_interval_read_begin(&obj->notifier);
	return drv_map_pages(obj);
}
`,
    references: ['include/linux/mmu_notifier.h: mmu_interval_read_begin(), mmu_interval_read_retry()'],
  },
  messages: {
    sequenceUnused: 'the sequence returned by mmu_interval_read_begin() in {{fn}}() is thrown away: no read_retry can detect a racing invalidation (if only waiting is meant, say so in a comment)',
  },
  checkTable(table, ctx) {
    if (table.kind !== 'mmu_interval_notifier_ops') return;
    for (const f of ctx.files) {
      if (f.file !== table.file) continue;
      for (const fn of f.functions) {
        for (const e of fn.events) {
          // a comment at the call is the author saying only the wait is meant
          if (e.kind !== 'read_begin' || !e.discarded || e.commented) continue;
          ctx.report({
            ...atLoc(f.file, e.loc),
            function: fn.name,
            messageId: 'sequenceUnused',
            data: { fn: fn.name },
            steps: [step({ file: f.file, loc: e.loc }, `mmu_interval_read_begin(${e.args.join(', ')}) as a statement (I6)`, 'event')],
          });
        }
      }
    }
  },
});
