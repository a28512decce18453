import { lockMember } from '../ir/queries.js';
import { defineRule } from './rule.js';
import { filesBeside } from '../ir/files.js';
import { atEvent, bindingStep, functionOf, step, decidedBy, about } from './support.js';
import type { SummaryEvent } from '../ir/summary.js';
import type { EntrySite, FactsDatabase } from '../ir/facts-db.js';
import type { FileIR, OpsTable } from '../ir/types.js';
import { FIRST_PASS_MEMBERS } from '../model/ops.js';

/** A read_retry that runs under a lock: its own function's, or the caller's at `via` (the helper's entry locks). */
interface LockedRetry {
  file: string;
  line: number;
  fn: string;
  locks: readonly string[];
  via?: EntrySite;
}

/**
 * read_retry sites of the driver's directory that run under a lock: taken or
 * asserted in their function, or, in a static function every caller calls
 * under a lock, held by each of those callers (one site per call).
 */
export function lockedRetries(files: readonly FileIR[], table: OpsTable, facts: FactsDatabase): LockedRetry[] {
  return filesBeside(files, table.file).flatMap((f) =>
    f.functions.flatMap((fn) =>
      fn.events.flatMap((e): LockedRetry[] => {
        if (e.kind !== 'read_retry') return [];
        if (e.locks.length) return [{ file: f.file, line: e.loc.line, fn: fn.name, locks: e.locks }];
        const entry = facts.entryLocks(f.file, fn.name);
        if (!entry?.sites.every((s) => s.locks.length)) return [];
        return entry.sites.map((s) => ({ file: f.file, line: e.loc.line, fn: fn.name, locks: s.locks, via: s }));
      }),
    ),
  );
}

export default defineRule({
  id: 'set-seq-lock-mismatch',
  title: '`mmu_interval_set_seq` not under the lock the read side holds around `read_retry`',
  severity: 'error',
  invariant: 'I6',
  status: 'preview',
  since: '0.1.0',
  docs: {
    what: 'For a notifier whose driver calls `mmu_interval_read_retry()` under a lock: flags an `mmu_interval_set_seq()` in its invalidate called with no lock held (error), or under locks that share none with the read side (warning: the IR compares lock expressions, so it says so instead of proving it).',
    why: 'The collision-retry scheme is correct only when set_seq and read_retry serialize on the same "user lock": include/linux/mmu_notifier.h, mmu_interval_set_seq(): "This must be called unconditionally from the invalidate callback of a struct mmu_interval_notifier_ops under the same lock that is used to call mmu_interval_read_retry()". Without it, the read side can pass read_retry and commit mappings while the invalidation it raced with is tearing the pages down.',
    bad: `static bool drv_invalidate(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	mmu_interval_set_seq(mni, cur_seq);
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
	mutex_lock(&obj->lock);
	if (mmu_interval_read_retry(&obj->notifier, seq))
		err = -EAGAIN;
	mutex_unlock(&obj->lock);
	return err;
}
`,
    good: `static bool drv_invalidate(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	struct drv_obj *obj = container_of(mni, struct drv_obj, notifier);

	if (mmu_notifier_range_blockable(range))
		mutex_lock(&obj->lock);
	else if (!mutex_trylock(&obj->lock))
		return false;
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
	mutex_lock(&obj->lock);
	if (mmu_interval_read_retry(&obj->notifier, seq))
		err = -EAGAIN;
	mutex_unlock(&obj->lock);
	return err;
}
`,
    references: ['include/linux/mmu_notifier.h: mmu_interval_set_seq(), mmu_interval_read_retry()', 'Documentation/mm/hmm.rst: the driver "take_lock(driver->update)" pattern'],
  },
  messages: {
    otherLock: 'mmu_interval_set_seq() runs under {{locks}}, but mmu_interval_read_retry() in {{reader}}() runs under {{readerLocks}}: they must serialize on the same lock',
    noLock: 'mmu_interval_set_seq() runs with no lock held, but mmu_interval_read_retry() in {{reader}}() runs under {{readerLocks}}: take that lock around set_seq',
  },
  checkTable(table, ctx) {
    if (table.kind !== 'mmu_interval_notifier_ops' || !ctx.usesReadSide(table)) return;
    const retries = lockedRetries(ctx.files, table, ctx.facts);
    if (!retries.length) return;
    const readLocks = new Set(retries.flatMap((r) => r.locks.map(lockMember)));
    for (const field of FIRST_PASS_MEMBERS.mmu_interval_notifier_ops) {
      const cb = ctx.callback(table, field);
      if (!cb?.fn) continue;
      const seen = new Set<string>();
      for (const e of ctx.summary(cb.fn).events as SummaryEvent[]) {
        if (e.kind !== 'set_seq' || seen.has(`${e.file}:${e.loc.line}`)) continue;
        seen.add(`${e.file}:${e.loc.line}`);
        const shared = e.locks.some((l) => readLocks.has(lockMember(l)));
        if (shared) continue;
        const r = retries[0]!;
        ctx.report({
          ...atEvent(e),
          severity: e.locks.length ? 'warning' : 'error',
          function: functionOf(e, cb.fn.name),
          decidedBy: decidedBy(e),
          about: about(table, field, 'lock', e.locks.map(lockMember)),
          ...(e.locks.length
            ? { messageId: 'otherLock' as const, data: { locks: e.locks.join(', '), reader: r.fn, readerLocks: r.locks.join(', ') } }
            : { messageId: 'noLock' as const, data: { reader: r.fn, readerLocks: r.locks.join(', ') } }),
          steps: [
            bindingStep(table, cb.field, cb.fn.name),
            step(e, `mmu_interval_set_seq() holding [${e.locks.join(', ')}]`, 'event'),
            ...(r.via
              ? [
                  step(r, `mmu_interval_read_retry() in ${r.fn}(), which takes no lock itself (I6)`, 'event'),
                  step({ file: r.via.file, loc: r.via.loc }, `${r.fn}() called from ${r.via.caller}() holding [${r.locks.join(', ')}]`, 'event'),
                ]
              : [step(r, `mmu_interval_read_retry() in ${r.fn}() holding [${r.locks.join(', ')}] (I6)`, 'event')]),
          ],
        });
      }
    }
  },
});
