// What a checker is: one family of facts (locks, the read side, memory,
// effects, the two-pass finish) with its own hooks into the path engine. The
// engine owns paths, merging and the events' order; a checker says what a
// call or an assignment means for its family and keeps its slot of the path
// state. A new analysis is a new checker, not an engine change.
import type { LAssign, LCall, LExpr, LUpdate } from '../../ir/lowered.js';
import type { Atom } from '../../ir/atoms.js';
import type { AbstractValue, CheckerFacts, EventFacts, GfpMask, Loc, ReturnSite } from '../../ir/types.js';
import type { State } from '../engine/state.js';

/** A call of a named function, as the engine hands it to the checkers. */
export interface CallSite {
  readonly name: string;
  /** the call expression */
  readonly node: LCall;
  /** its argument nodes as the grammar lists them (comments included) */
  readonly argNodes: readonly LExpr[];
  /** its arguments as written, whitespace folded */
  readonly args: readonly string[];
}

/** What a call is, as the checker that knows its name says, with the facts of that kind. */
export type Classified =
  | { kind: 'lock'; facts: { lock: string; sleeps: boolean } }
  | { kind: 'unlock'; facts: { lock: string } }
  | { kind: 'alloc'; facts: { gfp: GfpMask } }
  | { kind: 'call' | 'sleep' | 'set_seq' | 'read_begin' | 'read_retry' | 'check_retry'; facts: Record<string, never> };

/** A tracked condition and its polarity. */
export interface AtomRef {
  atom: Atom;
  negated: boolean;
}

/** What a checker may ask of the engine. */
export interface Engine {
  /** appends an event to the path (one event per place, kind, assumptions and locks) */
  record(s: State, event: EventFacts, at: { readonly start: number; readonly loc: Loc }): void;
  /** the tracked atom an expression tests, if any */
  atomOf(node: LExpr, s: State): AtomRef | null;
  /** where a written target lives when it outlives the call: a global or a function-static */
  sharedBase(target: string): 'static' | 'global' | undefined;
  isParam(name: string): boolean;
  /** a local of the body (not a parameter, not a function-static) */
  isLocal(name: string): boolean;
  /** the loops (their statements' start offsets) the walk is inside, outermost first */
  loops(): readonly number[];
  /** the id of the last event on the path (the call's own event, in afterCall), or null */
  lastEvent(s: State): number | null;
  /** a checker's own slot of the path state (a typestate); states with different slots do not merge */
  slot<T>(s: State, name: string): T | undefined;
  setSlot(s: State, name: string, value: unknown): void;
}

export interface Checker {
  /**
   * A call the checker takes over whole (nothing else is recorded for it):
   * `guard(mutex)(&l)`, `lockdep_assert_held(&l)`. `fn` is the call's
   * function, an identifier or a call.
   */
  intercept?(node: LCall, fn: LExpr, s: State): boolean;
  /** What a named call is. The checkers are asked in order; the first answer wins. */
  classify?(call: CallSite, s: State): Classified | null;
  /** After the call's own event is recorded, in checker order. */
  afterCall?(call: CallSite, c: Classified, s: State): void;
  /**
   * A local name is given a value (a declaration's initializer, an
   * assignment), with an initializer list's designated fields.
   */
  onStore?(name: string, value: LExpr, s: State, fields?: ReadonlyArray<{ readonly field: string; readonly value: LExpr }>): void;
  /** `left op right` evaluated, after the engine tracked what it knows of `left`. */
  onAssign?(left: LExpr, op: string | undefined, right: LExpr | null, node: LAssign, s: State): void;
  /** `x++` or `x--`. */
  onIncrement?(target: LExpr, node: LUpdate, s: State): void;
  /** A branch assumed `atom` to be `value`; `cond` is the tested expression. */
  onAssume?(atom: Atom, value: boolean, cond: LExpr, s: State): void;
  /** What a return on this path carries from the checker's state (the locks still held, the effects still raised). */
  onReturn?(s: State): Partial<Pick<ReturnSite, 'held' | 'effects' | 'maps'>>;
  /** Every path reaching a return (before returns are deduplicated): what it returns, as written and as far as the walk knows it. */
  atReturn?(s: State, ret: { readonly expr: LExpr | null; readonly value: AbstractValue; readonly loc: Loc }): void;
  /** A path at the end of a loop's body (or at a `continue`), about to go round again. */
  onLoopBack?(s: State, loop: number): void;
  /** What the checker publishes about the function once the walk is done. */
  facts?(): CheckerFacts;
}
