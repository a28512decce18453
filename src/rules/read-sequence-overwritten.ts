// The read section as a typestate (ir/kernel-api/protocols.ts, READ_SECTION):
// a sequence overwritten by a new mmu_interval_read_begin() while the pages
// read under it were never checked by mmu_interval_read_retry().
import { READ_SECTION } from '../ir/kernel-api/protocols.js';
import { defineRule } from './rule.js';
import { atLoc, note, step, about } from './support.js';
import { callText, typestateFacts } from './typestate-support.js';

export default defineRule({
  id: 'read-sequence-overwritten',
  title: 'read section sequence overwritten before its pages were retried',
  severity: 'error',
  invariant: 'I6',
  status: 'preview',
  since: '0.1.0',
  docs: {
    what: "Flags an `mmu_interval_read_begin()` that stores its sequence where an earlier section's sequence is kept while that section has produced pages (`hmm_range_fault()` returned 0, or a gup/pin call ran) and no `mmu_interval_read_retry()` has checked it: on a straight path or through a backward `goto`, an error; when it is the next round of a loop (a begin per chunk, only the last retried), a warning, as the loop may run once.",
    why: "read_retry compares the sequence it is given with the notifier's: an invalidation that ran between the first begin and the second moved the sequence before the second begin read it, so the retry of the second sequence cannot see it, and the pages of the first section, possibly unmapped and freed by then, are committed as valid. Documentation/mm/hmm.rst: every `hmm_range_fault()` sits between a begin and the retry of the same sequence.",
    bad: `int drv_populate(struct drv_obj *obj, struct hmm_range *first, struct hmm_range *second)
{
	unsigned long seq;
	int ret;

	seq = mmu_interval_read_begin(&obj->notifier);
	ret = hmm_range_fault(first);
	if (ret)
		return ret;
	seq = mmu_interval_read_begin(&obj->notifier);
	ret = hmm_range_fault(second);
	if (ret)
		return ret;
	mutex_lock(&obj->lock);
	if (mmu_interval_read_retry(&obj->notifier, seq)) {
		mutex_unlock(&obj->lock);
		return -EAGAIN;
	}
	drv_commit(obj, first, second);
	mutex_unlock(&obj->lock);
	return 0;
}
`,
    good: `int drv_populate(struct drv_obj *obj, struct hmm_range *first, struct hmm_range *second)
{
	unsigned long seq;
	int ret;

	seq = mmu_interval_read_begin(&obj->notifier);
	ret = hmm_range_fault(first);
	if (ret)
		return ret;
	ret = hmm_range_fault(second);
	if (ret)
		return ret;
	mutex_lock(&obj->lock);
	if (mmu_interval_read_retry(&obj->notifier, seq)) {
		mutex_unlock(&obj->lock);
		return -EAGAIN;
	}
	drv_commit(obj, first, second);
	mutex_unlock(&obj->lock);
	return 0;
}
`,
    references: ['Documentation/mm/hmm.rst: "Address space mirroring implementation and API"', 'include/linux/mmu_notifier.h: mmu_interval_read_begin(), mmu_interval_read_retry()'],
  },
  messages: {
    overwritten: 'mmu_interval_read_begin() overwrites {{object}} while the pages read under it (line {{line}}) were never checked by mmu_interval_read_retry(): an invalidation between the two begins goes unseen',
    nextRound: "mmu_interval_read_begin() in a loop: the next round overwrites {{object}} before the pages of this round were checked by mmu_interval_read_retry(); only the last round's sequence is retried",
  },
  checkFile(file, ctx) {
    for (const fn of file.functions) {
      for (const f of typestateFacts(fn, READ_SECTION.name, ['move', 'loop'])) {
        if (f.kind === 'move' && f.use) {
          ctx.report({
            ...atLoc(file.file, f.use.loc),
            function: fn.name,
            messageId: 'overwritten',
            about: about(null, null, 'object', [f.object]),
            data: { object: f.object, line: f.from?.loc.line ?? 0 },
            steps: [
              ...(f.from ? [step({ file: file.file, loc: f.from.loc }, `${callText(f.from)}: pages of the section kept in ${f.object}`, 'event')] : []),
              step({ file: file.file, loc: f.use.loc }, `${callText(f.use)} stored in ${f.object} again, no retry since (I6)`, 'event'),
            ],
          });
        } else if (f.kind === 'loop' && f.from) {
          ctx.report({
            ...atLoc(file.file, f.from.loc),
            severity: 'warning',
            function: fn.name,
            messageId: 'nextRound',
            about: about(null, null, 'object', [f.object]),
            data: { object: f.object },
            steps: [
              step({ file: file.file, loc: f.from.loc }, `${callText(f.from)} kept in ${f.object}, pages produced, the round ends with no retry`, 'event'),
              note('retry each section before the next begin, or begin once before the loop (I6); a warning: the loop may run once'),
            ],
          });
        }
      }
    }
  },
});
