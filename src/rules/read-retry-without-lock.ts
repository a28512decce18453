import { atLoc, note, step } from './support.js';
import { defineRule } from './rule.js';
import { filesBeside } from '../ir/files.js';

export default defineRule({
  id: 'read-retry-without-lock',
  title: '`mmu_interval_read_retry` with no lock held',
  severity: 'warning',
  invariant: 'I6',
  status: 'preview',
  since: '0.1.0',
  docs: {
    what: 'Warns on an `mmu_interval_read_retry()` call, for a notifier whose invalidate sets the sequence under a lock, in a function that neither takes a lock nor asserts one (`lockdep_assert_held`) before it, unless the function is static and every call of it in its file holds a lock (the locks of its callers are its entry locks; a function whose address is taken has unknown callers). A warning: the caller of a non-static function may hold the lock, which mnlint does not follow across files.',
    why: 'read_retry only means something while the driver holds the user lock that the invalidate holds around mmu_interval_set_seq(): the mappings must be committed before that lock is dropped (include/linux/mmu_notifier.h, mmu_interval_read_retry()). Called unlocked, an invalidation can start right after it returns false.',
    bad: `static bool drv_invalidate(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	struct drv_obj *obj = container_of(mni, struct drv_obj, notifier);

	if (!mmu_notifier_range_blockable(range))
		return false;
	mutex_lock(&obj->lock);
	mmu_interval_set_seq(mni, cur_seq);
	mutex_unlock(&obj->lock);
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate = drv_invalidate,
};

int drv_map(struct drv_obj *obj)
{
	unsigned long seq;
	int err = mmu_interval_notifier_insert(&obj->notifier, current->mm, obj->start, obj->len, &drv_ops);

	if (err)
		return err;
	seq = mmu_interval_read_begin(&obj->notifier);
	drv_fault(obj);
	if (mmu_interval_read_retry(&obj->notifier, seq))
		return -EAGAIN;
	drv_commit(obj);
	return 0;
}
`,
    good: `static bool drv_invalidate(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	struct drv_obj *obj = container_of(mni, struct drv_obj, notifier);

	if (!mmu_notifier_range_blockable(range))
		return false;
	mutex_lock(&obj->lock);
	mmu_interval_set_seq(mni, cur_seq);
	mutex_unlock(&obj->lock);
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate = drv_invalidate,
};

/* called with obj->lock held */
static int drv_commit_locked(struct drv_obj *obj, unsigned long seq)
{
	lockdep_assert_held(&obj->lock);
	if (mmu_interval_read_retry(&obj->notifier, seq))
		return -EAGAIN;
	drv_commit(obj);
	return 0;
}

int drv_map(struct drv_obj *obj)
{
	unsigned long seq;
	int err = mmu_interval_notifier_insert(&obj->notifier, current->mm, obj->start, obj->len, &drv_ops);

	if (err)
		return err;
	seq = mmu_interval_read_begin(&obj->notifier);
	drv_fault(obj);
	mutex_lock(&obj->lock);
	err = drv_commit_locked(obj, seq);
	mutex_unlock(&obj->lock);
	return err;
}
`,
    references: ['include/linux/mmu_notifier.h: mmu_interval_read_retry()'],
  },
  messages: {
    retryWithoutLock: 'mmu_interval_read_retry() in {{fn}}() with no lock held or asserted; {{cb}}() sets the sequence under a lock, and the commit must happen under it',
  },
  checkTable(table, ctx) {
    if (table.kind !== 'mmu_interval_notifier_ops' || !ctx.usesReadSide(table)) return;
    const cb = ctx.callback(table, 'invalidate') ?? ctx.callback(table, 'invalidate_start');
    if (!cb?.fn) return;
    const setSeqLocked = ctx.summary(cb.fn).events.some((e) => e.kind === 'set_seq' && e.locks.length > 0);
    if (!setSeqLocked) return;
    for (const f of filesBeside(ctx.files, table.file)) {
      for (const fn of f.functions) {
        for (const e of fn.events) {
          if (e.kind !== 'read_retry' || e.locks.length) continue;
          // a static helper every caller calls under a lock
          const entry = ctx.facts.entryLocks(f.file, fn.name);
          if (entry?.sites.every((s) => s.locks.length)) continue;
          // the notifier of this retry: the same object the table is inserted for, when it names one
          ctx.report({
            ...atLoc(f.file, e.loc),
            function: fn.name,
            messageId: 'retryWithoutLock',
            data: { fn: fn.name, cb: cb.fn.name },
            steps: [step({ file: f.file, loc: e.loc }, `mmu_interval_read_retry(${e.args.join(', ')}) holding no lock`, 'event'), note('if the caller holds the lock, say so with lockdep_assert_held() (I6)')],
          });
        }
      }
    }
  },
});
