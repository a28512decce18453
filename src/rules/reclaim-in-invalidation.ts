import { lockMember } from '../ir/queries.js';
import { describeWhen } from '../ir/describe.js';
import type { SummaryEvent } from '../ir/summary.js';
import { describeClass, lockClassIn } from '../ir/lock-class.js';
import type { FunctionIR, OpsTable } from '../ir/types.js';
import { type CallbackView, defineRule, type RuleContext } from './rule.js';
import { atEvent, bindingStep, derivedWhy, functionOf, placeOf, sitesOf, step, describeVia, provenSite, about } from './support.js';
import { FIRST_PASS_MEMBERS, UNDER_START_MAP_MEMBERS } from '../model/ops.js';

/** The first pass in a non-blockable range: sleeping-gfp-in-first-pass reports it as a sleep. */
const FIRST_PASS: ReadonlySet<string> = new Set([...FIRST_PASS_MEMBERS.mmu_interval_notifier_ops, ...FIRST_PASS_MEMBERS.mmu_notifier_ops]);

export default defineRule({
  id: 'reclaim-in-invalidation',
  title: 'allocation that may enter direct reclaim on the invalidation path, even in blockable ranges',
  severity: 'error',
  invariant: 'I5',
  status: 'stable',
  since: '0.1.0',
  docs: {
    what: "Flags an allocation whose mask allows direct reclaim (`GFP_KERNEL`, `GFP_NOFS`, `GFP_NOIO`, `GFP_USER`, anything with `__GFP_DIRECT_RECLAIM`) reachable from `invalidate`, `invalidate_start`, `invalidate_finish`, `invalidate_range_start` or `invalidate_range_end`, in blockable ranges too. One finding per callback, every site in its trace: an error for sites in the callback's own body, a warning for sites in the helpers it calls (their branch conditions are not all tracked). The same allocation where the range is not blockable is the rule sleeping-gfp-in-first-pass. Also warns when the invalidation takes a sleeping lock whose class the scan holds elsewhere around such an allocation (a lock order through reclaim); the class is the lock's struct member chain (`&obj->mm.lock` -> `mm.lock`, with the base's struct type when a parameter declares it) or a global's name, so the finding says it is not a proved identity.",
    why: 'The callbacks run from direct reclaim: the core holds the lockdep map `__mmu_notifier_invalidate_range_start_map` around them (include/linux/mmu_notifier.h, `mmu_notifier_invalidate_range_start()`; mm/mmu_notifier.c, `__mmu_notifier_invalidate_range_end()`), and `fs_reclaim_acquire()` (mm/page_alloc.c) takes the same map for every allocation that may reclaim, since commit f920e413ff9c ("mm: track mmu notifiers in fs_reclaim_acquire/release"). An allocation that may reclaim inside a callback is therefore a reclaim recursion that lockdep reports whatever `blockable` says; only `GFP_NOWAIT`/`GFP_ATOMIC` (or a `PF_MEMALLOC` scope) are safe there. For the same reason a lock held anywhere around an allocation that may reclaim must not be taken in a callback: the holder waits for reclaim, reclaim runs the callback (try_to_unmap() from kswapd or direct reclaim), and the callback waits for the holder.',
    bad: `static bool drv_invalidate(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	struct drv_job *job;

	if (!mmu_notifier_range_blockable(range))
		return false;
	job = kmalloc(sizeof(*job), GFP_KERNEL);
	mmu_interval_set_seq(mni, cur_seq);
	drv_queue(job);
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate = drv_invalidate,
};
`,
    good: `static bool drv_invalidate(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	struct drv_job *job;

	if (!mmu_notifier_range_blockable(range))
		return false;
	job = kmalloc(sizeof(*job), GFP_NOWAIT);
	mmu_interval_set_seq(mni, cur_seq);
	if (job)
		drv_queue(job);
	else
		drv_invalidate_now(mni);
	return true;
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate = drv_invalidate,
};
`,
    references: [
      'commit f920e413ff9c ("mm: track mmu notifiers in fs_reclaim_acquire/release")',
      'commit 23b68395c7c7 ("mm/mmu_notifiers: add a lockdep map for invalidate_range_start/end")',
      'mm/page_alloc.c: fs_reclaim_acquire(), __need_reclaim()',
    ],
  },
  messages: {
    lockHeldAroundReclaim:
      "{{lock}} is held around {{alloc}}(..., {{mask}}) in {{holder}}() ({{allocAt}}), and reclaim may run {{field}} callback {{cb}}(), which takes a lock of that class ({{taken}}): a reclaim deadlock (lockdep: fs_reclaim); the class is the lock's struct member chain, not a proved identity",
    directReclaim:
      '{{first}}(..., {{mask}}) may enter direct reclaim from {{field}} callback {{cb}}(){{inHelper}}{{sites}}: reclaim re-enters the notifier (lockdep: __mmu_notifier_invalidate_range_start_map); use GFP_NOWAIT with a fallback',
  },
  checkTable(table, ctx) {
    for (const field of UNDER_START_MAP_MEMBERS) {
      const cb = ctx.callback(table, field);
      if (!cb?.fn) continue;
      lockHeldAroundReclaim(table, field, { ...cb, fn: cb.fn }, ctx);
      const events = ctx.summary(cb.fn).events.filter((e): e is Extract<SummaryEvent, { kind: 'alloc' }> => e.kind === 'alloc' && e.gfp.class === 'sleeping');
      // where the range may be non-blockable, the first pass sleeps: sleeping-gfp-in-first-pass says so
      const sleeps = new Set(FIRST_PASS.has(field) ? events.filter((e) => e.when.blockable !== true).map(placeOf) : []);
      const all = sitesOf(
        events.filter((e) => !sleeps.has(placeOf(e))),
        (x) => x,
      );
      const { site: first, decidedBy } = provenSite(all);
      if (!first) continue;
      const own = first.via.length === 0;
      ctx.report({
        ...atEvent(first),
        severity: own ? 'error' : 'warning',
        function: functionOf(first, cb.fn.name),
        messageId: 'directReclaim',
        about: about(
          table,
          field,
          'call',
          all.map((x) => x.name),
        ),
        decidedBy,
        data: { first: first.name, mask: first.gfp.mask, field, cb: cb.fn.name, inHelper: own ? '' : ' (in a helper)', sites: all.length > 1 ? ` (${all.length} sites)` : '' },
        steps: [bindingStep(table, cb.field, cb.fn.name), ...all.flatMap((e) => [...describeVia(e.via), step(e, `${e.name}(..., ${e.gfp.mask})${derivedWhy(e)}${describeWhen(e.when)}`, 'event')])],
      });
    }
  },
});

/**
 * A lock the callback takes (itself or in a helper) whose class the scan holds
 * elsewhere around an allocation that may reclaim: reclaim runs the callback
 * while the holder waits for reclaim. One warning per callback, at its first
 * such lock; allocations on the callback's own path are the finding above.
 */
function lockHeldAroundReclaim(table: OpsTable, field: string, cb: CallbackView & { fn: FunctionIR }, ctx: RuleContext<'lockHeldAroundReclaim' | 'directReclaim'>): void {
  const events = ctx.summary(cb.fn).events;
  const own = new Set(events.filter((e) => e.kind === 'alloc').map((e) => `${e.file}:${e.loc.line}`));
  for (const e of events) {
    if (e.kind !== 'lock' || !e.sleeps) continue;
    const owner = e.via.length ? e.via[e.via.length - 1]!.function : cb.fn.name;
    const fn = ctx.files.find((f) => f.file === e.file)?.functions.find((f) => f.name === owner);
    const cls = fn && lockClassIn(e.args[0] ?? '', fn);
    if (!cls) continue;
    const hold = ctx.facts.heldAroundReclaim(cls).find((h) => !own.has(`${h.alloc.file}:${h.alloc.loc.line}`));
    if (!hold) continue;
    const a = hold.alloc;
    ctx.report({
      ...atEvent(e),
      severity: 'warning',
      function: functionOf(e, cb.fn.name),
      messageId: 'lockHeldAroundReclaim',
      about: about(table, field, 'lock', [lockMember(hold.lock)]),
      data: {
        lock: hold.lock,
        alloc: a.name,
        mask: a.gfp.mask,
        allocAt: `${a.file}:${a.loc.line}`,
        holder: hold.holder,
        field,
        cb: cb.fn.name,
        taken: describeClass(cls),
      },
      steps: [
        bindingStep(table, cb.field, cb.fn.name),
        ...describeVia(e.via),
        step(e, `${e.name}(${e.args[0] ?? ''}): takes a lock of class ${describeClass(cls)}`, 'event'),
        step({ file: hold.file, loc: hold.lockEvent.loc }, `${hold.holder}(): ${hold.lockEvent.name}(${hold.lockEvent.args[0] ?? ''}) elsewhere, held over`, 'note'),
        ...describeVia(a.via),
        step(a, `${a.name}(..., ${a.gfp.mask})${derivedWhy(a)}: may enter direct reclaim, which may run this callback`, 'event'),
      ],
    });
    return;
  }
}
