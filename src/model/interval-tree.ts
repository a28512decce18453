// The interval-tree side of the model of the core: invalidate_seq and
// active_invalidate_ranges, the interval subscriptions and the deferred list,
// insert and remove, the read side (read_begin/read_retry) and the two ends of
// an interval invalidation (mn_itree_inv_start_range, mn_itree_inv_end). Apart
// from the invalidation flow (mmu-notifier-core.ts), which calls the drivers'
// callbacks and builds on this bookkeeping.
import type { ApiLevel } from './api.js';
import { CoreRecord } from './core-record.js';
import { behaviourOf, type AbstractNotifier, type CoreBehaviour, type ModelRange } from './core.js';

export interface IntervalSub {
  n: AbstractNotifier;
  start: number;
  end: number;
  invalidateSeq: number;
  inTree: boolean;
}

/** The interval tree of one mm and its sequence, as the core keeps them. */
export abstract class IntervalTreeCore extends CoreRecord {
  /** even when idle (the kernel starts it at 2), odd while an invalidation touches a registered interval */
  invalidateSeq = 2;
  activeInvalidateRanges = 0;
  readonly intervals: IntervalSub[] = [];
  readonly deferred: Array<{ sub: IntervalSub; op: 'insert' | 'remove' }> = [];
  /** nesting of callbacks currently running (to catch a callback that removes its own notifier) */
  protected running: string | null = null;
  /** read_begin and remove callers asleep on subscriptions->wq */
  protected readonly waiters: string[] = [];
  readonly core: CoreBehaviour;

  /** subscriptions->has_itree: set by the first interval insert, never cleared */
  protected hasItree = false;
  /** every interval notifier ever inserted, also after its removal */
  private readonly known = new Map<string, IntervalSub>();

  constructor(
    readonly api: ApiLevel,
    behaviour?: Partial<CoreBehaviour>,
  ) {
    super();
    this.core = { ...behaviourOf(api), ...behaviour };
    if (!this.core.registerStartsEven) this.invalidateSeq = 1;
  }

  // ------------------------------------------------------------ registration

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

  /** invalidate_seq is odd: an invalidation touches a registered interval. */
  isInvalidating(): boolean {
    return (this.invalidateSeq & 1) === 1;
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

  // ------------------------------------------------------------ internals

  private findInterval(name: string): IntervalSub {
    const sub = this.known.get(name);
    if (!sub) throw new Error(`model: no interval notifier ${name}`);
    return sub;
  }

  protected overlapping(range: ModelRange): IntervalSub[] {
    // interval_tree_iter_first/next walk the tree in order of start
    return this.intervals.filter((s) => s.inTree && s.start < range.end && range.start < s.end).sort((a, b) => a.start - b.start);
  }

  /** mn_itree_inv_start_range */
  protected invStartRange(range: ModelRange): number {
    if (this.core.startCountsRange) this.activeInvalidateRanges++;
    if (this.overlapping(range).length && this.core.startMarksSeq) this.invalidateSeq |= 1;
    this.step(`  mn_itree_inv_start_range: active_invalidate_ranges=${this.activeInvalidateRanges}, seq=${this.invalidateSeq}`);
    return this.invalidateSeq;
  }

  /** mn_itree_inv_end */
  protected invEnd(): void {
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

  /** I8: seq odd only while invalidating; idle means even and nothing deferred. */
  protected checkParity(): void {
    if (this.isInvalidating() && this.activeInvalidateRanges === 0) {
      this.violate('seq-odd-without-range', 'I8', null, `invalidate_seq ${this.invalidateSeq} is odd with no active invalidation`);
    }
  }
}
