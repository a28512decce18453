import { atLine, step } from './support.js';
import { INTERVAL_INSERTS } from '../ir/kernel-api/notifier.js';
import { defineRule } from './rule.js';
import { bindsTable } from '../ir/queries.js';
import type { ApiCall } from '../ir/types.js';

const LOCKS: Record<string, number> = { mmap_read_lock: 1, mmap_write_lock: 1, mmap_read_unlock: -1, mmap_write_unlock: -1 };

/** Whether the mmap lock is held at `call` by the calls before it in the same function (text order). */
function mmapHeld(calls: readonly ApiCall[], call: ApiCall): boolean {
  let depth = 0;
  for (const c of calls) {
    if (c === call) return depth > 0;
    if (c.function === call.function && c.name in LOCKS) depth = Math.max(0, depth + LOCKS[c.name]!);
  }
  return false;
}

export default defineRule({
  id: 'insert-under-mmap-lock',
  title: '`mmu_interval_notifier_insert` with the mmap lock held, or `_insert_locked` without it',
  severity: 'warning',
  invariant: 'API',
  status: 'preview',
  since: '0.1.0',
  docs: {
    what: 'Warns on `mmu_interval_notifier_insert()` called after `mmap_read_lock()`/`mmap_write_lock()` in the same function with no unlock in between, and on `mmu_interval_notifier_insert_locked()` in a function that takes no mmap lock, unless its name ends in `_locked` or it has a `struct vm_area_struct *` parameter (mmap handlers run under the lock). A warning: the order is read from the text of one function, not from its paths.',
    why: 'mmu_interval_notifier_insert() takes the mmap lock itself when the mm has no notifier subscriptions yet (it registers them with mmu_notifier_register()): called with the lock held it deadlocks. The _locked variant asserts the write lock is held (mmap_assert_write_locked()).',
    bad: `static bool drv_invalidate(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	mmu_interval_set_seq(mni, cur_seq);
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate = drv_invalidate,
};

int drv_track(struct drv_obj *obj, struct mm_struct *mm)
{
	int err;

	mmap_write_lock(mm);
	err = mmu_interval_notifier_insert(&obj->notifier, mm, obj->start, obj->len, &drv_ops);
	mmap_write_unlock(mm);
	return err;
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

int drv_track(struct drv_obj *obj, struct mm_struct *mm)
{
	int err;

	mmap_write_lock(mm);
	err = mmu_interval_notifier_insert_locked(&obj->notifier, mm, obj->start, obj->len, &drv_ops);
	mmap_write_unlock(mm);
	return err;
}
`,
    references: ['mm/mmu_notifier.c: mmu_interval_notifier_insert(), mmu_interval_notifier_insert_locked()'],
  },
  messages: {
    insertUnderLock: 'mmu_interval_notifier_insert() called with the mmap lock held (taken earlier in {{function}}()): it may take the lock itself; use mmu_interval_notifier_insert_locked()',
    lockedInsertUnlocked: 'mmu_interval_notifier_insert_locked() in {{function}}(), which takes no mmap lock: the caller must hold mmap_write_lock (mmap_assert_write_locked())',
  },
  checkTable(table, ctx) {
    if (table.kind !== 'mmu_interval_notifier_ops') return;
    for (const f of ctx.files) {
      for (const c of f.apiCalls) {
        if (!INTERVAL_INSERTS.has(c.name)) continue;
        if (!bindsTable(c, table, 'last') || !c.function) continue;
        const held = mmapHeld(f.apiCalls, c);
        const locked = c.name.endsWith('_locked');
        const takesLock = f.apiCalls.some((x) => x.function === c.function && (x.name === 'mmap_read_lock' || x.name === 'mmap_write_lock'));
        // callers hold it by contract: `*_locked` helpers, and mmap handlers / VMA
        // callbacks (a `struct vm_area_struct *` parameter) run under the mmap lock
        const fn = f.functions.find((x) => x.name === c.function);
        const heldByCaller = c.function.endsWith('_locked') || (fn?.params.some((p) => /vm_area_struct/.test(p.type)) ?? false);
        if (!locked && held) {
          ctx.report({
            ...atLine(f.file, c.line),
            function: c.function,
            messageId: 'insertUnderLock',
            data: { function: c.function },
            steps: [step({ file: f.file, line: c.line }, `${c.name}(${c.args.join(', ')})`, 'call')],
          });
        } else if (locked && !takesLock && !heldByCaller) {
          ctx.report({
            ...atLine(f.file, c.line),
            function: c.function,
            messageId: 'lockedInsertUnlocked',
            data: { function: c.function },
            steps: [step({ file: f.file, line: c.line }, `${c.name}(${c.args.join(', ')})`, 'call')],
          });
        }
      }
    }
  },
});
