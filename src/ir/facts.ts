// A compact, printable view of a function summary: what `inventory` shows per
// callback and what a reviewer wants to know at a glance.
import type { FunctionSummary, SummaryEvent } from './summary.js';
import type { Assumptions } from './types.js';

export interface CallbackFacts {
  returns: Array<{ value: string; line: number; file: string; when: Assumptions }>;
  sleeps: Array<{ call: string; file: string; line: number; when: Assumptions; via: string[] }>;
  allocations: Array<{ call: string; mask: string; class: string; file: string; line: number; when: Assumptions; via: string[] }>;
  locks: string[];
  setSeq: Array<{ file: string; line: number; locks: string[] }>;
  readSide: Array<{ kind: string; file: string; line: number; locks: string[] }>;
  finishWrites: Array<{ file: string; line: number; value: string }>;
  testsBlockable: boolean;
  unresolvedCallees: string[];
  truncated: boolean;
}

const via = (e: SummaryEvent): string[] => e.via.map((v) => v.function);

export function callbackFacts(s: FunctionSummary): CallbackFacts {
  const ev = s.events;
  const sleeping = ev.filter((e) => e.kind === 'sleep' || (e.kind === 'lock' && e.sleeps));
  return {
    returns: s.returns.map((r) => ({ value: r.text || '(end)', line: r.loc.line, file: r.file, when: r.when })),
    sleeps: sleeping.map((e) => ({ call: e.name, file: e.file, line: e.loc.line, when: e.when, via: via(e) })),
    allocations: ev
      .filter((e) => e.kind === 'alloc')
      .map((e) => ({
        call: e.name,
        mask: e.gfp.mask,
        class: e.gfp.class,
        file: e.file,
        line: e.loc.line,
        when: e.when,
        via: via(e),
      })),
    locks: [...new Set(ev.flatMap((e) => (e.kind === 'lock' && e.lock ? [e.lock] : [])))].sort(),
    setSeq: ev.filter((e) => e.kind === 'set_seq').map((e) => ({ file: e.file, line: e.loc.line, locks: [...e.locks] })),
    readSide: ev.filter((e) => e.kind === 'read_begin' || e.kind === 'read_retry' || e.kind === 'check_retry').map((e) => ({ kind: e.kind, file: e.file, line: e.loc.line, locks: [...e.locks] })),
    finishWrites: ev.filter((e) => e.kind === 'finish_write').map((e) => ({ file: e.file, line: e.loc.line, value: e.value })),
    testsBlockable: ev.some((e) => 'blockable' in e.when) || s.returns.some((r) => 'blockable' in r.when),
    unresolvedCallees: s.unresolved,
    truncated: s.truncated,
  };
}
