// The interval notifier's life as a typestate (ir/kernel-api/protocols.ts,
// INTERVAL_NOTIFIER): a read section or a remove on a notifier the function
// itself made and never inserted, whose insert failed on that path, or that it
// already removed. A notifier it received (a parameter, a field of one) or
// handed to a helper has no state: nothing is said of it.
import { REMOVE } from '../ir/kernel-api/notifier.js';
import { INTERVAL_NOTIFIER } from '../ir/kernel-api/protocols.js';
import { defineRule } from './rule.js';
import { atLoc, note, step, about } from './support.js';
import { callText, typestateFacts } from './typestate-support.js';
import { SKIPPED } from '../ir/typestate.js';

export default defineRule({
  id: 'interval-notifier-not-inserted',
  title: 'read section or remove on an interval notifier that is not inserted on that path',
  severity: 'error',
  invariant: 'API',
  status: 'stable',
  since: '0.1.0',
  docs: {
    what: 'Flags `mmu_interval_read_begin()`, `mmu_interval_read_retry()`, `mmu_interval_check_retry()` or `mmu_interval_notifier_remove()` on a notifier that the function itself made (a member of a local struct or of an object it just allocated) and never inserted, whose `mmu_interval_notifier_insert*()` returned non-zero on that path, or that it already removed. A notifier received from a caller (a parameter, a field of one) or handed to a helper is not judged, with one exception, a warning: the function inserts it itself on some paths and uses it on a path that skipped that insert (`if (flag) insert(n); ... read_begin(n)`, commit 9293724192a7, "xen/gntdev: Do not use mm notifiers with autotranslating guests"); a file-scope flag tested twice is taken to have one value on a path, until a driver function is called.',
    why: "mm/mmu_notifier.c: a failed insert returns before `interval_sub->mm` is set, and remove dereferences `interval_sub->mm` and takes the notifier out of the mm's interval tree (amdgpu_hmm_register() clears `bo->notifier.mm` on failure for that reason). read_begin on a notifier that is not in the tree reads a sequence no invalidation ever moves, so read_retry can never report one: the section is unprotected. A second remove takes an already removed node out of the tree again.",
    bad: `int drv_snapshot(struct drv_dev *d, struct mm_struct *mm)
{
	struct drv_obj *obj = kzalloc(sizeof(*obj), GFP_KERNEL);
	int ret;

	if (!obj)
		return -ENOMEM;
	ret = mmu_interval_notifier_insert(&obj->notifier, mm, d->start, d->len, &drv_ops);
	if (ret)
		goto out;
	ret = drv_mirror(d, obj);
out:
	mmu_interval_notifier_remove(&obj->notifier);
	kfree(obj);
	return ret;
}
`,
    good: `int drv_snapshot(struct drv_dev *d, struct mm_struct *mm)
{
	struct drv_obj *obj = kzalloc(sizeof(*obj), GFP_KERNEL);
	int ret;

	if (!obj)
		return -ENOMEM;
	ret = mmu_interval_notifier_insert(&obj->notifier, mm, d->start, d->len, &drv_ops);
	if (ret)
		goto out_free;
	ret = drv_mirror(d, obj);
	mmu_interval_notifier_remove(&obj->notifier);
out_free:
	kfree(obj);
	return ret;
}
`,
    references: ['mm/mmu_notifier.c: __mmu_interval_notifier_insert(), mmu_interval_notifier_insert(), mmu_interval_notifier_remove()', 'include/linux/mmu_notifier.h: mmu_interval_read_begin()'],
  },
  messages: {
    neverInserted: '{{call}}() on {{object}}, which {{fn}}() made and never inserted: no invalidation reaches a notifier outside the interval tree',
    insertFailed: '{{call}}() on {{object}} after its insert failed (line {{line}}): nothing was inserted{{remove}}',
    removed: '{{call}}() on {{object}}, already removed (line {{line}})',
    insertSkipped:
      '{{call}}() on {{object}} on a path where {{fn}}() skips its own insert of it (line {{line}}): unless something else inserted it, the notifier is outside the interval tree with no mm (read_begin and remove dereference interval_sub->mm)',
  },
  checkFile(file, ctx) {
    for (const fn of file.functions) {
      for (const f of typestateFacts(fn, INTERVAL_NOTIFIER.name, ['use'])) {
        if (!f.use) continue;
        const common = { ...atLoc(file.file, f.use.loc), function: fn.name, about: about(null, null, 'object', [f.object]) };
        const steps = [
          ...(f.from ? [step({ file: file.file, loc: f.from.loc }, `${callText(f.from)}${f.state === 'failed' ? ' returned non-zero' : ''}`, 'event')] : []),
          step({ file: file.file, loc: f.use.loc }, `${callText(f.use)} with the notifier ${f.state === 'fresh' ? 'never inserted' : f.state}`, 'event'),
        ];
        if (f.state === 'fresh')
          ctx.report({
            ...common,
            messageId: 'neverInserted',
            data: { call: f.call ?? '', object: f.object, fn: fn.name },
            steps: [...steps, note('insert it with mmu_interval_notifier_insert*() first, and check what that returns')],
          });
        else if (f.state === 'failed') {
          const remove = f.call === REMOVE ? ' (remove dereferences the interval_sub->mm the failed insert never set)' : '';
          ctx.report({ ...common, messageId: 'insertFailed', data: { call: f.call ?? '', object: f.object, line: f.from?.loc.line ?? 0, remove }, steps });
        } else if (f.state === 'removed') ctx.report({ ...common, messageId: 'removed', data: { call: f.call ?? '', object: f.object, line: f.from?.loc.line ?? 0 }, steps });
        // received, not inserted on this path though inserted on others: whether a caller inserted it is not known here
        else if (f.state === SKIPPED)
          ctx.report({
            ...common,
            severity: 'warning',
            messageId: 'insertSkipped',
            data: { call: f.call ?? '', object: f.object, fn: fn.name, line: f.from?.loc.line ?? 0 },
            steps: [
              ...(f.from ? [step({ file: file.file, loc: f.from.loc }, `${callText(f.from)} on some paths`, 'event')] : []),
              step({ file: file.file, loc: f.use.loc }, `${callText(f.use)} on a path without that insert`, 'event'),
            ],
          });
      }
    }
  },
});
