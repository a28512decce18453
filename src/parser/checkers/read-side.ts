// The read side of an interval notifier and its invalidation: the sequence
// set by the invalidate (mmu_interval_set_seq), a read section's begin and
// retry, the pfns hmm_range_fault() produces, and the pages made from them.
import type { Node } from 'web-tree-sitter';
import { CHECK_RETRY, HMM_FAULT_CALLS, PAGE_USE_CALLS, READ_BEGIN, READ_RETRY, SET_SEQ } from '../../ir/kernel-api.js';
import type { State } from '../engine/state.js';
import type { CallSite, Checker, Classified, Engine } from './checker.js';

export class ReadSideChecker implements Checker {
  /** variables holding a page or pfn from hmm_range_fault's output (per function: not tracked by path) */
  private readonly pfnVars = new Set<string>();

  constructor(private readonly eng: Engine) {}

  classify(call: CallSite): Classified | null {
    if (call.name === SET_SEQ) return { kind: 'set_seq', facts: {} };
    if (call.name === READ_BEGIN) return { kind: 'read_begin', facts: {} };
    if (call.name === READ_RETRY) return { kind: 'read_retry', facts: {} };
    if (call.name === CHECK_RETRY) return { kind: 'check_retry', facts: {} };
    return null;
  }

  afterCall(call: CallSite, _c: Classified, s: State): void {
    // the read section's own facts, beside what the call is otherwise
    if (HMM_FAULT_CALLS.has(call.name)) this.eng.record(s, { kind: 'fault', name: call.name, args: [...call.args] }, call.node);
    else if (PAGE_USE_CALLS.has(call.name) && call.argNodes.some((a) => this.fromPfns(a))) this.eng.record(s, { kind: 'page_use', name: call.name, args: [...call.args] }, call.node);
  }

  onStore(name: string, value: Node): void {
    if (this.fromPfns(value)) this.pfnVars.add(name);
  }

  /**
   * Whether an expression carries a page made from hmm pfns:
   * `hmm_pfn_to_page(range->hmm_pfns[i])`, the array itself, or a variable
   * assigned from one.
   */
  private fromPfns(node: Node): boolean {
    const text = node.text;
    if (/\bhmm_pfns\b|\bhmm_pfn_to_page\b/.test(text)) return true;
    return [...text.matchAll(/[A-Za-z_]\w*/g)].some((m) => this.pfnVars.has(m[0]));
  }
}
