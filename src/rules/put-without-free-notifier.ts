import { atLine, note, step } from './support.js';
import { PUT, SYNCHRONIZE } from '../ir/kernel-api/notifier.js';
import { defineRule, fieldFn } from './rule.js';
import { bindsTable } from '../ir/queries.js';
import { dirOf, filesBeside } from '../ir/files.js';

export default defineRule({
  id: 'put-without-free-notifier',
  title: '`mmu_notifier_put` without `free_notifier`, or without `mmu_notifier_synchronize`',
  severity: 'error',
  invariant: 'API',
  status: 'preview',
  since: '0.1.0',
  docs: {
    what: 'For ops obtained with `mmu_notifier_get`: flags the table when it has no `free_notifier` although the driver calls `mmu_notifier_put`; warns when the driver never calls `mmu_notifier_synchronize()` (needed in module exit).',
    why: '`mmu_notifier_put()` drops the last reference from an SRCU callback that calls `ops->free_notifier()`: without it the notifier is never freed. That callback may still run after the module is unloaded unless module exit calls `mmu_notifier_synchronize()` (include/linux/mmu_notifier.h, mmu_notifier_put kernel-doc).',
    bad: `static struct mmu_notifier *drv_alloc_notifier(struct mm_struct *mm)
{
	struct drv *d = kzalloc(sizeof(*d), GFP_KERNEL);

	return d ? &d->mn : ERR_PTR(-ENOMEM);
}

static const struct mmu_notifier_ops drv_ops = {
	.alloc_notifier = drv_alloc_notifier,
};

int drv_bind(struct mm_struct *mm)
{
	struct mmu_notifier *mn = mmu_notifier_get(&drv_ops, mm);

	if (IS_ERR(mn))
		return PTR_ERR(mn);
	mmu_notifier_put(mn);
	return 0;
}

static void __exit drv_exit(void)
{
	mmu_notifier_synchronize();
}
`,
    good: `static struct mmu_notifier *drv_alloc_notifier(struct mm_struct *mm)
{
	struct drv *d = kzalloc(sizeof(*d), GFP_KERNEL);

	return d ? &d->mn : ERR_PTR(-ENOMEM);
}

static void drv_free_notifier(struct mmu_notifier *mn)
{
	kfree(container_of(mn, struct drv, mn));
}

static const struct mmu_notifier_ops drv_ops = {
	.alloc_notifier = drv_alloc_notifier,
	.free_notifier = drv_free_notifier,
};

int drv_bind(struct mm_struct *mm)
{
	struct mmu_notifier *mn = mmu_notifier_get(&drv_ops, mm);

	if (IS_ERR(mn))
		return PTR_ERR(mn);
	mmu_notifier_put(mn);
	return 0;
}

static void __exit drv_exit(void)
{
	mmu_notifier_synchronize();
}
`,
    references: ['mm/mmu_notifier.c: mmu_notifier_put(), mmu_notifier_free_rcu(), mmu_notifier_synchronize()'],
  },
  messages: {
    putWithoutFree: 'mmu_notifier_put() on notifiers of {{table}}, which has no .free_notifier: the last put never frees the notifier',
    putWithoutSynchronize: 'mmu_notifier_put() is used but no mmu_notifier_synchronize() in {{dir}}: module exit must wait for pending free_notifier callbacks',
  },
  checkTable(table, ctx) {
    if (table.kind !== 'mmu_notifier_ops') return;
    const dir = dirOf(table.file);
    const near = filesBeside(ctx.files, table.file);
    const calls = near.flatMap((f) => f.apiCalls.map((c) => ({ ...c, file: f.file })));
    const gets = calls.filter((c) => /^mmu_notifier_get(_locked)?$/.test(c.name) && bindsTable(c, table));
    const put = calls.find((c) => c.name === PUT);
    if (!gets.length || !put) return;
    if (!fieldFn(table, 'free_notifier')) {
      ctx.report({
        ...atLine(put.file, put.line),
        function: put.function,
        messageId: 'putWithoutFree',
        data: { table: table.name },
        steps: [step(gets[0]!, `${gets[0]!.name}(&${table.name}, ...)`, 'call'), step(put, 'mmu_notifier_put()', 'call'), step(table, `${table.name} has no .free_notifier`, 'note')],
      });
    }
    if (!calls.some((c) => c.name === SYNCHRONIZE)) {
      ctx.report({
        severity: 'warning',
        ...atLine(put.file, put.line),
        function: put.function,
        messageId: 'putWithoutSynchronize',
        data: { dir: dir || 'this directory' },
        steps: [step(put, 'mmu_notifier_put()', 'call'), note('no mmu_notifier_synchronize() call found next to it')],
      });
    }
  },
});
