// The interval notifier's life as a typestate (ir/kernel-api/protocols.ts,
// INTERVAL_NOTIFIER): a notifier this function inserted, still inserted when
// it returns an error, when it frees the notifier's container, or when it
// returns at all with the notifier in its own stack frame.
import { INTERVAL_NOTIFIER } from '../ir/kernel-api/protocols.js';
import { defineRule } from './rule.js';
import { atLoc, note, step, about } from './support.js';
import { callText, typestateFacts } from './typestate-support.js';

export default defineRule({
  id: 'interval-insert-not-undone',
  title: 'interval notifier still inserted on an error path, or when its memory goes',
  severity: 'warning',
  invariant: 'API',
  status: 'preview',
  since: '0.1.0',
  docs: {
    what: "After a `mmu_interval_notifier_insert*()` that returned 0, flags a path of the same function that returns an error (a negative errno, `ERR_PTR()`, or the non-zero result of a call that failed) without `mmu_interval_notifier_remove()` (a warning: a caller may remove it on that error), and, as errors, a free of the notifier's container (`kfree(obj)` with `&obj->notifier` inserted) or any return with the notifier in the function's own stack frame. A notifier handed to a helper after the insert is not judged.",
    why: "An inserted notifier stays in the mm's interval tree until mmu_interval_notifier_remove(): every invalidation of its range calls its ops with a pointer to it (mm/mmu_notifier.c, mn_itree_invalidate()). An error path that forgets the remove leaves a notifier for an object the caller believes was never set up; once that object is freed (or the stack frame holding it is gone), the next invalidation is a use after free.",
    bad: `int drv_setup(struct drv_obj *obj, struct mm_struct *mm)
{
	int ret;

	ret = mmu_interval_notifier_insert(&obj->notifier, mm, obj->start, obj->len, &drv_ops);
	if (ret)
		return ret;
	obj->pages = kvcalloc(obj->npages, sizeof(*obj->pages), GFP_KERNEL);
	if (!obj->pages)
		return -ENOMEM;
	return 0;
}
`,
    good: `int drv_setup(struct drv_obj *obj, struct mm_struct *mm)
{
	int ret;

	ret = mmu_interval_notifier_insert(&obj->notifier, mm, obj->start, obj->len, &drv_ops);
	if (ret)
		return ret;
	obj->pages = kvcalloc(obj->npages, sizeof(*obj->pages), GFP_KERNEL);
	if (!obj->pages) {
		mmu_interval_notifier_remove(&obj->notifier);
		return -ENOMEM;
	}
	return 0;
}
`,
    references: ['mm/mmu_notifier.c: mmu_interval_notifier_insert(), mmu_interval_notifier_remove(), mn_itree_invalidate()'],
  },
  messages: {
    errorReturn: '{{fn}}() returns an error ({{value}}) with {{object}} still inserted (line {{line}}): no mmu_interval_notifier_remove() on this path',
    freed: '{{call}}() frees the memory of {{object}} while it is still inserted (line {{line}}): the next invalidation of its range uses freed memory',
    stackReturn: '{{fn}}() returns with {{object}}, in its own stack frame, still inserted (line {{line}}): the next invalidation of its range uses a dead frame',
  },
  checkFile(file, ctx) {
    for (const fn of file.functions) {
      for (const f of typestateFacts(fn, INTERVAL_NOTIFIER.name, ['return', 'freed'])) {
        const line = f.from?.loc.line ?? 0;
        const inserted = f.from ? [step({ file: file.file, loc: f.from.loc }, `${callText(f.from)} returned 0`, 'event')] : [];
        if (f.kind === 'freed' && f.use) {
          ctx.report({
            ...atLoc(file.file, f.use.loc),
            severity: 'error',
            function: fn.name,
            messageId: 'freed',
            about: about(null, null, 'object', [f.object]),
            data: { call: f.call ?? '', object: f.object, line },
            steps: [
              ...inserted,
              step({ file: file.file, loc: f.use.loc }, `${callText(f.use)} with no remove since`, 'event'),
              note('remove the notifier first: mmu_interval_notifier_remove() waits for a running invalidation'),
            ],
          });
        } else if (f.kind === 'return' && f.loc) {
          const at = step({ file: file.file, loc: f.loc }, `return ${f.returned?.text ?? ''}`.trim(), 'return');
          // a call's non-zero result is an error only where the function returns an int (a pointer is its success)
          if (!f.stack && f.returned?.error === 'likely' && !returnsInt(fn.returnType)) continue;
          if (f.stack)
            ctx.report({
              ...atLoc(file.file, f.loc),
              severity: 'error',
              function: fn.name,
              messageId: 'stackReturn',
              about: about(null, null, 'object', [f.object]),
              data: { fn: fn.name, object: f.object, line },
              steps: [...inserted, at],
            });
          else {
            const why = f.returned?.error === 'likely' ? 'the value is the non-zero result of a call that failed on this path' : 'an error value';
            ctx.report({
              ...atLoc(file.file, f.loc),
              function: fn.name,
              messageId: 'errorReturn',
              about: about(null, null, 'object', [f.object]),
              data: { fn: fn.name, value: f.returned?.text ?? '', object: f.object, line },
              steps: [...inserted, at, note(`${why}; a warning: a caller may remove the notifier on this error`)],
            });
          }
        }
      }
    }
  },
});

/** An integer return type (`int`, `long`, `ssize_t`), where a non-zero result is an error code. */
function returnsInt(type: string): boolean {
  return !/[*]|\bbool\b|\bvoid\b|\bstruct\b/.test(type) && /\b(int|long|ssize_t|s32|s64)\b/.test(type);
}
