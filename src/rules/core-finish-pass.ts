import { atLoc, step, decidedBy } from './support.js';
import { CORE } from '../ir/kernel-api/notifier.js';
import { defineRule, type MessageData } from './rule.js';
import { coreFunctions, isTwoPassCore, pathEvents } from './core.js';

const PASSES = [CORE.itreeInvalidate, CORE.itreeRelease];

export default defineRule({
  id: 'core-finish-pass',
  title: 'core: a path skips the finish pass, or runs it after `inv_end`',
  severity: 'error',
  invariant: 'I3',
  status: 'preview',
  since: '0.1.0',
  docs: {
    what: 'In a two-pass mm/mmu_notifier.c, flags a return path of `mn_itree_invalidate` or `mn_itree_release` that called `ops->invalidate_start` but never runs the finish pass (`mn_itree_finish_pass`), or runs it only after `mn_itree_inv_end`.',
    why: 'Every finish handed out by a first pass must get exactly one `invalidate_finish`, before `inv_end`, on every path: the success path, the -EAGAIN path and release (the two-pass series, v2). Skipped, the finish objects leak and the work the drivers started (TLB flushes, preemption) is never waited for; after inv_end, a new invalidation or a waiting `read_begin` can run before the previous one has finished.',
    bad: `static int mn_itree_invalidate(struct mmu_notifier_subscriptions *subscriptions,
			       const struct mmu_notifier_range *range)
{
	struct mmu_interval_notifier *interval_sub;
	LLIST_HEAD(finish_passes);
	unsigned long cur_seq;

	for (interval_sub = mn_itree_inv_start_range(subscriptions, range, &cur_seq);
	     interval_sub;
	     interval_sub = mn_itree_inv_next(interval_sub, range)) {
		struct mmu_interval_notifier_finish *finish = NULL;
		bool ret;

		ret = interval_sub->ops->invalidate_start(interval_sub, range, cur_seq, &finish);
		if (ret && finish)
			__llist_add(&finish->link, &finish_passes);
		if (!ret) {
			if (WARN_ON(mmu_notifier_range_blockable(range)))
				continue;
			mn_itree_inv_end(subscriptions);
			return -EAGAIN;
		}
	}
	mn_itree_finish_pass(&finish_passes);
	return 0;
}
`,
    good: `static int mn_itree_invalidate(struct mmu_notifier_subscriptions *subscriptions,
			       const struct mmu_notifier_range *range)
{
	struct mmu_interval_notifier *interval_sub;
	LLIST_HEAD(finish_passes);
	unsigned long cur_seq;
	int err = 0;

	for (interval_sub = mn_itree_inv_start_range(subscriptions, range, &cur_seq);
	     interval_sub;
	     interval_sub = mn_itree_inv_next(interval_sub, range)) {
		struct mmu_interval_notifier_finish *finish = NULL;
		bool ret;

		ret = interval_sub->ops->invalidate_start(interval_sub, range, cur_seq, &finish);
		if (ret && finish)
			__llist_add(&finish->link, &finish_passes);
		if (!ret) {
			if (WARN_ON(mmu_notifier_range_blockable(range)))
				continue;
			err = -EAGAIN;
			break;
		}
	}
	mn_itree_finish_pass(&finish_passes);
	if (err)
		mn_itree_inv_end(subscriptions);
	return err;
}
`,
    references: ['[PATCH v2 1/4] mm/mmu_notifier: Allow two-pass struct mmu_interval_notifiers: mn_itree_invalidate(), mn_itree_release()'],
  },
  messages: {
    noFinishPass: '{{fn}}() returns (line {{line}}) on a path that called ops->invalidate_start without running the finish pass: the queued finishes never get invalidate_finish',
    finishAfterEnd: '{{fn}}() runs the finish pass (line {{finishLine}}) after mn_itree_inv_end (line {{endLine}}): invalidate_finish must run before the invalidation ends',
  },
  checkFile(file, ctx) {
    const fns = coreFunctions(file);
    if (!fns || !isTwoPassCore(fns)) return;
    for (const name of PASSES) {
      const fn = fns.get(name);
      // only a function that queues finishes can lose one; the loop that
      // queues may have run several times before any exit (the walk runs it once)
      if (!fn?.events.some((e) => /llist_add$/.test(e.name))) continue;
      const seen = new Set<string>();
      for (const r of fn.returns) {
        const evs = pathEvents(fn, r);
        const start = evs.find((e) => e.name === '->invalidate_start');
        if (!start) continue;
        const finish = evs.find((e) => e.name === CORE.itreeFinishPass || e.name === '->invalidate_finish');
        const end = evs.find((e) => e.name === CORE.itreeInvEnd);
        const late = !!finish && !!end && end.loc.line < finish.loc.line;
        if (finish && !late) continue;
        const report: { messageId: 'noFinishPass' | 'finishAfterEnd'; data: MessageData } =
          finish && end ? { messageId: 'finishAfterEnd', data: { fn: name, finishLine: finish.loc.line, endLine: end.loc.line } } : { messageId: 'noFinishPass', data: { fn: name, line: r.loc.line } };
        const key = `${report.messageId} ${JSON.stringify(report.data)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const at = finish && end ? finish : r;
        ctx.report({
          ...atLoc(file.file, at.loc),
          function: name,
          decidedBy: decidedBy(r),
          ...report,
          steps: [
            step({ file: file.file, loc: start.loc }, 'ops->invalidate_start queues a finish', 'call'),
            ...(finish ? [step({ file: file.file, loc: finish.loc }, `${finish.name}()`, 'call')] : []),
            ...(end ? [step({ file: file.file, loc: end.loc }, 'mn_itree_inv_end()', 'call')] : []),
            step({ file: file.file, loc: r.loc }, `return ${r.text} (I3: every finish once, before inv_end, on every path)`, 'return'),
          ],
        });
      }
    }
  },
});
