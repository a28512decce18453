import { EAGAIN } from '../ir/kernel-api/errno.js';
import { combine, type HelperOutcome } from '../ir/summary.js';
import { describeWhen } from '../ir/describe.js';
import { defineRule } from './rule.js';
import { atLine, atReturn, bindingStep, failsWith, step, describeVia, decidedBy, about } from './support.js';
import { FIRST_PASS_MEMBERS } from '../model/ops.js';

/** The first-pass callbacks and the truth of their success. */
const STARTS = [...FIRST_PASS_MEMBERS.mmu_notifier_ops, ...FIRST_PASS_MEMBERS.mmu_interval_notifier_ops];

/** A helper's -EAGAIN that only happens when the range is not blockable: it did not do the job. */
const gaveUp = (t: HelperOutcome): boolean => t.value.k === 'int' && t.value.v === -EAGAIN && t.when.blockable === false;

export default defineRule({
  id: 'helper-failure-swallowed',
  title: 'a start reports success although a helper gave up with -EAGAIN',
  severity: 'error',
  invariant: 'I4',
  status: 'stable',
  since: '0.1.0',
  docs: {
    what: "Flags `invalidate_range_start` returning 0, or `invalidate` / `invalidate_start` returning true, on a path where a helper it called returned -EAGAIN because the range was not blockable: the result was overwritten, shadowed by an inner variable of the same name, or thrown away. mnlint follows each helper's returns and the conditions they hold under, so only helpers whose -EAGAIN is tied to a non-blockable range count. It also flags a start that writes -EAGAIN to a local when the range is not blockable and then reports success because nothing ever reads that local (variables are told apart by declaration: an inner `int ret` is not the `ret` returned); this holds whatever the helper the branch tests is, even one called through a function pointer the scan cannot follow.",
    why: 'A helper that returns -EAGAIN in a non-blockable range did not tear down the device mappings. If the callback still reports success, the core goes on to free the pages while the device can reach them. Commit 5a136b4ae327 ("mm/hmm: Fix error flows in hmm_invalidate_range_start") fixed exactly this: the -EAGAIN of sync_cpu_device_pagetables() went into an inner `int ret` that shadowed the one returned, "a violation of the mmu notifier contract".',
    bad: `static int drv_sync(struct drv *d, const struct mmu_notifier_range *range)
{
	if (!mmu_notifier_range_blockable(range))
		return -EAGAIN;
	drv_flush(d);
	return 0;
}

static int drv_start(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
	struct drv *d = container_of(mn, struct drv, mn);
	int ret = 0;

	if (d->active) {
		int ret = drv_sync(d, range);

		if (ret)
			goto out;
	}
out:
	return ret;
}

static const struct mmu_notifier_ops drv_ops = {
	.invalidate_range_start = drv_start,
};
`,
    good: `static int drv_sync(struct drv *d, const struct mmu_notifier_range *range)
{
	if (!mmu_notifier_range_blockable(range))
		return -EAGAIN;
	drv_flush(d);
	return 0;
}

static int drv_start(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
	struct drv *d = container_of(mn, struct drv, mn);
	int ret = 0;

	if (d->active) {
		ret = drv_sync(d, range);
		if (ret)
			goto out;
	}
out:
	return ret;
}

static const struct mmu_notifier_ops drv_ops = {
	.invalidate_range_start = drv_start,
};
`,
    references: ['commit 5a136b4ae327 ("mm/hmm: Fix error flows in hmm_invalidate_range_start")', 'include/linux/mmu_notifier.h: struct mmu_notifier_ops @invalidate_range_start'],
  },
  messages: {
    returnsSuccess: '{{fn}}() returns {{result}} although {{helper}}() returned {{failure}} ({{how}}) when the range is not blockable: the invalidation did not happen',
    goesOn: '{{fn}}() goes on to succeed although {{helper}}() returned {{failure}} ({{how}}) when the range is not blockable: the invalidation did not happen',
    storeShadowed:
      '{{fn}}() returns {{result}} although it set {{variable}} = {{failure}} at line {{line}} when the range is not blockable: that {{variable}} is an inner variable that hides the one returned, and nothing reads it, so the failure is lost',
    storeLost:
      '{{fn}}() returns {{result}} although it set {{variable}} = {{failure}} at line {{line}} when the range is not blockable: nothing reads that value before {{variable}} goes out of scope or is set again, so the failure is lost',
  },
  checkTable(table, ctx) {
    for (const field of STARTS) {
      const cb = ctx.callback(table, field);
      if (!cb?.fn) continue;
      const fn = cb.fn;
      const s = ctx.summary(fn);
      const report = (r: (typeof s.returns)[number] | null, t: HelperOutcome, how: string): void => {
        ctx.report({
          ...(r ? atReturn(r) : atLine(t.file, t.line)),
          function: fn.name,
          decidedBy: decidedBy(r ?? undefined),
          about: about(table, field, 'call', [t.callee]),
          ...(r
            ? { messageId: 'returnsSuccess' as const, data: { fn: fn.name, result: r.text || 'success', helper: t.callee, failure: t.text, how } }
            : { messageId: 'goesOn' as const, data: { fn: fn.name, helper: t.callee, failure: t.text, how } }),
          steps: [
            bindingStep(table, cb.field, fn.name),
            step(t, `calls ${t.callee}()`, 'call'),
            step(t.at, `returns ${t.text}${describeWhen(t.when)}`, 'return'),
            ...(r ? [...describeVia(r.via), step(r, `returns ${r.text || '(end)'}${describeWhen(r.when)}`, 'return')] : []),
          ],
        });
      };
      const seen = new Set<string>();
      for (const r of s.returns) {
        if (failsWith(field, r.value) !== false || r.via.length > 0) continue;
        const t = r.taken.find((x) => gaveUp(x) && combine(r.when, x.when) !== null && x.file === fn.file);
        if (!t || seen.has(`${t.line}`)) continue;
        seen.add(`${t.line}`);
        report(r, t, 'its result was not returned');
      }
      // `ret = -EAGAIN;` into a local nothing reads (a dead store), then success: the
      // callback's own decision to fail is lost, whatever decided it
      const stores = fn.failureStores ?? [];
      for (const r of s.returns) {
        if (failsWith(field, r.value) !== false || r.via.length > 0 || !r.stores) continue;
        for (const id of r.stores) {
          const st = stores[id];
          if (!st?.dead || st.code !== -EAGAIN || st.when.blockable !== false || combine(r.when, st.when) === null) continue;
          const key = `store:${st.loc.line}`;
          if (seen.has(key)) continue;
          seen.add(key);
          ctx.report({
            ...atReturn(r),
            function: fn.name,
            decidedBy: decidedBy(st, r),
            messageId: st.shadows ? 'storeShadowed' : 'storeLost',
            about: about(table, field, 'object', [st.variable]),
            data: { fn: fn.name, result: r.value.k === 'int' && r.text && r.text !== String(r.value.v) ? `${r.text} (${r.value.v})` : r.text || 'success', variable: st.variable, failure: st.text, line: st.loc.line },
            steps: [
              bindingStep(table, cb.field, fn.name),
              step({ file: fn.file, loc: st.loc }, `sets ${st.variable} = ${st.text}${describeWhen(st.when)}${st.shadows ? ` (an inner ${st.variable} that hides the outer one)` : ''}`, 'event'),
              step(r, `returns ${r.text || '(end)'}${describeWhen(r.when)}`, 'return'),
            ],
          });
        }
      }
      for (const t of s.dropped) {
        if (!gaveUp(t) || seen.has(`${t.line}`) || t.file !== fn.file) continue;
        if (!s.returns.some((r) => failsWith(field, r.value) === false)) continue;
        seen.add(`${t.line}`);
        report(null, t, 'its result was thrown away');
      }
    }
  },
});
