// What the model of the core records as it runs: the trace, its steps with
// their lanes (who takes each step, for the diagrams), the violations with
// the trace up to them, and the last outcome of each callback (what a later
// violation follows from). Apart from the core's own state so that the
// interval tree and the invalidation flow share one recorder.
import { CORE_LANE, sameCause, type Cause, type Invariant, type SourcePlace, type TraceStep, type Violation, type ViolationKind } from './core.js';

/** The record of one run of the model, shared by its two sides. */
export abstract class CoreRecord {
  readonly trace: string[] = [];
  /** the driver's place of a trace line, by its index in trace */
  readonly places = new Map<number, SourcePlace>();
  readonly steps: TraceStep[] = [];
  /** the CPU whose mm operation the next steps belong to (a scenario of two CPUs names them) */
  caller = 'CPU';
  private readonly cpus = new Set<string>();
  readonly violations: Violation[] = [];
  /** the last outcome of each notifier's callbacks (`name.field`): what a later violation follows from */
  protected readonly lastOutcome = new Map<string, Cause>();

  /** The lanes of the steps so far: the CPUs, the core, then the notifiers in the order they appear. */
  lanes(): string[] {
    const seen = new Set<string>();
    for (const s of this.steps) for (const l of s.kind === 'note' ? [s.over] : [s.from, s.to]) seen.add(l);
    const cpus = [...seen].filter((l) => this.cpus.has(l));
    return [...cpus, CORE_LANE, ...[...seen].filter((l) => l !== CORE_LANE && !this.cpus.has(l))];
  }

  /** A step of the trace: `from` calls `to`, `to` answers `from`, or a note over `from`. */
  protected step(text: string, from: string = CORE_LANE, kind: 'call' | 'return' | 'note' = 'note', to?: string): void {
    this.trace.push(text);
    if (kind !== 'note' && (from === this.caller || to === this.caller)) this.cpus.add(this.caller);
    const shown = text.trim();
    this.steps.push(kind === 'note' ? { kind, over: from, text: shown } : { kind, from, to: to ?? CORE_LANE, text: shown });
  }

  protected violate(kind: ViolationKind, invariant: Invariant, notifier: string | null, message: string, cause?: Cause): void {
    if (this.violations.some((v) => v.message === message && sameCause(v.cause, cause))) return;
    this.violations.push({ kind, invariant, notifier, message, ...(cause ? { cause } : {}), trace: [...this.trace], places: new Map(this.places), steps: [...this.steps], lanes: this.lanes() });
  }
}
