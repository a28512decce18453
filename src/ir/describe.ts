// Shared wording for traces, so every rule explains paths the same way.
import { atomsOf, innermost } from './atoms.js';
import { varName } from './lowered.js';
import type { Assumptions } from './types.js';

/** ` when the range is not blockable and mutex_trylock(l) failed` */
export function describeWhen(when: Assumptions): string {
  const parts: string[] = [];
  for (const { tag, value } of atomsOf(when)) {
    if (tag.tag === 'blockable') {
      parts.push(value ? 'the range is blockable' : 'the range is not blockable');
      continue;
    }
    // a callee's own atom reads as the callee says it
    const t = innermost(tag);
    if (t.tag === 'trylock') parts.push(`trylock of ${t.lock} ${value ? 'succeeded' : 'failed'}`);
    else if (t.tag === 'alloc') parts.push(`allocation ${varName(t.variable)} ${value ? 'succeeded' : 'failed'}`);
    else if (t.tag === 'param') parts.push(`parameter ${t.path} is ${value}`);
    else if (t.tag === 'flag') parts.push(`${t.name} is ${value}`);
    else if (t.tag === 'ret') parts.push(`${t.fn}() ${value ? 'returned non-zero' : 'returned 0'}`);
    else if (t.tag === 'event') parts.push(`range->event ${value ? 'is' : 'is not'} ${t.name}`);
  }
  return parts.length ? ` when ${parts.join(' and ')}` : '';
}
