// The read section as a typestate (ir/kernel-api/protocols.ts, READ_SECTION):
// what a section produced (the hmm_range hmm_range_fault() filled, the page
// array of a gup or pin call) handed on after mmu_interval_read_retry() said
// an invalidation ran, on the path where it said so.
import { READ_SECTION } from '../ir/kernel-api/protocols.js';
import { defineRule } from './rule.js';
import { atLoc, note, step, about } from './support.js';
import { callText, typestateFacts } from './typestate-support.js';

export default defineRule({
  id: 'pages-committed-after-failed-retry',
  title: 'pages of a read section handed on after `mmu_interval_read_retry()` reported an invalidation',
  severity: 'error',
  invariant: 'I6',
  status: 'preview',
  since: '0.1.0',
  docs: {
    what: "On a path where `mmu_interval_read_retry()` (or `mmu_interval_check_retry()`) returned true, flags a call handed what the section produced: the `struct hmm_range` that `hmm_range_fault()` filled (or a member of it, such as `range->hmm_pfns`), or the page array of a gup or pin call. Releases (`put_page`, `unpin_user_pages`, `kvfree` ...) and kernel helpers are not uses; a page referenced, mapped or dirtied by name is `pfns-used-before-retry`'s.",
    why: 'A retry that returns true says the pages may already be unmapped and freed: include/linux/mmu_notifier.h, mmu_interval_read_retry(): "If this returns true then the pages must be discarded and the caller must retry". Programming the device from them maps memory the process no longer has at that address.',
    bad: `int drv_map(struct drv_obj *obj, struct hmm_range *range)
{
	int ret;

	range->notifier_seq = mmu_interval_read_begin(range->notifier);
	ret = hmm_range_fault(range);
	if (ret)
		return ret;
	mutex_lock(&obj->lock);
	if (mmu_interval_read_retry(range->notifier, range->notifier_seq))
		ret = -EAGAIN;
	drv_program(obj, range);
	mutex_unlock(&obj->lock);
	return ret;
}
`,
    good: `int drv_map(struct drv_obj *obj, struct hmm_range *range)
{
	int ret;

	range->notifier_seq = mmu_interval_read_begin(range->notifier);
	ret = hmm_range_fault(range);
	if (ret)
		return ret;
	mutex_lock(&obj->lock);
	if (mmu_interval_read_retry(range->notifier, range->notifier_seq))
		ret = -EAGAIN;
	else
		drv_program(obj, range);
	mutex_unlock(&obj->lock);
	return ret;
}
`,
    references: ['include/linux/mmu_notifier.h: mmu_interval_read_retry()', 'Documentation/mm/hmm.rst: "Address space mirroring implementation and API"'],
  },
  messages: {
    afterUnlock: '{{call}}() is handed the pages of the section kept in {{object}} after {{locks}}, held at {{retry}}() (line {{line}}), was dropped: an invalidation may have run since',
    committed: '{{call}}() is handed the pages of the section kept in {{object}} after {{retry}}() reported an invalidation (line {{line}}): they may be unmapped and freed already',
  },
  checkFile(file, ctx) {
    for (const fn of file.functions) {
      for (const f of typestateFacts(fn, READ_SECTION.name, ['use'])) {
        if (!f.use) continue;
        if (f.state === 'valid') {
          // after a successful retry: only where a lock held at the retry is gone (a warning: the helper may only read what it was handed)
          const dropped = (f.from?.locks ?? []).filter((l) => !f.use!.locks.includes(l));
          if (!f.from || !dropped.length) continue;
          ctx.report({
            ...atLoc(file.file, f.use.loc),
            severity: 'warning',
            function: fn.name,
            messageId: 'afterUnlock',
            about: about(null, null, 'object', [f.object]),
            data: { call: f.call ?? '', object: f.object, locks: dropped.join(', '), retry: f.from.name, line: f.from.loc.line },
            steps: [
              step({ file: file.file, loc: f.from.loc }, `${callText(f.from)} returned false under ${f.from.locks.join(', ')}`, 'event'),
              step({ file: file.file, loc: f.use.loc }, `${callText(f.use)} holding [${f.use.locks.join(', ')}]`, 'event'),
              note('commit the pages before dropping the lock the retry ran under (I6)'),
            ],
          });
          continue;
        }
        if (f.state !== 'invalid') continue;
        ctx.report({
          ...atLoc(file.file, f.use.loc),
          function: fn.name,
          messageId: 'committed',
          about: about(null, null, 'object', [f.object]),
          data: { call: f.call ?? '', object: f.object, retry: f.from?.name ?? '', line: f.from?.loc.line ?? 0 },
          steps: [
            ...(f.from ? [step({ file: file.file, loc: f.from.loc }, `${callText(f.from)} returned true`, 'event')] : []),
            step({ file: file.file, loc: f.use.loc }, callText(f.use), 'event'),
            note('discard the pages and begin again when the retry returns true (I6)'),
          ],
        });
      }
    }
  },
});
