import { atLine, step, about } from './support.js';
import { defineRule, fieldFn } from './rule.js';
import { bindsTable } from '../ir/queries.js';

export default defineRule({
  id: 'get-without-alloc-notifier',
  title: '`mmu_notifier_get` on ops without `alloc_notifier`',
  severity: 'error',
  invariant: 'API',
  status: 'preview',
  since: '0.1.0',
  docs: {
    what: 'Flags `mmu_notifier_get(&ops, mm)` / `mmu_notifier_get_locked` where `ops` has no `alloc_notifier`.',
    why: '`mmu_notifier_get_locked()` allocates the notifier by calling `ops->alloc_notifier(mm)` when none is registered yet; without it the call dereferences NULL the first time.',
    bad: `static const struct mmu_notifier_ops drv_ops = {
	.release = drv_release,
};

struct mmu_notifier *drv_bind(struct mm_struct *mm)
{
	return mmu_notifier_get(&drv_ops, mm);
}
`,
    good: `static struct mmu_notifier *drv_alloc_notifier(struct mm_struct *mm)
{
	struct drv *d = kzalloc(sizeof(*d), GFP_KERNEL);

	return d ? &d->mn : ERR_PTR(-ENOMEM);
}

static const struct mmu_notifier_ops drv_ops = {
	.release = drv_release,
	.alloc_notifier = drv_alloc_notifier,
};

struct mmu_notifier *drv_bind(struct mm_struct *mm)
{
	return mmu_notifier_get(&drv_ops, mm);
}
`,
    references: ['mm/mmu_notifier.c: mmu_notifier_get_locked()'],
  },
  messages: {
    getWithoutAlloc: '{{c}}(&{{table}}, ...) but {{table}} has no .alloc_notifier: the core calls ops->alloc_notifier to create the notifier',
  },
  checkTable(table, ctx) {
    if (table.kind !== 'mmu_notifier_ops' || fieldFn(table, 'alloc_notifier')) return;
    for (const f of ctx.files) {
      for (const c of f.apiCalls) {
        if (!/^mmu_notifier_get(_locked)?$/.test(c.name) || !bindsTable(c, table)) continue;
        ctx.report({
          ...atLine(f.file, c.line),
          function: c.function,
          messageId: 'getWithoutAlloc',
          about: about(null, null, 'call', [c.name]),
          data: { c: c.name, table: table.name },
          steps: [step(table, `${table.name} has no .alloc_notifier`, 'note'), step({ file: f.file, line: c.line }, `${c.name}(${c.args.join(', ')})`, 'call')],
        });
      }
    }
  },
});
