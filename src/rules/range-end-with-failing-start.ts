import { nonZero } from '../ir/summary.js';
import { describeWhen } from '../ir/describe.js';
import { defineRule, fieldFn } from './rule.js';
import { atLoc, modelEvidence, note, siteOf, step, describeVia, decidedBy } from './support.js';

export default defineRule({
  id: 'range-end-with-failing-start',
  title: '`invalidate_range_end` set while `invalidate_range_start` can fail',
  severity: 'error',
  invariant: 'I2',
  status: 'preview',
  since: '0.1.0',
  docs: {
    what: 'Flags a `struct mmu_notifier_ops` that implements `invalidate_range_end` although its `invalidate_range_start` has a path returning non-zero. From API level 5.12 on: before it the core called no end after a failed start.',
    why: 'Since commit c2655835fd8c ("mm/mmu_notifiers: ensure range_end() is paired with range_start()", v5.12), when any notifier fails `invalidate_range_start` the core calls `invalidate_range_end` on every notifier that has one, because it cannot tell which starts succeeded. A notifier that can fail its start therefore receives an `end` for a start that failed, and its start/end accounting breaks. The commit disallows notifiers that can fail `_start()` from implementing `_end()`, and the core WARNs when one does (`WARN_ON(mmu_notifier_range_blockable(range) || _ret != -EAGAIN)` plus the `ops->invalidate_range_end` check in `mn_hlist_invalidate_range_start`).',
    bad: `static int drv_start(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
	if (!mmu_notifier_range_blockable(range))
		return -EAGAIN;
	return 0;
}

static void drv_end(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
}

static const struct mmu_notifier_ops drv_ops = {
	.invalidate_range_start = drv_start,
	.invalidate_range_end = drv_end,
};
`,
    good: `static int drv_start(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
	return 0;
}

static void drv_end(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
}

static const struct mmu_notifier_ops drv_ops = {
	.invalidate_range_start = drv_start,
	.invalidate_range_end = drv_end,
};
`,
    references: [
      'commit c2655835fd8c ("mm/mmu_notifiers: ensure range_end() is paired with range_start()"), Linux 5.12',
      'include/linux/mmu_notifier.h: struct mmu_notifier_ops, @invalidate_range_start',
      'mm/mmu_notifier.c: mn_hlist_invalidate_range_start()',
    ],
  },
  messages: {
    startCanFail: '{{table}} sets .invalidate_range_end but {{fn}}() can fail (returns {{result}} at {{where}}): the core will call end for a start that failed',
    startMayFail: '{{table}} sets .invalidate_range_end and {{fn}}() returns {{result}} at {{where}}, which mnlint cannot prove is 0',
  },
  checkTable(table, ctx) {
    // before c2655835fd8c (5.12) the core calls no end after a failed start: this
    // notifier's end is then never called for it, the defect is not there
    if (table.kind !== 'mmu_notifier_ops' || !ctx.api.endAfterFailedStart) return;
    const end = fieldFn(table, 'invalidate_range_end');
    const cb = ctx.callback(table, 'invalidate_range_start');
    if (!end || !cb?.fn) return;
    const { fn } = cb;
    const returns = ctx.summary(fn).returns;
    const failing = returns.filter((r) => nonZero(r.value) === true);
    const unknown = returns.filter((r) => nonZero(r.value) === null);
    const first = failing.find((r) => !r.untracked?.length) ?? failing[0] ?? unknown[0];
    if (!first) return;
    const proven = failing.length > 0;
    const where = `${first.file}:${first.loc.line}`;
    ctx.report({
      severity: proven ? 'error' : 'warning',
      ...atLoc(table.file, end.loc),
      function: null,
      decidedBy: decidedBy(first),
      ...(proven
        ? { messageId: 'startCanFail' as const, data: { table: table.name, fn: fn.name, result: first.text, where } }
        : { messageId: 'startMayFail' as const, data: { table: table.name, fn: fn.name, result: first.text || 'a value', where } }),
      ...((proven ? modelEvidence(ctx, table, { kinds: ['end-after-failed-start'], callback: 'invalidate_range_start', site: siteOf(first) }) : null) ?? {
        steps: [
          step({ file: table.file, loc: cb.field.loc }, `.invalidate_range_start = ${fn.name}`, 'binding'),
          ...describeVia(first.via),
          step(first, `returns ${first.text}${describeWhen(first.when)}`, 'return'),
          step({ file: table.file, loc: end.loc }, `.invalidate_range_end = ${end.function}`, 'binding'),
          note('since c2655835fd8c a failed start makes the core call invalidate_range_end on every notifier that has one (I2)'),
        ],
      }),
    });
  },
});
