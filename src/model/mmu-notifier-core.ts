// An executable model of the mmu_notifier core (mm/mmu_notifier.c) for one mm:
// the invalidation flow over the interval tree (interval-tree.ts keeps its
// sequence, ranges and deferred list) and the hlist side (start/end pairing),
// with the two-pass finish queue. Callbacks are abstract drivers: at each call
// the model asks a Chooser which of the driver's possible outcomes happens, so
// an explorer can enumerate them. Invariants I1-I8 are checked as the model runs.
//
// Plain TypeScript: imports nothing from the parser, the IR or the rules.
import type { ApiLevel } from './api.js';
import { CORE_LANE, EAGAIN, causeOf, type AbstractNotifier, type CallbackName, type Cause, type Chooser, type CoreBehaviour, type ModelRange, type Outcome } from './core.js';
import { IntervalTreeCore, type IntervalSub } from './interval-tree.js';
import type { ModelAtomicCallback } from './ops.js';

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

/** The core of one mm: registration, invalidations and release, calling the drivers' callbacks. */
export class MmuNotifierCore extends IntervalTreeCore {
  readonly hlist: HlistSub[] = [];
  private finishSerial = 0;
  /** finishes handed out and not yet completed, across concurrent invalidations */
  private readonly inFlight = new Map<string, string>();

  constructor(
    api: ApiLevel,
    private readonly chooser: Chooser,
    behaviour?: Partial<CoreBehaviour>,
  ) {
    super(api, behaviour);
  }

  // ------------------------------------------------------------ registration

  registerHlist(n: AbstractNotifier): void {
    this.step(`mmu_notifier_register(${n.name})`, n.name, 'call');
    this.hlist.push({ n, balance: 0 });
  }

  // ------------------------------------------------------------ invalidation

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
            this.violate('false-in-blockable-range', 'I4', sub.n.name, `${sub.n.name} returned false in a blockable range: the core WARNs and goes on`, this.intervalCause(sub.n.name));
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
        if (!ret) this.violate('false-from-release', 'I4', sub.n.name, `${sub.n.name}'s invalidate returned false from release (blockable): the core WARNs`, this.intervalCause(sub.n.name));
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

  /** Callbacks that must never sleep (called under locks or from SRCU). */
  callAtomic(name: string, field: ModelAtomicCallback): void {
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
      const cause = causeOf(field, o);
      if (!ret && o.allocatesFinish) this.violate('finish-leaked-on-false', 'I7', n.name, `${n.name}'s invalidate_start allocated a finish and returned false: the core ignores it, it leaks (${o.label})`, cause);
      if (ret && kind !== 'none') {
        const ops = n.ops ?? n.name;
        const objectId = kind === 'fresh' ? `${n.name}#${++this.finishSerial}` : kind === 'global' || kind === 'guarded-global' ? `${ops}.global-finish` : `${n.name}.finish`;
        if ((kind === 'guarded' || kind === 'guarded-global') && this.inFlight.has(objectId)) {
          this.step(`  ${n.name}: its finish object is in use, the whole job is done in the first pass`, n.name);
          return ret;
        }
        if (this.inFlight.has(objectId)) {
          if (kind === 'global') this.violate('finish-shared-by-all', 'I7', n.name, `${n.name} hands out finish ${objectId}, one object for every notifier of ${ops}, while it is still queued (${o.label})`, cause);
          else this.violate('finish-shared-by-concurrent', 'I7', n.name, `${n.name} hands out finish ${objectId} while a concurrent invalidation still has it queued (${o.label})`, cause);
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
            causeOf('invalidate_range_start', o),
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
      this.violate(
        'end-after-failed-start',
        'I1',
        h.n.name,
        `${h.n.name} got invalidate_range_end without a successful invalidate_range_start (its start failed): I2, a start that can fail must not have end`,
        this.lastOutcome.get(`${h.n.name}.invalidate_range_start`),
      );
    else h.balance--;
  }

  /** Calls a callback: the chooser picks one of its outcomes for this range. */
  private call(n: AbstractNotifier, field: CallbackName, cb: (ctx: { blockable: boolean }) => Outcome[], range: ModelRange): Outcome {
    const options = cb({ blockable: range.blockable });
    const o = options.length ? this.chooser.choose(`${n.name}.${field}`, options) : { ret: true, label: 'no feasible path' };
    const shown = typeof o.ret === 'boolean' ? String(o.ret) : String(o.ret);
    if (o.at) this.places.set(this.trace.length, o.at);
    this.step(`  ${n.name}.${field}() -> ${shown}${o.setSeq && n.kind === 'interval' ? ', set_seq' : ''}${o.sleeps ? ', sleeps' : ''} [${o.label}]`, CORE_LANE, 'call', n.name);
    const cause = causeOf(field, o);
    this.lastOutcome.set(`${n.name}.${field}`, cause);
    const mustNotSleep = !range.blockable || field === 'arch_invalidate_secondary_tlbs' || field === 'free_notifier' || field.includes('young');
    if (o.sleeps && mustNotSleep) {
      this.violate('sleeps-where-forbidden', 'I5', n.name, `${n.name}.${field} sleeps ${range.blockable ? 'in a callback that must never sleep' : 'in a non-blockable range'} (${o.label})`, cause);
    }
    if (o.removesSelf) {
      const prev = this.running;
      this.running = n.name;
      if (n.kind === 'interval' && this.intervals.some((s) => s.n === n)) this.removeInterval(n.name);
      else this.violate('unregister-from-own-callback', 'I5', n.name, `${n.name}.${field} unregisters its own notifier: it waits for the invalidation that is calling it (deadlock) (${o.label})`, cause);
      this.running = prev;
    }
    return o;
  }

  /** The last outcome of a notifier's interval invalidation (`invalidate`, or `invalidate_start` on a two-pass core). */
  intervalCause(name: string): Cause | undefined {
    const a = this.lastOutcome.get(`${name}.invalidate_start`);
    const b = this.lastOutcome.get(`${name}.invalidate`);
    return this.api.twoPass && a ? a : (b ?? a);
  }
}
