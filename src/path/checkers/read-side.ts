// The read side of an interval notifier and its invalidation: the sequence
// set by the invalidate (mmu_interval_set_seq), a read section's begin and
// retry, the pfns hmm_range_fault() produces, and the pages made from them.
// Its typestate (slot `section`) follows a read section along each path:
// faulted by hmm_range_fault(), then retried (mmu_interval_read_retry or
// check_retry); at each page use and each call made after a fault it
// publishes where the section stood (ReadSectionFact).
import type { LExpr } from '../../ir/lowered.js';
import { curatedFacts } from '../../ir/facts-db.js';
import type { CheckerFacts, ReadSectionFact } from '../../ir/types.js';
import type { State } from '../engine/state.js';
import type { CallSite, Checker, Classified, Engine } from './checker.js';

/** The slot: a section faulted on this path, and the event of its last retry since. */
interface Section {
  retry: number | null;
}

const SLOT = 'section';

export class ReadSideChecker implements Checker {
  /** variables holding a page or pfn from hmm_range_fault's output (per function: not tracked by path) */
  private readonly pfnVars = new Set<string>();
  /** the facts published, once each */
  private readonly sections = new Map<string, ReadSectionFact>();

  constructor(private readonly eng: Engine) {}

  classify(call: CallSite): Classified | null {
    const api = curatedFacts(call.name).notifier;
    return api ? { kind: api, facts: {} } : null;
  }

  afterCall(call: CallSite, c: Classified, s: State): void {
    const own = this.eng.lastEvent(s);
    const section = this.eng.slot<Section>(s, SLOT);
    // the read section's own facts, beside what the call is otherwise
    const known = curatedFacts(call.name);
    if (known.faults) {
      this.eng.record(s, { kind: 'fault', name: call.name, args: [...call.args] }, call.node);
      this.eng.setSlot(s, SLOT, { retry: null } satisfies Section);
      return;
    }
    if (known.usesPage && call.argNodes.some((a) => this.fromPfns(a))) {
      this.eng.record(s, { kind: 'page_use', name: call.name, args: [...call.args] }, call.node);
      if (section) this.publish(this.eng.lastEvent(s), section);
    } else if (c.kind === 'call' && section) this.publish(own, section);
    if ((c.kind === 'read_retry' || c.kind === 'check_retry') && section) this.eng.setSlot(s, SLOT, { retry: own } satisfies Section);
  }

  facts(): CheckerFacts {
    return this.sections.size ? { readSections: [...this.sections.values()] } : {};
  }

  private publish(event: number | null, section: Section): void {
    if (event === null) return;
    const key = `${event}:${section.retry}`;
    if (!this.sections.has(key)) this.sections.set(key, { event, retry: section.retry });
  }

  onStore(name: string, value: LExpr): void {
    if (this.fromPfns(value)) this.pfnVars.add(name);
  }

  /**
   * Whether an expression carries a page made from hmm pfns:
   * `hmm_pfn_to_page(range->hmm_pfns[i])`, the array itself, or a variable
   * assigned from one.
   */
  private fromPfns(node: LExpr): boolean {
    const text = node.text;
    if (/\bhmm_pfns\b|\bhmm_pfn_to_page\b/.test(text)) return true;
    return [...text.matchAll(/[A-Za-z_]\w*/g)].some((m) => this.pfnVars.has(m[0]));
  }
}
