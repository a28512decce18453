// The intermediate representation between the parser and the rules: plain,
// serializable data (it crosses worker threads). Nothing here knows about
// tree-sitter.

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

/**
 * Tracked condition atoms. `blockable` is `mmu_notifier_range_blockable(...)`
 * (or a variable or struct field holding it); `param:NAME` a parameter tested
 * directly, `param:NAME->FIELD` a field of one, so a caller passing its own
 * blockable flag can be matched; `trylock:LOCK` a trylock that succeeded;
 * `alloc:VAR` an allocation result that is non-NULL; `event:NAME`
 * `range->event == NAME`; `ret:FN@LINE:COL` the call of FN there returned
 * non-zero (the summary replaces it by FN's own return conditions);
 * `retry` mmu_interval_read_retry()/check_retry() returned true (the section
 * was invalidated).
 */
export type Atom = string;

export type Assumptions = Readonly<Record<Atom, boolean>>;

export type EventKind =
  | 'call' // a call to a function that is not classified below
  | 'sleep' // a call that may sleep (mutex_lock, wait_event, ...)
  | 'alloc' // an allocation with a GFP mask
  | 'lock' // lock acquired (sleeping or not: see `sleeps`)
  | 'unlock'
  | 'set_seq'
  | 'read_begin'
  | 'read_retry'
  | 'check_retry'
  | 'finish_write' // a write through the two-pass `finish` out-parameter
  | 'finish_notifier_write' // a write to finish->notifier (the core's field)
  | 'fault' // hmm_range_fault(): the pfns of a read section are produced
  | 'page_use' // a page made from those pfns is referenced, mapped or dirtied (PAGE_USE_CALLS)
  | 'update'; // a counter or reference raised or lowered (args[0] '1' / '-1'), or a field written ('0'); args[1] the operator, args[2] the value

export type GfpClass = 'sleeping' | 'atomic' | 'unknown';

export interface Event {
  readonly kind: EventKind;
  /** callee name, or the written expression for finish_write */
  readonly name: string;
  readonly args: readonly string[];
  readonly loc: Loc;
  /** tracked assumptions in force when the event happens */
  readonly when: Assumptions;
  /** locks held at this point (normalized argument text) */
  readonly locks: readonly string[];
  /** for alloc: the mask text and its class; for sleep/lock: why it sleeps */
  readonly gfp?: { mask: string; class: GfpClass };
  readonly sleeps?: boolean;
  /** for lock/unlock: the normalized lock expression */
  readonly lock?: string;
  /** the statement macro the event sits in (`scoped_guard` ...), if any */
  readonly macro?: string;
  /** for update: the variable written outlives the call (a global, or a function-static) */
  readonly shared?: 'global' | 'static';
  /** the call is a statement of its own: its result is thrown away */
  readonly discarded?: boolean;
  /** for calls: which arguments carry a tracked atom (the caller's blockable flag...) */
  readonly argAtoms?: Array<{ atom: Atom; negated: boolean } | null>;
  /** for calls: tracked flags in fields of each argument (`&update` with `update.blockable`) */
  readonly argFields?: Array<Array<{ field: string; atom: Atom; negated: boolean }> | null>;
}

/** An abstract value of an expression as far as the walk tracks it. */
export type AbstractValue = { k: 'int'; v: number } | { k: 'bool'; v: boolean } | { k: 'null' } | { k: 'call'; callee: string; args: string[] } | { k: 'unknown'; text: string };

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
}

export interface FunctionIR {
  readonly name: string;
  readonly file: string;
  readonly loc: Loc;
  readonly isStatic: boolean;
  readonly returnType: string;
  readonly params: Array<{ name: string; type: string }>;
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

/** What the checkers publish about a function beside its events and returns. */
export interface CheckerFacts {
  readSections?: ReadSectionFact[];
}

export interface FileIR {
  readonly file: string;
  /** facts read from the text only (definitions, API calls): the file was not parsed */
  readonly textOnly?: boolean;
  readonly tables: readonly OpsTable[];
  readonly bindings: readonly OpsBinding[];
  /** function pointers: a function of this file set to a struct field (`.f = fn`, `x->f = fn`), outside ops tables too */
  readonly fieldBindings?: readonly FieldBinding[];
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
  /** every function name the file calls, sorted (which helpers and wrappers it uses) */
  readonly calledNames?: readonly string[];
  /** ERROR/MISSING nodes anywhere in the file */
  readonly parseErrorCount: number;
  /** `#include`d header names, for API level detection later */
  readonly includes: readonly string[];
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
