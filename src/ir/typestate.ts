// A typestate protocol as a table: an object, its states, the calls that
// move it, and the states each use forbids. The path engine's typestate
// checker (src/path/checkers/typestate.ts) runs any such table along every
// path; the tables themselves are kernel knowledge and live in
// ir/kernel-api/protocols.ts. An object the function did not move itself (a
// parameter, a field of one, anything a helper was handed) has no state:
// nothing is known of it, and no fact is published about it.

/**
 * How a call names the object it acts on, tried in order until one names an
 * object:
 * - `{ arg: n }`: its argument n, as written (whitespace folded, `&(x)` as `&x`);
 * - `{ mentions: n }`: every object of the slot that argument n names (`c ? seq : x->seq`);
 * - `{ member: n, field }`: the field of the struct argument n points to
 *   (`&range` -> `range.notifier_seq`, `range` -> `range->notifier_seq`);
 * - `stored`: where the call's result is stored (`seq = f()`, `a = b = f()`);
 * - `open`: every object of the slot in one of the move's `from` states.
 */
export type ObjectRef = { readonly arg: number } | { readonly mentions: number } | { readonly member: number; readonly field: string } | 'stored' | 'open';

/** What a call does to an object. */
export interface Move {
  readonly object: readonly ObjectRef[];
  /**
   * The state after the call; or by the call's result, when a branch tests it:
   * `ok` when it returned zero (false), `fail` otherwise (null: unchanged).
   * Until a branch tests the result the object is in `pending`.
   */
  readonly to: string | { readonly pending: string; readonly ok: string | null; readonly fail: string | null };
  /** the states the move applies in (absent: any, an object first named by it included) */
  readonly from?: readonly string[];
  /** states the move must not leave this way: a `move` fact */
  readonly forbidden?: readonly string[];
  /** the result decides the next state: thrown away, it is an `ignored` fact */
  readonly mustTest?: boolean;
  /**
   * The result means 0-or-error only with this many arguments; another form
   * (an older signature) leaves the object in `pending`, its result unread.
   */
  readonly resultArity?: number;
  /** the argument that holds what the move produced for the object (the hmm_range, the page array): see Protocol.dataUse */
  readonly data?: number;
}

/** What a call requires of an object, without moving it. */
export interface Use {
  readonly object: readonly ObjectRef[];
  /** the states it must not find the object in: a `use` fact */
  readonly forbidden: readonly string[];
}

export interface Protocol {
  /** the slot of the path state, and the facts' `protocol` */
  readonly name: string;
  readonly states: readonly string[];
  /**
   * The state of an object this function makes itself before any call names
   * it: a member of a local struct (`&local.n`), or of an allocation the path
   * holds (`&p->n` after `p = kzalloc(...)`). Absent: such objects have no state either.
   */
  readonly fresh?: string;
  /** calls that move an object, by name (a call may be a use too) */
  readonly moves: Readonly<Record<string, Move>>;
  /** calls that use an object, by name */
  readonly uses?: Readonly<Record<string, Use>>;
  /** states an object must not be in at an error return (or at any return, for an object on the stack), nor when its container is freed */
  readonly live?: readonly string[];
  /** the states whose objects a loop round must not leave to a next round that moves them again (a `loop` fact) */
  readonly roundLeaves?: readonly string[];
  /**
   * A call the protocol does not name (nor a release of pages, a free, a
   * kernel helper) handed what a move produced for an object (Move.data): a
   * `use` fact when the object is in one of these states.
   */
  readonly dataUse?: {
    readonly forbidden: readonly string[];
    /** states where such a use must still hold the locks held by the move into the state (a `use` fact too: the rule compares the locks) */
    readonly underLocks?: readonly string[];
  };
}

/** The state of a received object used on a path that skipped the function's own move of it (`if (x) insert(n); ...; read_begin(n)`). */
export const SKIPPED = 'skipped';
