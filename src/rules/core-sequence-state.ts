import { atLoc, coreDiagram, modelStep, modelSteps, note, step, about } from './support.js';
// I8 in the core itself: mm/mmu_notifier.c keeps invalidate_seq odd exactly
// while an interval invalidation runs, ends every range it starts, applies the
// deferred list at the last end, and makes read_begin and remove wait. The
// steps come from the IR of the scanned core; the model, run with the missing
// step and probe notifiers, shows what breaks and prints the trace.
import type { CoreStep } from '../model/core.js';
import { defineRule } from './rule.js';

/** The hlist pairing has its own rule (core-end-after-failed-start). */
const OWN_RULE: ReadonlySet<CoreStep> = new Set(['endAfterFailedStart']);

/**
 * Steps whose breakage needs two kinds of subscriber on one mm: proven for the
 * core, reached only where such drivers meet (nouveau SVM registers both an
 * hlist notifier that fails non-blockable starts and interval notifiers).
 */
const NEEDS_MIXED_MM: ReadonlySet<CoreStep> = new Set(['hlistFailureEndsRange']);

export default defineRule({
  id: 'core-sequence-state',
  title: 'core: a step of the interval sequence state machine is missing',
  severity: 'error',
  invariant: 'I8',
  status: 'stable',
  since: '0.1.0',
  docs: {
    what: "In mm/mmu_notifier.c (or a patch to it), reads what each core function does to the interval state: `mn_itree_inv_start_range` counts the range and marks `invalidate_seq` odd, `mn_itree_inv_end` uncounts it, advances the sequence, applies the deferred inserts and removes and wakes the waiters, `mn_itree_invalidate` ends the range on its -EAGAIN path, `mmu_interval_read_begin` and `mmu_interval_notifier_remove` wait while the sequence is being invalidated, insert and remove defer while the tree is walked, and a failed hlist start ends the interval range it started. A missing step is run in the model with probe notifiers (an interval mirror using the read side, an hlist notifier that may fail a non-blockable start, one that counts start/end as KVM does); the finding carries the model's trace.",
    why: "Interval notifiers trust the sequence: `mmu_interval_read_retry()` is only as good as the core's parity. A range never ended leaves `invalidate_seq` odd, so every later `mmu_interval_read_begin()` and `mmu_interval_notifier_remove()` sleeps forever; a deferred list never applied loses inserts and removes; a remove that does not wait lets the driver free a notifier the core is still calling.",
    bad: `static int mn_itree_invalidate(struct mmu_notifier_subscriptions *subscriptions,
			       const struct mmu_notifier_range *range)
{
	struct mmu_interval_notifier *interval_sub;
	unsigned long cur_seq;

	for (interval_sub = mn_itree_inv_start_range(subscriptions, range, &cur_seq);
	     interval_sub;
	     interval_sub = mn_itree_inv_next(interval_sub, range)) {
		if (!interval_sub->ops->invalidate(interval_sub, range, cur_seq)) {
			if (WARN_ON(mmu_notifier_range_blockable(range)))
				continue;
			return -EAGAIN;
		}
	}
	return 0;
}
`,
    good: `static int mn_itree_invalidate(struct mmu_notifier_subscriptions *subscriptions,
			       const struct mmu_notifier_range *range)
{
	struct mmu_interval_notifier *interval_sub;
	unsigned long cur_seq;

	for (interval_sub = mn_itree_inv_start_range(subscriptions, range, &cur_seq);
	     interval_sub;
	     interval_sub = mn_itree_inv_next(interval_sub, range)) {
		if (!interval_sub->ops->invalidate(interval_sub, range, cur_seq)) {
			if (WARN_ON(mmu_notifier_range_blockable(range)))
				continue;
			goto out_would_block;
		}
	}
	return 0;

out_would_block:
	/* the caller will not call end: the range must end here */
	mn_itree_inv_end(subscriptions);
	return -EAGAIN;
}
`,
    references: [
      'mm/mmu_notifier.c: mn_itree_inv_start_range(), mn_itree_inv_end(), mmu_interval_read_begin(), mmu_interval_notifier_remove()',
      'commit 56f434f40f05 ("mm/mmu_notifier: add an interval tree notifier")',
      'Documentation/mm/hmm.rst',
    ],
  },
  messages: {
    stepMissing: '{{steps}}: {{model}}',
    stepMissingMixedMm: '{{steps}}: {{model}} (reached when an hlist notifier that can fail a non-blockable start shares the mm with interval notifiers, as nouveau SVM does)',
  },
  checkFile(file, ctx) {
    const core = ctx.core(file);
    if (!core) return;
    // several steps missing in one function share its location: one finding names them all
    const byPlace = new Map<string, Array<{ s: (typeof core.steps)[number]; v: NonNullable<ReturnType<typeof core.violation>> }>>();
    for (const s of core.steps) {
      if (s.holds || OWN_RULE.has(s.step)) continue;
      const v = core.violation(s.step);
      // the model finds nothing wrong without this step: nothing to prove
      if (!v) continue;
      const key = `${s.loc.line}:${s.loc.column}`;
      byPlace.set(key, [...(byPlace.get(key) ?? []), { s, v }]);
    }
    for (const group of byPlace.values()) {
      const { s, v } = group[0]!;
      const mixed = group.every((g) => NEEDS_MIXED_MM.has(g.s.step));
      const also = group.slice(1).map((g) => `also ${g.s.evidence}: ${g.v.message}`);
      ctx.report({
        ...atLoc(s.file, s.loc),
        function: s.function,
        severity: mixed ? 'warning' : undefined,
        messageId: mixed ? 'stepMissingMixedMm' : 'stepMissing',
        about: about(
          null,
          null,
          'step',
          group.map((g) => g.s.step),
        ),
        data: { steps: group.map((g) => g.s.evidence).join('; '), model: v.message },
        steps: [
          step(s, s.evidence, 'event'),
          modelStep(`model at API ${ctx.api.id} with this step missing, probes: an interval mirror, an hlist notifier that may fail start, a start/end counter`),
          ...modelSteps(v),
          modelStep(`${v.invariant}: ${v.message}`),
          ...also.map(note),
        ],
        diagram: coreDiagram(v, `model at API ${ctx.api.id} with this step missing`),
      });
    }
  },
});
