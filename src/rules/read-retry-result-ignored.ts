// The read section as a typestate (ir/kernel-api/protocols.ts, READ_SECTION):
// the result of mmu_interval_read_retry() or check_retry() decides whether
// the section is valid; thrown away, it decides nothing.
import { READ_SECTION } from '../ir/kernel-api/protocols.js';
import { defineRule } from './rule.js';
import { atLoc, step, about } from './support.js';
import { callText, typestateFacts } from './typestate-support.js';

export default defineRule({
  id: 'read-retry-result-ignored',
  title: '`mmu_interval_read_retry()` / `mmu_interval_check_retry()` result thrown away',
  severity: 'error',
  invariant: 'I6',
  status: 'preview',
  since: '0.1.0',
  docs: {
    what: 'Flags a call of `mmu_interval_read_retry()` or `mmu_interval_check_retry()` whose result is thrown away (the call is a statement of its own).',
    why: 'The retry only reports whether an invalidation ran since `mmu_interval_read_begin()`; it changes nothing. Its result thrown away, the pages of the section are committed whether or not they were unmapped meanwhile (include/linux/mmu_notifier.h, mmu_interval_read_retry(): "If this returns true then the pages must be discarded and the caller must retry").',
    bad: `int drv_commit_range(struct drv_obj *obj, struct hmm_range *range)
{
	mutex_lock(&obj->lock);
	mmu_interval_read_retry(range->notifier, range->notifier_seq);
	drv_program(obj, range);
	mutex_unlock(&obj->lock);
	return 0;
}
`,
    good: `int drv_commit_range(struct drv_obj *obj, struct hmm_range *range)
{
	mutex_lock(&obj->lock);
	if (mmu_interval_read_retry(range->notifier, range->notifier_seq)) {
		mutex_unlock(&obj->lock);
		return -EAGAIN;
	}
	drv_program(obj, range);
	mutex_unlock(&obj->lock);
	return 0;
}
`,
    references: ['include/linux/mmu_notifier.h: mmu_interval_read_retry(), mmu_interval_check_retry()'],
  },
  messages: {
    ignored: 'the result of {{call}}() on {{object}} is thrown away: an invalidation it reports is never acted on',
  },
  checkFile(file, ctx) {
    for (const fn of file.functions) {
      for (const f of typestateFacts(fn, READ_SECTION.name, ['ignored'])) {
        if (!f.use) continue;
        ctx.report({
          ...atLoc(file.file, f.use.loc),
          function: fn.name,
          messageId: 'ignored',
          about: about(null, null, 'object', [f.object]),
          data: { call: f.call ?? '', object: f.object },
          steps: [step({ file: file.file, loc: f.use.loc }, `${callText(f.use)} as a statement (I6: discard the pages and retry when it returns true)`, 'event')],
        });
      }
    }
  },
});
