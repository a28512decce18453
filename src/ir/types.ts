// The intermediate representation between the parser and the rules: plain,
// serializable data (it crosses worker threads). Nothing here knows about
// tree-sitter.

import type { Atom } from './atoms.js';

/** 1-based lines and columns, end inclusive line / exclusive column. */
export interface Loc {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export type OpsKind = 'mmu_notifier_ops' | 'mmu_interval_notifier_ops';

export interface OpsField {
  /** designator, e.g. `invalidate_range_start` */
  readonly field: string;
  /** the initializer text as written */
  readonly value: string;
  /** the function it names (`f`, `&f`, `(cast)f`), or null for NULL / expressions */
  readonly function: string | null;
  readonly loc: Loc;
}

export interface OpsTable {
  readonly kind: OpsKind;
  readonly name: string;
  readonly file: string;
  readonly loc: Loc;
  readonly isStatic: boolean;
  readonly isConst: boolean;
  readonly fields: readonly OpsField[];
}

/** A function a struct field is set to somewhere in the tree. */
export interface FieldBinding {
  readonly field: string;
  readonly function: string;
  readonly file: string;
  readonly line: number;
  /** the struct type of the designated initializer it is a member of (`struct T x = { .field = fn }`); absent for an assignment in code */
  readonly struct?: string;
}

/** `walk(kvm, start, end, &handler_fn, data)`: a function of this file passed as argument `index` of `callee`. */
export interface ParamBinding {
  readonly callee: string;
  readonly index: number;
  readonly function: string;
  readonly file: string;
  readonly line: number;
}

/**
 * A work item bound to its function (`INIT_WORK(&x->f, fn)`,
 * `DECLARE_DELAYED_WORK(name, fn)`...): the item as the member path written,
 * root first (`&p->svms.restore_work`: `p`, `svms`, `restore_work`).
 */
export interface WorkBinding {
  readonly work: readonly string[];
  readonly function: string;
  /** the macro or function that binds it */
  readonly by: string;
  readonly file: string;
  readonly line: number;
}

/** A work item queued on a workqueue (`queue_work(wq, &x->f)`), both as member paths (see WorkBinding). */
export interface QueuedWork {
  readonly queue: readonly string[];
  readonly work: readonly string[];
  /** the call that queues it */
  readonly by: string;
  readonly file: string;
  readonly line: number;
}

/** `x->ops = &table;` or `.ops = &table` inside another initializer: binds a table at run time. */
export interface OpsBinding {
  readonly table: string;
  readonly target: string;
  readonly file: string;
  readonly loc: Loc;
  /** enclosing function, null at file scope */
  readonly function: string | null;
}

export type { Atom } from './atoms.js';

/**
 * What a path assumes of its tracked conditions: each atom's string form (an
 * `Atom`, see ir/atoms.ts) to its truth. Plain string keys, so the map is
 * JSON as it is; `atomsOf()` reads it back typed.
 */
export type Assumptions = Readonly<Record<string, boolean>>;

export type GfpClass = 'sleeping' | 'atomic' | 'unknown';

/** An allocation's mask as written, and what it lets the allocator do. */
export interface GfpMask {
  readonly mask: string;
  readonly class: GfpClass;
}

/** Where an object handed out through `*finish` comes from. */
export type FinishOrigin = 'allocated' | 'embedded' | 'global' | 'unknown';

/**
 * A branch a path took on a condition the walk does not track, whose data the
 * function builds itself on its way (a local list it fills, a local counter it
 * raises, a local struct a call fills through `&`): unlike a free input (a
 * helper's result, a field of shared state), such data may be tied to what the
 * path did before, so a path through the branch may be infeasible. A finding
 * on such a path is not proven.
 */
export interface UntrackedCondition {
  /** the condition as written, whitespace folded */
  readonly text: string;
  readonly line: number;
  /** the truth the path took */
  readonly holds: boolean;
  /** the local the condition reads */
  readonly data: string;
}

/** What every event has, whatever its kind. */
interface EventBase {
  /** callee name, the target written for update, the written expression for the finish writes */
  readonly name: string;
  readonly loc: Loc;
  /** tracked assumptions in force when the event happens */
  readonly when: Assumptions;
  /** locks held at this point (normalized argument text) */
  readonly locks: readonly string[];
  /** the statement macro the event sits in (`scoped_guard` ...), if any */
  readonly macro?: string;
  /** the untracked conditions every path to the event is decided by (absent: none) */
  readonly untracked?: readonly UntrackedCondition[];
}

/** An event that is a call: its arguments as written, and whether its result is thrown away. */
interface CallEventBase extends EventBase {
  /** the arguments as written, whitespace folded */
  readonly args: readonly string[];
  /** the call is a statement of its own: its result is thrown away */
  readonly discarded?: boolean;
  /** that statement has a comment just above it or after it on its line */
  readonly commented?: boolean;
}

/** A call to a function that is not classified below. */
export interface CallEvent extends CallEventBase {
  readonly kind: 'call';
  /** a call through a struct field (`d->ops->flush(d)`, named `->flush`): the field */
  readonly field?: string;
  /** a call through the function's own parameter (`handler(kvm, ...)`, named `handler`): its index */
  readonly param?: number;
  /** which arguments carry a tracked atom (the caller's blockable flag...) */
  readonly argAtoms?: Array<{ atom: Atom; negated: boolean } | null>;
  /** tracked flags in fields of each argument (`&update` with `update.blockable`) */
  readonly argFields?: Array<Array<{ field: string; atom: Atom; negated: boolean }> | null>;
}

/** A call that may sleep (mutex_lock, wait_event, ...). */
export interface SleepEvent extends CallEventBase {
  readonly kind: 'sleep';
}

/** An allocation with a GFP mask. */
export interface AllocEvent extends CallEventBase {
  readonly kind: 'alloc';
  readonly gfp: GfpMask;
}

/** A lock acquired, sleeping or not. */
export interface LockEvent extends CallEventBase {
  readonly kind: 'lock';
  /** the normalized lock expression */
  readonly lock: string;
  readonly sleeps: boolean;
}

export interface UnlockEvent extends CallEventBase {
  readonly kind: 'unlock';
  /** the normalized lock expression */
  readonly lock: string;
}

/**
 * The read side and its invalidation: set_seq, a read section's begin and
 * retry, hmm_range_fault() producing the pfns of a read section (`fault`), a
 * page made from those pfns referenced, mapped or dirtied (`page_use`).
 */
export interface ReadSideEvent extends CallEventBase {
  readonly kind: 'set_seq' | 'read_begin' | 'read_retry' | 'check_retry' | 'fault' | 'page_use';
}

/** A counter or reference raised or lowered, or a field written; `name` is the target. */
export interface UpdateEvent extends EventBase {
  readonly kind: 'update';
  /** +1 raised, -1 lowered, 0 a field written */
  readonly delta: 1 | -1 | 0;
  /** the operator as written (`++`, `|=`, `=`), or the call (`kref_get`, `WRITE_ONCE`) */
  readonly op: string;
  /** the value written as written ('' for `++`, `--` and the counter calls) */
  readonly value: string;
  /** the variable written outlives the call: a global, or a function-static */
  readonly shared?: 'global' | 'static';
}

/** A write through the two-pass `*finish` out-parameter; `name` is the parameter. */
export interface FinishWriteEvent extends EventBase {
  readonly kind: 'finish_write';
  /** what is handed out, as written */
  readonly value: string;
  readonly origin: FinishOrigin;
}

/** A write to finish->notifier (the core's field); `name` is the field written. */
export interface FinishNotifierWriteEvent extends EventBase {
  readonly kind: 'finish_notifier_write';
  /** the value written, as written */
  readonly value: string;
}

/** What happens on a path, one kind each, with the facts of that kind. */
export type Event = CallEvent | SleepEvent | AllocEvent | LockEvent | UnlockEvent | ReadSideEvent | UpdateEvent | FinishWriteEvent | FinishNotifierWriteEvent;

export type EventKind = Event['kind'];

/** What an event's producer says: the event without what the engine adds (place, assumptions, locks, macro). */
export type EventFacts = Event extends infer E ? (E extends Event ? Draft<Omit<E, 'loc' | 'when' | 'locks' | 'macro' | 'untracked'>> : never) : never;

/** An abstract value of an expression as far as the walk tracks it. */
/** The result of a call, as a variable or a return holds it. */
export interface CallValue {
  k: 'call';
  callee: string;
  args: string[];
  /** where the call is, when a variable carried its result to a later return */
  at?: { line: number; column: number };
}

export type AbstractValue = { k: 'int'; v: number } | { k: 'bool'; v: boolean } | { k: 'null' } | CallValue | { k: 'unknown'; text: string };

export interface ReturnSite {
  readonly value: AbstractValue;
  /** the returned expression as written ('' for a void return or falling off the end) */
  readonly text: string;
  readonly loc: Loc;
  readonly when: Assumptions;
  /** events on the path(s) leading to this return, in order (ids into `events`) */
  readonly path: readonly number[];
  /** locks this function took and still holds here (not lockdep-asserted or guard()ed ones) */
  readonly held: readonly string[];
  /** counters and references raised on the way and not lowered again (`+target`) */
  readonly effects: readonly string[];
  /** lockdep maps this function acquired (lock_map_acquire) and has not released here (absent: none); not locks, so not in `held` */
  readonly maps?: readonly string[];
  /** the untracked conditions every path to this return is decided by (absent: none) */
  readonly untracked?: readonly UntrackedCondition[];
  /** the failure codes written to locals on the way to this return (ids into FunctionIR.failureStores; absent: none) */
  readonly stores?: readonly number[];
}

/**
 * A failure code (a negative errno constant) assigned to a local variable:
 * `ret = -EAGAIN;`. Variables are told apart by declaration, not by name: an
 * inner `int ret` that shadows the outer one is another variable.
 */
export interface FailureStore {
  /** the variable's name as written */
  readonly variable: string;
  /** the variable hides one of the same name declared in an enclosing block (or a parameter) */
  readonly shadows?: true;
  /** the value as written (`-EAGAIN`) and its number */
  readonly text: string;
  readonly code: number;
  readonly loc: Loc;
  /** tracked assumptions in force at the assignment */
  readonly when: Assumptions;
  /** the untracked conditions every path to the assignment is decided by (absent: none) */
  readonly untracked?: readonly UntrackedCondition[];
  /**
   * No path reads the value written: the variable's scope ends, it is
   * assigned again, or the function returns, before anything reads it (a
   * dead store: the failure is lost). False when the walk was truncated.
   */
  readonly dead: boolean;
}

export interface FunctionIR {
  readonly name: string;
  readonly file: string;
  readonly loc: Loc;
  readonly isStatic: boolean;
  readonly returnType: string;
  readonly params: Array<{ name: string; type: string }>;
  /** the declared types of the locals its lock arguments start from (absent: none) */
  readonly locals?: ReadonlyArray<{ name: string; type: string }>;
  /** every event of the function, deduplicated across paths */
  readonly events: readonly Event[];
  readonly returns: readonly ReturnSite[];
  /** names of functions called (any path), for the interprocedural pass */
  readonly callees: readonly string[];
  /** the walk hit its state budget: facts are a subset, rules must not prove absence */
  readonly truncated: boolean;
  /** ERROR / MISSING nodes inside the body (line numbers) */
  readonly parseErrors: readonly number[];
  /** nested deeper than the walk goes: no facts (and truncated) */
  readonly tooDeep?: boolean;
  /** the read side's typestate at the page uses and calls that follow a fault (the read-side checker's) */
  readonly readSections?: readonly ReadSectionFact[];
  /** what the typestate checkers saw go against their protocol (ir/typestate.ts) */
  readonly typestates?: readonly TypestateFact[];
  /**
   * Lockdep maps released on some path that had not acquired them here (the
   * lock checker's): a release of a caller's acquire, or an acquire and a
   * release under one condition the walk does not track, tested twice
   * (`if (sync) lock_map_acquire(m); ... if (sync) lock_map_release(m);`),
   * whose paths the walk combines both ways. Absent: none.
   */
  readonly unpairedMaps?: readonly string[];
  /** the failure codes assigned to locals (ReturnSite.stores points here; absent: none) */
  readonly failureStores?: readonly FailureStore[];
}

/**
 * A read section's state where a page made from its pfns is used, or where a
 * helper that may use them is called: on some path to that event,
 * hmm_range_fault() ran, and `retry` is the last mmu_interval_read_retry()
 * or check_retry since then (an id into the function's events), or null.
 */
export interface ReadSectionFact {
  readonly event: number;
  readonly retry: number | null;
}

/**
 * A place where an object of a typestate protocol (ir/typestate.ts) was not
 * where the protocol wants it, as the walk saw it on some path:
 * - `use`: a call the protocol forbids in the object's state (`call`);
 * - `move`: a call moving the object from a state it must not leave that way
 *   (a sequence overwritten before it was retried);
 * - `ignored`: a call whose result decides the next state, thrown away;
 * - `loop`: the object left in `state` at the end of a loop round whose next
 *   round moves it again from the same call (`since`);
 * - `freed`: the object's container freed (`call`) while in `state`;
 * - `return`: a return while the object is in `state` (an error return, or
 *   any return of an object on the stack).
 * `event` is the use's event (null for a return or a loop round), `since`
 * the event that moved the object into `state` (null when not recorded).
 */
export interface TypestateFact {
  readonly protocol: string;
  readonly kind: 'use' | 'move' | 'ignored' | 'loop' | 'freed' | 'return';
  /** the object as the protocol names it (`&obj->notifier`, `range->notifier_seq`) */
  readonly object: string;
  readonly state: string;
  /** the call (use, move, ignored, freed) */
  readonly call?: string;
  readonly event: number | null;
  readonly since: number | null;
  /** the place of a return or a loop's end of round */
  readonly loc?: Loc;
  /** a return: what it returns as written, and whether it is an error (`errno`: a negative errno or ERR_PTR; `likely`: a failed call's non-zero result) */
  readonly returned?: { readonly text: string; readonly error: 'errno' | 'likely' | null };
  /** the object lives in this function's stack frame */
  readonly stack?: boolean;
}

/** What the checkers publish about a function beside its events and returns. */
export interface CheckerFacts {
  readSections?: ReadSectionFact[];
  typestates?: TypestateFact[];
  unpairedMaps?: string[];
}

export interface FileIR {
  readonly file: string;
  /** facts read from the text only (definitions, API calls): the file was not parsed */
  readonly textOnly?: boolean;
  /**
   * parsed for its notifier callbacks only, looked up outside the scanned
   * directories (the teardown callbacks taking a lock class held over
   * mmput()): no rule checks its tables or the file itself
   */
  readonly callbacksOnly?: true;
  readonly tables: readonly OpsTable[];
  readonly bindings: readonly OpsBinding[];
  /** function pointers: a function of this file set to a struct field (`.f = fn`, `x->f = fn`), outside ops tables too */
  readonly fieldBindings?: readonly FieldBinding[];
  /** function pointers: a function of this file passed as a call's argument (`walk(..., &fn, ...)`) */
  readonly paramBindings?: readonly ParamBinding[];
  /** work items bound to their functions, and work queued on workqueues, anywhere in the file's text */
  readonly workBindings?: readonly WorkBinding[];
  readonly queuedWork?: readonly QueuedWork[];
  /** functions walked for facts: the callbacks named here, the wanted ones, their callees */
  readonly functions: readonly FunctionIR[];
  /** every function defined in the file, walked or not */
  readonly defined: Array<{ name: string; isStatic: boolean; line: number }>;
  /** definitions of the ops structs themselves (include/linux/mmu_notifier.h, or a patch to it) */
  readonly opsStructs?: readonly OpsStruct[];
  /** calls of the notifier API anywhere in the file (not only in walked functions) */
  readonly apiCalls: readonly ApiCall[];
  /** calls handing one of the file's tables to a function (`helper(..., &table)`): `args[0]` is the table, `args[1]` the argument index */
  readonly tableArgCalls?: readonly ApiCall[];
  /** the file's static functions that retry a read section, and their static callers, with the callers the text shows (ir/facts-db.ts entryLocks) */
  readonly entryCallers?: readonly EntryCallers[];
  /** every function name the file calls, sorted (which helpers and wrappers it uses) */
  readonly calledNames?: readonly string[];
  /** ERROR/MISSING nodes anywhere in the file */
  readonly parseErrorCount: number;
  /** `#include`d header names, for API level detection later */
  readonly includes: readonly string[];
}

/**
 * Who calls a static function, as its file's text shows: every function whose
 * body calls it. When its address is taken (or a call sits where the text
 * names no function) it may be called from anywhere: its callers are unknown.
 */
export interface EntryCallers {
  readonly name: string;
  readonly callers: readonly string[];
  readonly addressTaken: boolean;
}

/** A call of a notifier API function, found in the file's text. */
export interface ApiCall {
  readonly name: string;
  /** the arguments as written, whitespace folded */
  readonly args: readonly string[];
  readonly line: number;
  /** the function the call is in, null at file scope */
  readonly function: string | null;
}

/** `struct mmu_interval_notifier_ops { ... };` as the header defines it, with its kernel-doc. */
export interface OpsStruct {
  readonly kind: OpsKind;
  readonly line: number;
  readonly members: Array<{ name: string; line: number }>;
  /** the `@name:` entries of the kernel-doc comment right above it */
  readonly documented: readonly string[];
}

/** An IR object as its producer (the parser) builds it: its fields and lists writable, what it holds still readonly. Every other layer sees the IR readonly. */
export type Draft<T> = { -readonly [K in keyof T]: T[K] extends ReadonlyArray<infer U> ? U[] : T[K] };
