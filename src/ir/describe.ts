// Shared wording for traces, so every rule explains paths the same way.
import type { Assumptions } from './types.js';

/** ` when the range is not blockable and mutex_trylock(l) failed` */
export function describeWhen(when: Assumptions): string {
  const parts: string[] = [];
  for (const [atom, value] of Object.entries(when)) {
    if (atom === 'blockable') parts.push(value ? 'the range is blockable' : 'the range is not blockable');
    else if (atom.includes('trylock:')) parts.push(`trylock of ${atom.slice(atom.indexOf('trylock:') + 8)} ${value ? 'succeeded' : 'failed'}`);
    else if (atom.includes('alloc:')) parts.push(`allocation ${atom.slice(atom.indexOf('alloc:') + 6)} ${value ? 'succeeded' : 'failed'}`);
    else if (atom.includes('param:')) parts.push(`parameter ${atom.slice(atom.indexOf('param:') + 6)} is ${value}`);
    else if (atom.includes('ret:')) parts.push(`${atom.slice(atom.indexOf('ret:') + 4, atom.indexOf('@'))}() ${value ? 'returned non-zero' : 'returned 0'}`);
    else if (atom.includes('event:')) parts.push(`range->event ${value ? 'is' : 'is not'} ${atom.slice(atom.indexOf('event:') + 6)}`);
  }
  return parts.length ? ` when ${parts.join(' and ')}` : '';
}
