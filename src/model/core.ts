// The vocabulary of the executable model of the mmu_notifier core
// (mm/mmu_notifier.c): what an abstract driver's callbacks may do (Outcome,
// AbstractNotifier), what the core itself does step by step (CoreBehaviour),
// and what the model reports (Violation, its Cause and its TraceStep lanes).
// The model that runs on these is MmuNotifierCore (mmu-notifier-core.ts); the
// rules and the engine read these types without it.
//
// Plain TypeScript: imports nothing from the parser, the IR or the rules.
import type { ApiLevel } from './api.js';
import type { CallbackName } from './ops.js';

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
  /** the driver's return sites this outcome stands for (several returns may behave alike) */
  sites?: readonly Site[];
  /** where in the driver's source the outcome is (the return it stands for), when it is one */
  at?: SourcePlace;
}

/** A place in the driver's source, as the model's traces point at it. */
export interface SourcePlace {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** A place in the driver's source. */
export interface Site {
  readonly file: string;
  readonly line: number;
}

/** The callback outcome a violation follows from: a finding matches its evidence by it. */
export interface Cause {
  readonly callback: CallbackName;
  readonly sites: readonly Site[];
}

export type { CallbackName };

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
  /** the callback outcome that led to it, when one did */
  cause?: Cause;
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

/** The cause of a violation that follows from the outcome `o` of `callback`. */
export function causeOf(callback: CallbackName, o: Outcome): Cause {
  return { callback, sites: o.sites ?? [] };
}

/** The text that tells causes apart (a violation is kept once per message and cause). */
export function causeKey(c: Cause | undefined): string {
  return c ? `${c.callback}@${c.sites.map((x) => `${x.file}:${x.line}`).join(',')}` : '';
}

/** Whether two violations follow from the same outcome. */
export function sameCause(a: Cause | undefined, b: Cause | undefined): boolean {
  return causeKey(a) === causeKey(b);
}
