import { atLoc, note, step, about } from './support.js';
import { defineRule } from './rule.js';

export default defineRule({
  id: 'field-not-in-api',
  title: 'ops field that does not exist at the target kernel',
  severity: 'error',
  invariant: 'API',
  status: 'preview',
  since: '0.1.0',
  docs: {
    what: "Flags an ops-table member the target API level does not have: `invalidate_range` after 6.6 (now `arch_invalidate_secondary_tlbs`), `change_pte` from 6.10, `alloc_notifier`/`free_notifier` before 5.4, `invalidate_page`, the two-pass `invalidate_start`/`invalidate_finish` before the series, or any other unknown member. The level comes from `--kernel`/`--api` or the tree's include/linux/mmu_notifier.h.",
    why: 'The build fails on an unknown member; worse, a back-port that keeps a removed callback under `#ifdef` silently loses it (the core no longer calls it), e.g. secondary TLB invalidation after commit 1af5a8109904 ("mmu_notifiers: rename invalidate_range notifier", 6.6).',
    bad: `static void drv_invalidate_range(struct mmu_notifier *mn, struct mm_struct *mm,
				 unsigned long start, unsigned long end)
{
	drv_flush_tlb(mn, start, end);
}

static const struct mmu_notifier_ops drv_ops = {
	.invalidate_range = drv_invalidate_range,
};
`,
    good: `static void drv_invalidate_secondary_tlbs(struct mmu_notifier *mn, struct mm_struct *mm,
					  unsigned long start, unsigned long end)
{
	drv_flush_tlb(mn, start, end);
}

static const struct mmu_notifier_ops drv_ops = {
	.arch_invalidate_secondary_tlbs = drv_invalidate_secondary_tlbs,
};
`,
    references: [
      'include/linux/mmu_notifier.h of the target kernel',
      'commit 1af5a8109904 ("mmu_notifiers: rename invalidate_range notifier"), 6.6',
      '[PATCH v2 1/4] mm/mmu_notifier: Allow two-pass struct mmu_interval_notifiers, merged in 7.1',
    ],
  },
  messages: {
    noSuchMember: 'struct {{kind}} has no member {{field}} at API level {{id}} ({{description}})',
  },
  checkTable(table, ctx) {
    const known = new Set(ctx.api.fields[table.kind]);
    for (const f of table.fields) {
      if (known.has(f.field)) continue;
      ctx.report({
        ...atLoc(table.file, f.loc),
        function: null,
        messageId: 'noSuchMember',
        about: about(table, null, 'member', [f.field]),
        data: { kind: table.kind, field: f.field, id: ctx.api.id, description: ctx.api.description },
        steps: [step({ file: table.file, loc: f.loc }, `.${f.field} = ${f.value}`, 'binding'), note(`members at ${ctx.api.id}: ${[...known].join(', ')}`)],
      });
    }
  },
});
