import { atLoc, bindingStep, note } from './support.js';
import { defineRule } from './rule.js';
import { dirOf } from '../ir/files.js';
import { atom } from '../ir/atoms.js';

export default defineRule({
  id: 'migrate-without-owner-skip',
  title: 'device-private migration without skipping its own MMU_NOTIFY_MIGRATE',
  severity: 'info',
  invariant: 'API',
  status: 'preview',
  since: '0.1.0',
  docs: {
    what: 'Notes an interval notifier whose driver calls `migrate_vma_setup()` (migration to device-private memory) while its `invalidate` never tests `range->event == MMU_NOTIFY_MIGRATE` (with `range->owner`).',
    why: 'Commit 998427b3ad2c ("mm/notifier: add migration invalidation type") added MMU_NOTIFY_MIGRATE and `range->owner` so that a driver migrating its own pages can ignore the invalidation it caused; otherwise each migration invalidates and re-faults the driver\'s own mapping.',
    bad: `static bool drv_invalidate(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	mmu_interval_set_seq(mni, cur_seq);
	drv_unmap(mni, range->start, range->end);
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate = drv_invalidate,
};

int drv_migrate(struct migrate_vma *args)
{
	return migrate_vma_setup(args);
}
`,
    good: `static bool drv_invalidate(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	if (range->event == MMU_NOTIFY_MIGRATE && range->owner == drv_owner)
		return true;
	mmu_interval_set_seq(mni, cur_seq);
	drv_unmap(mni, range->start, range->end);
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate = drv_invalidate,
};

int drv_migrate(struct migrate_vma *args)
{
	return migrate_vma_setup(args);
}
`,
    references: ['commit 998427b3ad2c ("mm/notifier: add migration invalidation type")', 'include/linux/mmu_notifier.h: enum mmu_notifier_event, MMU_NOTIFY_MIGRATE'],
  },
  messages: {
    noOwnerSkip: 'the driver migrates to device-private memory (migrate_vma_setup) but {{cb}}() never tests range->event == MMU_NOTIFY_MIGRATE: its own migrations invalidate its mappings',
  },
  checkTable(table, ctx) {
    if (table.kind !== 'mmu_interval_notifier_ops') return;
    const dir = dirOf(table.file);
    const migrates = ctx.files.some((f) => f.file.startsWith(dir) && f.apiCalls.some((c) => c.name === 'migrate_vma_setup'));
    if (!migrates) return;
    const cb = ctx.callback(table, 'invalidate') ?? ctx.callback(table, 'invalidate_start');
    if (!cb?.fn) return;
    // which of a driver's notifiers covers the migrated memory is not known:
    // one interval notifier of the directory that skips is enough
    const skips = ctx.tables.some((t) => {
      if (t.kind !== 'mmu_interval_notifier_ops' || !t.file.startsWith(dir)) return false;
      const c = ctx.callback(t, 'invalidate') ?? ctx.callback(t, 'invalidate_start');
      if (!c?.fn) return false;
      const s = ctx.summary(c.fn);
      return [...s.events.map((e) => e.when), ...s.returns.map((r) => r.when)].some((w) => atom.event('MMU_NOTIFY_MIGRATE') in w);
    });
    if (skips) return;
    ctx.report({
      ...atLoc(table.file, cb.field.loc),
      function: null,
      messageId: 'noOwnerSkip',
      data: { cb: cb.fn.name },
      steps: [bindingStep(table, cb.field, cb.fn.name), note('no MMU_NOTIFY_MIGRATE / range->owner test on any path')],
    });
  },
});
