// An executable model of the mmu_notifier core (mm/mmu_notifier.c) for one mm:
// the interval tree side (invalidate_seq, active_invalidate_ranges, the
// deferred list, read_begin/read_retry, the two-pass finish queue) and the
// hlist side (start/end pairing). Callbacks are abstract drivers: at each call
// the model asks a Chooser which of the driver's possible outcomes happens, so
// an explorer can enumerate them. Invariants I1-I8 are checked as the model runs.
//
// Plain TypeScript: imports nothing from the parser, the IR or the rules.
import type { ApiLevel } from './api.js';

/** -EAGAIN, the one error a start may return (include/uapi/asm-generic/errno-base.h); the model imports nothing of ours */
export const EAGAIN = -11;

export type Invariant = 'I1' | 'I2' | 'I3' | 'I4' | 'I5' | 'I6' | 'I7' | 'I8' | 'API';

/** How a two-pass start hands out its finish object. */
export type FinishKind =
  | 'none' // finish left NULL: the whole job was done in the first pass
  | 'fresh' // a new object per call (allocated, or from a pool)
  | 'shared' // the same object every call, no protection
  | 'guarded' // the same object, taken under an in-use flag; busy -> single pass
  | 'global' // one object for every notifier of the ops (a global or function-static), no protection
  | 'guarded-global'; // that global object under a lock and an in-use flag

/** One possible behaviour of one callback call, as the driver's code allows it. */
export interface Outcome {
  /** interval: true/false; hlist start: 0 or an error; others: ignored */
  ret: boolean | number;
  setSeq?: boolean;
  sleeps?: boolean;
  /** the callback removes or unregisters its own notifier (waits for itself) */
  removesSelf?: boolean;
  finish?: FinishKind;
  /** a finish object was allocated on this path (leaks if ret is false) */
  allocatesFinish?: boolean;
  /** the driver's source location and condition, for traces */
  label: string;
  /** where in the driver's source the outcome is (the return it stands for), when it is one */
  at?: SourcePlace;
}

/** A place in the driver's source, as the model's traces point at it. */
export interface SourcePlace {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export type CallbackName =
  | 'invalidate'
  | 'invalidate_start'
  | 'invalidate_finish'
  | 'invalidate_range_start'
  | 'invalidate_range_end'
  | 'release'
  | 'arch_invalidate_secondary_tlbs'
  | 'clear_flush_young'
  | 'clear_young'
  | 'test_young'
  | 'free_notifier';

/** An abstract driver: which callbacks it has and what each may do in a (non-)blockable range. */
export interface AbstractNotifier {
  name: string;
  /** the ops table when several notifiers share one (a driver's second object): state the table owns is shared */
  ops?: string;
  kind: 'interval' | 'hlist';
  callbacks: Partial<Record<CallbackName, (ctx: { blockable: boolean }) => Outcome[]>>;
  /** the driver uses mmu_interval_read_begin/read_retry on this notifier */
  usesReadSide?: boolean;
  /** interval: [start, end) of the subscription */
  interval?: [number, number];
}

export interface Chooser {
  /** picks one of `options` (length >= 1); `what` names the choice for traces */
  choose<T>(what: string, options: readonly T[]): T;
}

/** What went wrong, for a caller to branch on (the message is for people). */
export type ViolationKind =
  | 'active-ranges-left'
  | 'deferred-not-applied'
  | 'end-after-failed-start'
  | 'false-from-release'
  | 'false-in-blockable-range'
  | 'finish-leaked-on-false'
  | 'finish-never-completed'
  | 'finish-shared-by-all'
  | 'finish-shared-by-concurrent'
  | 'finish-without-callback'
  | 'freed-under-deferred-walk'
  | 'insert-not-deferred'
  | 'null-callback-called'
  | 'read-begin-during-invalidation'
  | 'remove-from-own-callback'
  | 'remove-not-deferred'
  | 'remove-without-wait'
  | 'retry-misses-invalidation'
  | 'seq-odd-when-idle'
  | 'seq-odd-without-range'
  | 'sleeps-where-forbidden'
  | 'start-error-not-eagain'
  | 'start-without-end'
  | 'start-without-finish'
  | 'unregister-from-own-callback'
  | 'waiter-never-woken';

export interface Violation {
  kind: ViolationKind;
  invariant: Invariant;
  notifier: string | null;
  message: string;
  trace: string[];
  /** the driver's place of a trace line (by index in trace), for the lines that run a driver's return */
  places: ReadonlyMap<number, SourcePlace>;
  /** the same steps with who does them, for sequence diagrams */
  steps: TraceStep[];
  /** the lanes of those steps: the CPUs, the core, then the notifiers as they appear */
  lanes: string[];
}

/** The core's lane in a diagram: the code the model stands for. */
export const CORE_LANE = 'mm/mmu_notifier.c';

/**
 * One step of a trace with its lanes: a call from the CPU running an mm
 * operation (or a driver) into the core, a callback call from the core into
 * a notifier, the core's answer, or a note of state over one lane.
 */
export type TraceStep = { readonly kind: 'call' | 'return'; readonly from: string; readonly to: string; readonly text: string } | { readonly kind: 'note'; readonly over: string; readonly text: string };

/**
 * What the core itself does, step by step, where the code of a scanned
 * mm/mmu_notifier.c can differ from the level's contract. Defaults come from
 * the API level (every step there); a core under review may lack some.
 */
export interface CoreBehaviour {
  /** mn_itree_inv_start_range: active_invalidate_ranges++ */
  startCountsRange: boolean;
  /** mn_itree_inv_start_range: invalidate_seq |= 1 when an interval overlaps */
  startMarksSeq: boolean;
  /** mn_itree_inv_end: active_invalidate_ranges-- */
  endUncountsRange: boolean;
  /** mn_itree_inv_end: invalidate_seq++ (back to even) when the last range ends */
  endAdvancesSeq: boolean;
  /** mn_itree_inv_end: the deferred inserts and removes are applied then */
  endAppliesDeferred: boolean;
  /** mn_itree_inv_end: wake_up_all on the waiters of read_begin and remove */
  endWakes: boolean;
  /** mn_itree_invalidate: the -EAGAIN path ends the range it started (mn_itree_inv_end) */
  failedStartEnds: boolean;
  /** mmu_interval_read_begin: waits while its interval is being invalidated */
  readBeginWaits: boolean;
  /** mmu_interval_notifier_remove: waits for the invalidation in flight on its sequence */
  removeWaits: boolean;
  /** __mmu_interval_notifier_insert: deferred while an invalidation walks the tree */
  insertDefers: boolean;
  /** mmu_interval_notifier_remove: deferred while an invalidation walks the tree */
  removeDefers: boolean;
  /**
   * remove's wait ends only once inv_end has applied the deferred list: its
   * condition reads the sequence under the lock, or inv_end advances the
   * sequence after the walk (319561669a59)
   */
  removeWaitsForDeferred: boolean;
  /** mn_hlist_invalidate_range_start: end on every notifier that has one after a failed start (c2655835fd8c) */
  endAfterFailedStart: boolean;
  /**
   * __mmu_notifier_invalidate_range_start: when the hlist start fails after
   * the interval walk succeeded, the interval range is ended too. No kernel
   * up to 7.1 does: the caller calls no end, so the range stays active.
   */
  hlistFailureEndsRange: boolean;
  /** mn_itree_release (exit_mmap) ends the range it started over the whole address space */
  releaseEndsRange: boolean;
  /** __mmu_notifier_register starts invalidate_seq even (idle), at 2 */
  registerStartsEven: boolean;
}

export type CoreStep = keyof CoreBehaviour;

/** The core as the level's contract describes it. */
export function behaviourOf(api: ApiLevel): CoreBehaviour {
  return {
    startCountsRange: true,
    startMarksSeq: true,
    endUncountsRange: true,
    endAdvancesSeq: true,
    endAppliesDeferred: true,
    endWakes: true,
    failedStartEnds: true,
    readBeginWaits: true,
    removeWaits: true,
    insertDefers: true,
    removeDefers: true,
    removeWaitsForDeferred: true,
    endAfterFailedStart: api.endAfterFailedStart,
    hlistFailureEndsRange: false,
    releaseEndsRange: true,
    registerStartsEven: true,
  };
}

export interface ModelRange {
  start: number;
  end: number;
  blockable: boolean;
}

interface IntervalSub {
  n: AbstractNotifier;
  start: number;
  end: number;
  invalidateSeq: number;
  inTree: boolean;
}

interface HlistSub {
  n: AbstractNotifier;
  /** successful starts minus ends */
  balance: number;
}

export interface QueuedFinish {
  sub: IntervalSub;
  objectId: string;
  label: string;
}

/** A token for one invalidation between start and end. */
export interface Invalidation {
  range: ModelRange;
  ret: number;
  /** start failed: the caller must not call end */
  failed: boolean;
  /** between the interval first pass and the finish pass (another CPU may run meanwhile) */
  queue?: QueuedFinish[];
  itreeErr?: number;
}

export class MmuNotifierCore {
  /** even when idle (the kernel starts it at 2), odd while an invalidation touches a registered interval */
  invalidateSeq = 2;
  activeInvalidateRanges = 0;
  readonly intervals: IntervalSub[] = [];
  readonly deferred: Array<{ sub: IntervalSub; op: 'insert' | 'remove' }> = [];
  readonly hlist: HlistSub[] = [];
  readonly trace: string[] = [];
  /** the driver's place of a trace line, by its index in trace */
  readonly places = new Map<number, SourcePlace>();
  readonly steps: TraceStep[] = [];
  /** the CPU whose mm operation the next steps belong to (a scenario of two CPUs names them) */
  caller = 'CPU';
  private readonly cpus = new Set<string>();
  readonly violations: Violation[] = [];
  private finishSerial = 0;
  /** finishes handed out and not yet completed, across concurrent invalidations */
  private readonly inFlight = new Map<string, string>();
  /** nesting of callbacks currently running (to catch a callback that removes its own notifier) */
  private running: string | null = null;
  /** read_begin and remove callers asleep on subscriptions->wq */
  private readonly waiters: string[] = [];
  readonly core: CoreBehaviour;

  constructor(
    readonly api: ApiLevel,
    private readonly chooser: Chooser,
    behaviour?: Partial<CoreBehaviour>,
  ) {
    this.core = { ...behaviourOf(api), ...behaviour };
    if (!this.core.registerStartsEven) this.invalidateSeq = 1;
  }

  // ------------------------------------------------------------ registration

  registerHlist(n: AbstractNotifier): void {
    this.step(`mmu_notifier_register(${n.name})`, n.name, 'call');
    this.hlist.push({ n, balance: 0 });
  }

  /** mmu_interval_notifier_insert: deferred while an invalidation is running. */
  insertInterval(n: AbstractNotifier): void {
    const [start, end] = n.interval ?? [0, 1 << 20];
    if (this.api.twoPass && n.callbacks.invalidate_start && !n.callbacks.invalidate_finish) {
      if (this.api.insertChecksFinish) this.step(`WARN_ON_ONCE(ops->invalidate_start && !ops->invalidate_finish) for ${n.name}`);
      this.violate('start-without-finish', 'I3', n.name, `${n.name} sets invalidate_start without invalidate_finish`);
    }
    const sub: IntervalSub = { n, start, end, invalidateSeq: 0, inTree: false };
    this.hasItree = true;
    this.known.set(n.name, sub);
    if (this.activeInvalidateRanges) {
      if (this.isInvalidating() && !this.core.insertDefers) {
        sub.invalidateSeq = this.invalidateSeq;
        sub.inTree = true;
        this.intervals.push(sub);
        this.step(`mmu_interval_notifier_insert(${n.name}): added to the interval tree while an invalidation walks it`, n.name, 'call');
        this.violate('insert-not-deferred', 'I8', n.name, `mmu_interval_notifier_insert(${n.name}) changes the interval tree while an invalidation walks it without the lock: the insert must go to the deferred list`);
      } else if (this.isInvalidating()) {
        this.deferred.push({ sub, op: 'insert' });
        this.step(`mmu_interval_notifier_insert(${n.name}): an invalidation is running, insert deferred`, n.name, 'call');
      } else {
        this.invalidateSeq |= 1;
        sub.inTree = true;
        this.intervals.push(sub);
        this.step(`mmu_interval_notifier_insert(${n.name}) during a range with no interval: seq now ${this.invalidateSeq}`, n.name, 'call');
      }
      sub.invalidateSeq = this.invalidateSeq;
    } else {
      sub.invalidateSeq = this.invalidateSeq - 1;
      sub.inTree = true;
      this.intervals.push(sub);
      this.step(`mmu_interval_notifier_insert(${n.name})`, n.name, 'call');
    }
    this.checkParity();
  }

  /**
   * mmu_interval_notifier_remove: while invalidating, queued and waiting for
   * the invalidation to end. Returns whether the caller waits.
   */
  removeInterval(name: string): 'removed' | 'waits' {
    const sub = this.findInterval(name);
    if (this.running === name) {
      this.violate('remove-from-own-callback', 'I5', name, `${name}'s own callback calls mmu_interval_notifier_remove(): it waits for the invalidation that is calling it (deadlock)`);
    }
    if (this.isInvalidating()) {
      if (!sub.inTree) {
        const i = this.deferred.findIndex((d) => d.sub === sub);
        if (i >= 0) this.deferred.splice(i, 1);
        this.step(`mmu_interval_notifier_remove(${name}): its deferred insert is dropped`, name, 'call');
        return 'removed';
      }
      if (!this.core.removeDefers) {
        sub.inTree = false;
        this.intervals.splice(this.intervals.indexOf(sub), 1);
        this.step(`mmu_interval_notifier_remove(${name}): taken out of the interval tree while an invalidation walks it`, name, 'call');
        this.violate('remove-not-deferred', 'I8', name, `mmu_interval_notifier_remove(${name}) changes the interval tree while an invalidation walks it without the lock: the remove must go to the deferred list`);
        return 'removed';
      }
      this.deferred.push({ sub, op: 'remove' });
      if (!this.core.removeWaits) {
        this.step(`mmu_interval_notifier_remove(${name}): remove deferred, returns at once while seq ${this.invalidateSeq} is still being invalidated`, name, 'call');
        this.violate(
          'remove-without-wait',
          'I8',
          name,
          `mmu_interval_notifier_remove(${name}) returns while an invalidation of seq ${this.invalidateSeq} is in flight: the caller frees ${name} while the core may still call its invalidate (use after free)`,
        );
        return 'removed';
      }
      this.waiters.push(`mmu_interval_notifier_remove(${name})`);
      this.step(`mmu_interval_notifier_remove(${name}): an invalidation is running, remove deferred, caller waits for seq ${this.invalidateSeq} to end`, name, 'call');
      return 'waits';
    }
    sub.inTree = false;
    this.intervals.splice(this.intervals.indexOf(sub), 1);
    this.step(`mmu_interval_notifier_remove(${name})`, name, 'call');
    return 'removed';
  }

  // ------------------------------------------------------------ invalidation

  isInvalidating(): boolean {
    return (this.invalidateSeq & 1) === 1;
  }

  /** __mmu_notifier_invalidate_range_start: the interval tree, then the hlist. */
  invalidateRangeStart(range: ModelRange): Invalidation {
    return this.completeStart(this.beginStart(range));
  }

  /**
   * The first half of a start: mn_itree_invalidate up to its finish pass. A
   * scenario may run another CPU's start before completeStart, as two CPUs
   * can both be between the first pass and the finish pass.
   */
  beginStart(range: ModelRange): Invalidation {
    const kind = range.blockable ? 'blockable' : 'non-blockable';
    this.step(`invalidate_range_start([${range.start}, ${range.end}), ${kind})`, this.caller, 'call');
    const inv: Invalidation = { range, ret: 0, failed: false };
    if (this.hasItree) {
      const curSeq = this.invStartRange(range);
      inv.queue = [];
      inv.itreeErr = 0;
      for (const sub of this.overlapping(range)) {
        const ret = this.callInterval(sub, range, curSeq, inv.queue);
        if (!ret) {
          if (range.blockable) {
            this.violate('false-in-blockable-range', 'I4', sub.n.name, `${sub.n.name} returned false in a blockable range: the core WARNs and goes on`);
            continue;
          }
          inv.itreeErr = EAGAIN;
          this.step(`  ${sub.n.name} returned false in a non-blockable range: -EAGAIN`);
          break;
        }
      }
    }
    return inv;
  }

  /** The rest of a start: the finish pass, inv_end on -EAGAIN, then the hlist. */
  completeStart(inv: Invalidation): Invalidation {
    const range = inv.range;
    if (inv.queue) {
      this.finishPass(inv.queue, range);
      if (inv.itreeErr) {
        if (this.core.failedStartEnds) this.invEnd();
        else this.step('  mn_itree_invalidate returns -EAGAIN without mn_itree_inv_end');
        inv.ret = inv.itreeErr;
        inv.failed = true;
        this.step(`invalidate_range_start returns ${inv.ret}: the caller will not call invalidate_range_end`, CORE_LANE, 'return', this.caller);
        this.checkParity();
        return inv;
      }
    }
    if (this.hlist.length) inv.ret = this.hlistStart(range);
    if (inv.ret && inv.queue) {
      if (this.core.hlistFailureEndsRange) this.invEnd();
      else this.step('  the hlist start failed after the interval walk: mn_itree_inv_end is not called, the interval range stays active');
    }
    if (inv.ret) {
      inv.failed = true;
      this.step(`invalidate_range_start returns ${inv.ret}: the caller will not call invalidate_range_end`, CORE_LANE, 'return', this.caller);
    }
    this.checkParity();
    return inv;
  }

  /** __mmu_notifier_invalidate_range_end: only for a start that returned 0. */
  invalidateRangeEnd(inv: Invalidation): void {
    if (inv.failed) return;
    this.step(`invalidate_range_end([${inv.range.start}, ${inv.range.end}))`, this.caller, 'call');
    if (this.hasItree) this.invEnd();
    for (const h of this.hlist) {
      const cb = h.n.callbacks.invalidate_range_end;
      if (!cb) continue;
      const o = this.call(h.n, 'invalidate_range_end', cb, inv.range);
      this.endCalled(h);
      void o;
    }
    this.checkParity();
  }

  /** mmu_notifier_release: exit_mmap. */
  release(): void {
    this.step('mmu_notifier_release (exit_mmap)', this.caller, 'call');
    const range: ModelRange = { start: 0, end: Number.MAX_SAFE_INTEGER, blockable: true };
    if (this.hasItree) {
      const curSeq = this.invStartRange(range);
      const queue: QueuedFinish[] = [];
      for (const sub of this.overlapping(range)) {
        const ret = this.callInterval(sub, range, curSeq, queue);
        if (!ret) this.violate('false-from-release', 'I4', sub.n.name, `${sub.n.name}'s invalidate returned false from release (blockable): the core WARNs`);
      }
      this.finishPass(queue, range);
      if (this.core.releaseEndsRange) this.invEnd();
      else this.step('  mn_itree_release returns without mn_itree_inv_end');
    }
    for (const h of this.hlist) {
      const cb = h.n.callbacks.release;
      if (cb) this.call(h.n, 'release', cb, range);
    }
    this.checkParity();
  }

  // ------------------------------------------------------------ read side

  /** mmu_interval_read_begin: waits while its interval is being invalidated. */
  readBegin(name: string): { seq: number; blocked: boolean } {
    const sub = this.findInterval(name);
    const seq = sub.invalidateSeq;
    const invalidated = seq === this.invalidateSeq && this.isInvalidating();
    const blocked = invalidated && this.core.readBeginWaits;
    if (blocked) this.waiters.push(`mmu_interval_read_begin(${name})`);
    this.step(`mmu_interval_read_begin(${name}) = ${seq}${blocked ? ': waits for the invalidation to end' : invalidated ? ': returns although its interval is being invalidated' : ''}`, name, 'call');
    return { seq, blocked };
  }

  readRetry(name: string, seq: number): boolean {
    const sub = this.findInterval(name);
    const retry = sub.invalidateSeq !== seq;
    this.step(`mmu_interval_read_retry(${name}, ${seq}) = ${retry}`, name, 'call');
    return retry;
  }

  /** Callbacks that must never sleep (called under locks or from SRCU). */
  callAtomic(name: string, field: 'arch_invalidate_secondary_tlbs' | 'clear_flush_young' | 'clear_young' | 'test_young' | 'free_notifier'): void {
    const h = this.hlist.find((x) => x.n.name === name);
    const cb = h?.n.callbacks[field];
    if (!h || !cb) return;
    this.call(h.n, field, cb, { start: 0, end: 1, blockable: false });
  }

  // ------------------------------------------------------------ invariants

  /** I1 and I3/I8 at quiescence: every start balanced, every finish done, seq even. */
  checkQuiescent(): void {
    for (const h of this.hlist) {
      if (h.balance > 0) this.violate('start-without-end', 'I1', h.n.name, `${h.n.name} got ${h.balance} successful invalidate_range_start without a matching invalidate_range_end`);
    }
    for (const [obj, owner] of this.inFlight) this.violate('finish-never-completed', 'I3', owner, `finish ${obj} of ${owner} never got its invalidate_finish`);
    if (this.activeInvalidateRanges === 0 && this.isInvalidating())
      this.violate('seq-odd-when-idle', 'I8', null, `no invalidation is active but invalidate_seq is odd (${this.invalidateSeq}): read_begin would wait forever`);
    if (this.activeInvalidateRanges !== 0) this.violate('active-ranges-left', 'I8', null, `active_invalidate_ranges is ${this.activeInvalidateRanges} with no invalidation in flight`);
    if (this.activeInvalidateRanges === 0 && this.deferred.length) this.violate('deferred-not-applied', 'I8', null, `${this.deferred.length} deferred insert/remove not applied after the last invalidate_range_end`);
    for (const w of this.waiters) this.violate('waiter-never-woken', 'I8', null, `${w} sleeps on subscriptions->wq and is never woken: the last mn_itree_inv_end did not wake_up_all`);
  }

  // ------------------------------------------------------------ internals

  /** subscriptions->has_itree: set by the first interval insert, never cleared */
  private hasItree = false;
  /** every interval notifier ever inserted, also after its removal */
  private readonly known = new Map<string, IntervalSub>();

  private findInterval(name: string): IntervalSub {
    const sub = this.known.get(name);
    if (!sub) throw new Error(`model: no interval notifier ${name}`);
    return sub;
  }

  private overlapping(range: ModelRange): IntervalSub[] {
    // interval_tree_iter_first/next walk the tree in order of start
    return this.intervals.filter((s) => s.inTree && s.start < range.end && range.start < s.end).sort((a, b) => a.start - b.start);
  }

  /** mn_itree_inv_start_range */
  private invStartRange(range: ModelRange): number {
    if (this.core.startCountsRange) this.activeInvalidateRanges++;
    if (this.overlapping(range).length && this.core.startMarksSeq) this.invalidateSeq |= 1;
    this.step(`  mn_itree_inv_start_range: active_invalidate_ranges=${this.activeInvalidateRanges}, seq=${this.invalidateSeq}`);
    return this.invalidateSeq;
  }

  /** mn_itree_inv_end */
  private invEnd(): void {
    if (this.core.endUncountsRange) this.activeInvalidateRanges--;
    if (this.activeInvalidateRanges || !this.isInvalidating()) {
      this.step(`  mn_itree_inv_end: active_invalidate_ranges=${this.activeInvalidateRanges}, seq=${this.invalidateSeq}`);
      return;
    }
    if (this.core.endAdvancesSeq) this.invalidateSeq++;
    if (!this.core.removeWaitsForDeferred) {
      // remove's lockless wait sees the new sequence before the walk below
      for (const d of this.deferred) {
        const w = `mmu_interval_notifier_remove(${d.sub.n.name})`;
        if (d.op !== 'remove' || !this.waiters.includes(w)) continue;
        this.step(`  ${w} sees seq ${this.invalidateSeq} without the lock and returns: its caller frees ${d.sub.n.name}`);
        this.violate(
          'freed-under-deferred-walk',
          'I8',
          d.sub.n.name,
          `${w} returns while ${d.sub.n.name} is still on the deferred list mn_itree_inv_end is walking: the caller frees it under the walk (use after free, 319561669a59)`,
        );
      }
    }
    for (const d of this.core.endAppliesDeferred ? this.deferred.splice(0) : []) {
      if (d.op === 'insert') {
        d.sub.inTree = true;
        this.intervals.push(d.sub);
      } else {
        d.sub.inTree = false;
        this.intervals.splice(this.intervals.indexOf(d.sub), 1);
      }
      this.step(`  mn_itree_inv_end: deferred ${d.op} of ${d.sub.n.name} applied`);
    }
    if (this.core.endWakes) {
      this.waiters.splice(0);
      this.step(`  mn_itree_inv_end: last invalidation done, seq=${this.invalidateSeq}, waiters woken`);
    } else this.step(`  mn_itree_inv_end: last invalidation done, seq=${this.invalidateSeq}, no wake_up_all`);
  }

  /** One interval callback call (invalidate, or invalidate_start on a two-pass core). */
  private callInterval(sub: IntervalSub, range: ModelRange, curSeq: number, queue: QueuedFinish[]): boolean {
    const n = sub.n;
    const twoPass = this.api.twoPass && n.callbacks.invalidate_start;
    const field: CallbackName = twoPass ? 'invalidate_start' : 'invalidate';
    const cb = n.callbacks[field];
    if (!cb) {
      this.violate('null-callback-called', 'API', n.name, `the core calls ops->${field} of ${n.name}, which is NULL at API level ${this.api.id}`);
      return true;
    }
    const o = this.call(n, field, cb, range);
    if (o.setSeq) sub.invalidateSeq = curSeq;
    const ret = o.ret === true;
    if (twoPass) {
      const kind = o.finish ?? 'none';
      if (!ret && o.allocatesFinish) this.violate('finish-leaked-on-false', 'I7', n.name, `${n.name}'s invalidate_start allocated a finish and returned false: the core ignores it, it leaks (${o.label})`);
      if (ret && kind !== 'none') {
        const ops = n.ops ?? n.name;
        const objectId = kind === 'fresh' ? `${n.name}#${++this.finishSerial}` : kind === 'global' || kind === 'guarded-global' ? `${ops}.global-finish` : `${n.name}.finish`;
        if ((kind === 'guarded' || kind === 'guarded-global') && this.inFlight.has(objectId)) {
          this.step(`  ${n.name}: its finish object is in use, the whole job is done in the first pass`, n.name);
          return ret;
        }
        if (this.inFlight.has(objectId)) {
          if (kind === 'global') this.violate('finish-shared-by-all', 'I7', n.name, `${n.name} hands out finish ${objectId}, one object for every notifier of ${ops}, while it is still queued (${o.label})`);
          else this.violate('finish-shared-by-concurrent', 'I7', n.name, `${n.name} hands out finish ${objectId} while a concurrent invalidation still has it queued (${o.label})`);
        }
        this.inFlight.set(objectId, n.name);
        queue.push({ sub, objectId, label: o.label });
        this.step(`  ${n.name}: finish ${objectId} queued, finish->notifier set by the core`);
      }
    }
    return ret;
  }

  /** mn_itree_finish_pass: invalidate_finish for each queued finish, in start order. */
  private finishPass(queue: QueuedFinish[], range: ModelRange): void {
    for (const f of queue) {
      const cb = f.sub.n.callbacks.invalidate_finish;
      if (!cb) {
        this.violate('finish-without-callback', 'I3', f.sub.n.name, `finish ${f.objectId} of ${f.sub.n.name} is queued but ops->invalidate_finish is NULL`);
      } else {
        this.call(f.sub.n, 'invalidate_finish', cb, range);
      }
      this.inFlight.delete(f.objectId);
    }
  }

  /** mn_hlist_invalidate_range_start */
  private hlistStart(range: ModelRange): number {
    let ret = 0;
    for (const h of this.hlist) {
      const cb = h.n.callbacks.invalidate_range_start;
      if (!cb) continue;
      const o = this.call(h.n, 'invalidate_range_start', cb, range);
      const r = typeof o.ret === 'number' ? o.ret : o.ret ? 0 : EAGAIN;
      if (r) {
        if (range.blockable || r !== EAGAIN)
          this.violate(
            'start-error-not-eagain',
            'I4',
            h.n.name,
            `${h.n.name}'s invalidate_range_start returned ${r} in a ${range.blockable ? 'blockable' : 'non-blockable'} range: only -EAGAIN in a non-blockable range is allowed (${o.label})`,
          );
        if (h.n.callbacks.invalidate_range_end && this.core.endAfterFailedStart) this.step(`  WARN_ON(ops->invalidate_range_end): ${h.n.name} can fail start and has end`);
        ret = r;
      } else if (h.n.callbacks.invalidate_range_end) {
        // pairing only concerns notifiers that have an end (KVM counts in-flight ranges)
        h.balance++;
      }
    }
    if (ret && this.core.endAfterFailedStart) {
      this.step('  a start failed: invalidate_range_end on every notifier that has one (c2655835fd8c)');
      for (const h of this.hlist) {
        const cb = h.n.callbacks.invalidate_range_end;
        if (!cb) continue;
        this.call(h.n, 'invalidate_range_end', cb, range);
        this.endCalled(h);
      }
    }
    return ret;
  }

  private endCalled(h: HlistSub): void {
    if (h.balance === 0)
      this.violate('end-after-failed-start', 'I1', h.n.name, `${h.n.name} got invalidate_range_end without a successful invalidate_range_start (its start failed): I2, a start that can fail must not have end`);
    else h.balance--;
  }

  /** Calls a callback: the chooser picks one of its outcomes for this range. */
  private call(n: AbstractNotifier, field: CallbackName, cb: (ctx: { blockable: boolean }) => Outcome[], range: ModelRange): Outcome {
    const options = cb({ blockable: range.blockable });
    const o = options.length ? this.chooser.choose(`${n.name}.${field}`, options) : { ret: true, label: 'no feasible path' };
    const shown = typeof o.ret === 'boolean' ? String(o.ret) : String(o.ret);
    if (o.at) this.places.set(this.trace.length, o.at);
    this.step(`  ${n.name}.${field}() -> ${shown}${o.setSeq && n.kind === 'interval' ? ', set_seq' : ''}${o.sleeps ? ', sleeps' : ''} [${o.label}]`, CORE_LANE, 'call', n.name);
    const mustNotSleep = !range.blockable || field === 'arch_invalidate_secondary_tlbs' || field === 'free_notifier' || field.includes('young');
    if (o.sleeps && mustNotSleep) {
      this.violate('sleeps-where-forbidden', 'I5', n.name, `${n.name}.${field} sleeps ${range.blockable ? 'in a callback that must never sleep' : 'in a non-blockable range'} (${o.label})`);
    }
    if (o.removesSelf) {
      const prev = this.running;
      this.running = n.name;
      if (n.kind === 'interval' && this.intervals.some((s) => s.n === n)) this.removeInterval(n.name);
      else this.violate('unregister-from-own-callback', 'I5', n.name, `${n.name}.${field} unregisters its own notifier: it waits for the invalidation that is calling it (deadlock) (${o.label})`);
      this.running = prev;
    }
    return o;
  }

  /** The lanes of the steps so far: the CPUs, the core, then the notifiers in the order they appear. */
  lanes(): string[] {
    const seen = new Set<string>();
    for (const s of this.steps) for (const l of s.kind === 'note' ? [s.over] : [s.from, s.to]) seen.add(l);
    const cpus = [...seen].filter((l) => this.cpus.has(l));
    return [...cpus, CORE_LANE, ...[...seen].filter((l) => l !== CORE_LANE && !this.cpus.has(l))];
  }

  /** A step of the trace: `from` calls `to`, `to` answers `from`, or a note over `from`. */
  private step(text: string, from: string = CORE_LANE, kind: 'call' | 'return' | 'note' = 'note', to?: string): void {
    this.trace.push(text);
    if (kind !== 'note' && (from === this.caller || to === this.caller)) this.cpus.add(this.caller);
    const shown = text.trim();
    this.steps.push(kind === 'note' ? { kind, over: from, text: shown } : { kind, from, to: to ?? CORE_LANE, text: shown });
  }

  private violate(kind: ViolationKind, invariant: Invariant, notifier: string | null, message: string): void {
    if (this.violations.some((v) => v.message === message)) return;
    this.violations.push({ kind, invariant, notifier, message, trace: [...this.trace], places: new Map(this.places), steps: [...this.steps], lanes: this.lanes() });
  }

  /** I8: seq odd only while invalidating; idle means even and nothing deferred. */
  private checkParity(): void {
    if (this.isInvalidating() && this.activeInvalidateRanges === 0) {
      this.violate('seq-odd-without-range', 'I8', null, `invalidate_seq ${this.invalidateSeq} is odd with no active invalidation`);
    }
  }
}
