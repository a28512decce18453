import type { SummaryEvent } from '../ir/summary.js';
import type { OpsField } from '../ir/types.js';
import { finishHandedOut, isSleepingEvent } from '../ir/queries.js';
import { describeWhen } from '../ir/describe.js';
import { defineRule } from './rule.js';
import { INVALIDATION_MEMBERS } from '../model/ops.js';
import { SELF_WAITING, atEvent, bindingStep, derivedWhy, describeVia, functionOf, modelEvidence, provenSite, sitesOf, step, about } from './support.js';

export default defineRule({
  id: 'sleep-in-non-blockable-range',
  title: 'sleeping call reachable when the range is not blockable',
  severity: 'error',
  invariant: 'I5',
  status: 'stable',
  since: '0.1.0',
  docs: {
    what: 'Flags a call that may sleep (`mutex_lock`, `down_read/write`, `wait_event*`, `dma_fence_wait*`, `dma_resv_wait_timeout`, `flush_work`, `msleep`, `schedule`, `synchronize_*`...) reachable from `invalidate`, `invalidate_start`, `invalidate_range_start` or `invalidate_range_end` on a path where the range is not known to be blockable, and from `invalidate_finish` when the first pass hands out a finish in a non-blockable range. Sleeping allocations are the rule sleeping-gfp-in-first-pass.',
    why: 'The OOM reaper invalidates with `mmu_notifier_invalidate_range_start_nonblock()`, and the core wraps the callbacks in `non_block_start()`/`non_block_end()`: sleeping there triggers "BUG: sleeping function called from invalid context" with CONFIG_DEBUG_ATOMIC_SLEEP, and can deadlock the reaper on a lock held by the dying task. Test `mmu_notifier_range_blockable(range)` and return false / -EAGAIN, or use a trylock.',
    bad: `static bool drv_invalidate(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	struct drv *d = container_of(mni, struct drv, notifier);

	mutex_lock(&d->lock);
	mmu_interval_set_seq(mni, cur_seq);
	mutex_unlock(&d->lock);
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate = drv_invalidate,
};
`,
    good: `static bool drv_invalidate(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	struct drv *d = container_of(mni, struct drv, notifier);

	if (!mmu_notifier_range_blockable(range))
		return false;
	mutex_lock(&d->lock);
	mmu_interval_set_seq(mni, cur_seq);
	mutex_unlock(&d->lock);
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate = drv_invalidate,
};
`,
    references: ['include/linux/mmu_notifier.h: mmu_notifier_range_blockable()', 'mm/mmu_notifier.c: mn_hlist_invalidate_range_start() non_block_start()', 'mm/oom_kill.c: __oom_reap_task_mm()'],
  },
  messages: {
    sleepsNonBlockable: '{{call}}() may sleep, reachable from {{field}} callback {{fnName}}() {{when}}{{more}}',
    sleepsInEndBeforeRule:
      '{{call}}() may sleep, reachable from {{field}} callback {{fnName}}() {{when}}{{more}}; at API {{api}} the header does not yet forbid sleeping in invalidate_range_end after a non-blocking start (5.0 does), but the OOM reaper that started it must not block',
  },
  checkTable(table, ctx) {
    // one finding per callback, at its first site, every site in the trace
    const report = (binding: OpsField, fnName: string, when: string | null, events: readonly SummaryEvent[]): void => {
      const field = binding.field;
      const sites = sitesOf(events, (x) => x);
      const { site: e, decidedBy } = provenSite(sites);
      if (!e) return;
      const more = sites.length > 1 ? ` (and ${sites.length - 1} more sleeping call${sites.length > 2 ? 's' : ''} on such paths)` : '';
      const siteSteps = sites.flatMap((x) => [...describeVia(x.via), step(x, `${x.name}()${derivedWhy(x)}${describeWhen(x.when) || ' on a path with no mmu_notifier_range_blockable() test'}`, 'event')]);
      // a sleep reached through a function pointer keeps its own trace (the model's does not say so)
      const indirect = sites.some((x) => x.via.some((v) => v.through));
      const model = indirect ? undefined : modelEvidence(ctx, table, { kinds: ['sleeps-where-forbidden'], callback: field });
      // before 5.0 the contract said nothing of end: a hazard, not a proven breach
      const endBeforeRule = field === 'invalidate_range_end' && !ctx.api.endNonBlocking;
      ctx.report({
        ...atEvent(e),
        function: functionOf(e, fnName),
        messageId: endBeforeRule ? 'sleepsInEndBeforeRule' : 'sleepsNonBlockable',
        data: { call: e.name, field, fnName, when: when ?? 'when the range is not blockable', more, api: ctx.api.id },
        ...(endBeforeRule ? { severity: 'warning' as const } : {}),
        decidedBy,
        about: about(
          table,
          field,
          'call',
          sites.map((x) => x.name),
        ),
        ...(model ? { steps: [...model.steps, ...(sites.length > 1 || sites.some((x) => x.derived) ? siteSteps : [])], diagram: model.diagram } : { steps: [bindingStep(table, binding, fnName), ...siteSteps] }),
      });
    };
    for (const field of INVALIDATION_MEMBERS[table.kind]) {
      const cb = ctx.callback(table, field);
      if (!cb?.fn) continue;
      report(
        cb.field,
        cb.fn.name,
        null,
        ctx.summary(cb.fn).events.filter((e) => isSleepingEvent(e) && !SELF_WAITING.has(e.name) && e.when.blockable !== true),
      );
    }
    // the finish pass runs where the first pass ran: in a non-blockable range too
    const start = ctx.callback(table, 'invalidate_start');
    const finish = ctx.callback(table, 'invalidate_finish');
    if (start?.fn && finish?.fn) {
      const handsOut = ctx.summary(start.fn).events.some((e) => e.when.blockable !== true && finishHandedOut(e)?.isNull === false);
      if (handsOut) {
        report(
          finish.field,
          finish.fn.name,
          `after ${start.fn.name}() handed out a finish in a non-blockable range`,
          ctx.summary(finish.fn).events.filter((e) => isSleepingEvent(e) && !SELF_WAITING.has(e.name)),
        );
      }
    }
  },
});
