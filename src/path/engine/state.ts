// The path state of the walk: what one path knows (assumptions on tracked
// atoms, the checkers' slots: locks held and effects raised, a few local
// variables), how states are compared for merging, and how a test sees them.
import { type Atom, isRoundAtom } from '../../ir/atoms.js';
import type { AbstractValue, UntrackedCondition } from '../../ir/types.js';

/** Live states at one program point before they are merged more coarsely. */
export const STATE_BUDGET = 32;
/** Rounds of a loop made by a backward goto walked again before the walk is cut off. */
export const LOOP_ROUNDS = 4;
/** Return sites kept per function. */
export const RETURN_BUDGET = 256;

/** A local variable's tracked meaning. */
export type VarFact =
  // holds a tracked condition (and, for a call's result, the value to return)
  | { k: 'atom'; atom: Atom; negated: boolean; value?: AbstractValue }
  | { k: 'alloc' } // result of an allocation: NULL on failure
  | { k: 'value'; value: AbstractValue };

export interface State {
  /** the engine's: assumptions on tracked atoms */
  when: Record<string, boolean>;
  /** the lock checker's slot (checkers/locks.ts): locks held, sorted; every event records them */
  locks: string[];
  /** the lock checker's slot: locks held but not taken here: lockdep_assert_held(), guard() (released by the scope) */
  scoped: string[];
  /** the lock checker's slot: lockdep maps acquired here and not released (lock_map_acquire), sorted; absent when none. Not locks: no event records them */
  maps?: string[];
  /** the effects checker's slot (checkers/effects.ts): live effects, `+x` a counter or reference taken, `=x` a field written (sorted) */
  effects: string[];
  /** the outer facts of names a block declares, restored when the block ends */
  frames: Array<{ block: number; saved: Record<string, VarFact | null> }>;
  vars: Record<string, VarFact>;
  /** event ids along the path: shared, immutable nodes (cloning a state copies a pointer) */
  path: PathNode | null;
  /** set when the state is inside a statement macro such as scoped_guard */
  macro?: string;
  /**
   * The engine's: the untracked conditions on the function's own data this
   * path is decided by (see UntrackedCondition). Not part of the merge key:
   * merged states keep what all of them were decided by.
   */
  untracked?: readonly UntrackedCondition[];
  /**
   * The engine's: the failure stores (ids into the walk's FailureStore list)
   * each local holds that nothing has read yet on this path, by the local's
   * identity. Not part of the merge key: merged states keep all of them.
   */
  pending?: Readonly<Record<string, readonly number[]>>;
  /** the engine's: the failure stores this path passed (sorted ids; merged states keep all) */
  stores?: readonly number[];
  /**
   * The slots of the checkers that keep their own path state (a typestate),
   * by checker name: immutable plain data, compared as JSON when states merge.
   */
  slots?: Readonly<Record<string, unknown>>;
}

/** A path as a DAG: each event points back to the path before it; a merge joins two. */
export type PathNode = { id: number; prev: PathNode | null } | { join: [PathNode | null, PathNode | null] };

/** The event ids of every path through the DAG, in walk order (ids grow along a path). */
export function pathIds(node: PathNode | null): number[] {
  const ids = new Set<number>();
  const seen = new Set<PathNode>();
  const stack: Array<PathNode | null> = [node];
  while (stack.length) {
    const n = stack.pop();
    if (!n || seen.has(n)) continue;
    seen.add(n);
    if ('join' in n) stack.push(n.join[0], n.join[1]);
    else {
      ids.add(n.id);
      stack.push(n.prev);
    }
  }
  return [...ids].sort((a, b) => a - b);
}

/** One live state as an engine test sees it: plain data, vars as text (see `varText`). */
export interface StateSnapshot {
  when: Record<string, boolean>;
  locks: string[];
  scoped: string[];
  /** lockdep maps held (absent when none) */
  maps?: string[];
  effects: string[];
  vars: Record<string, string>;
  /** the typestate checkers' objects, `protocol/object` to its state (`?` when a helper was handed it) */
  typestate: Record<string, string>;
}

/** The objects of the typestate slots as a probe shows them (see StateSnapshot.typestate). */
export function typestateText(s: State): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [protocol, slot] of Object.entries(s.slots ?? {})) {
    if (!slot || typeof slot !== 'object') continue;
    for (const [object, o] of Object.entries(slot as Record<string, { s?: unknown }>)) {
      if (typeof o?.s !== 'string' || object.startsWith('^')) continue;
      out[`${protocol}/${object}`] = o.s || '?';
    }
  }
  return out;
}

/**
 * The live states where a `// walk: ...` comment stands in a block: those the
 * next statement starts with (after a label's arriving gotos joined), or the
 * block's end states when the comment is last. Recorded only when a caller
 * hands the walk an array to fill (test/engine.test.ts); a probe in code the
 * walk skips as dead is never recorded.
 */
export interface WalkProbe {
  function: string;
  /** the comment's line (1-based) */
  line: number;
  /** the comment's text after `walk:` */
  annotation: string;
  /** whether the function had hit the state budget by then */
  truncated: boolean;
  states: StateSnapshot[];
}

export const PROBE_COMMENT = /^\/[/*]\s*walk:\s*(.*?)\s*(?:\*\/)?$/s;

export interface Flow {
  normal: State[];
  breaks: State[];
  continues: State[];
}

export function cloneState(s: State): State {
  return {
    when: { ...s.when },
    locks: [...s.locks],
    scoped: s.scoped,
    ...(s.maps ? { maps: s.maps } : {}),
    effects: s.effects,
    frames: s.frames,
    vars: { ...s.vars },
    path: s.path,
    macro: s.macro,
    ...(s.slots ? { slots: s.slots } : {}),
    ...(s.untracked ? { untracked: s.untracked } : {}),
    ...(s.pending ? { pending: s.pending } : {}),
    ...(s.stores ? { stores: s.stores } : {}),
  };
}

/** Sorted ids of both lists. */
export function unionIds(a: readonly number[] | undefined, b: readonly number[] | undefined): readonly number[] | undefined {
  if (!a?.length) return b?.length ? b : undefined;
  if (!b?.length || a === b) return a;
  return [...new Set([...a, ...b])].sort((x, y) => x - y);
}

/** The unread stores of two merged paths: all of them. */
export function unionPending(a: State['pending'], b: State['pending']): State['pending'] {
  if (!a || a === b) return b ?? a;
  if (!b) return a;
  const out: Record<string, readonly number[]> = { ...a };
  for (const [k, ids] of Object.entries(b)) out[k] = unionIds(out[k], ids)!;
  return out;
}

/** The pending stores without those of a variable (read, assigned again, or gone out of scope). */
export function withoutPending(p: State['pending'], key: string): State['pending'] {
  if (!p || !(key in p)) return p;
  const { [key]: _, ...rest } = p;
  return Object.keys(rest).length ? rest : undefined;
}

/** One untracked condition's identity: its place, text and truth. */
export function untrackedKey(c: UntrackedCondition): string {
  return `${c.line}:${c.holds ? '+' : '-'}${c.text}`;
}

/** What two sets of paths are both decided by: a condition one of them does not stand on drops out (undefined: none). */
export function commonUntracked(a: readonly UntrackedCondition[] | undefined, b: readonly UntrackedCondition[] | undefined): readonly UntrackedCondition[] | undefined {
  if (!a?.length || !b?.length) return undefined;
  const keys = new Set(b.map(untrackedKey));
  const out = a.filter((c) => keys.has(untrackedKey(c)));
  return out.length ? out : undefined;
}

/** A path decided by one more untracked condition. */
export function withUntracked(s: State, c: UntrackedCondition): void {
  const key = untrackedKey(c);
  if (s.untracked?.some((x) => untrackedKey(x) === key)) return;
  s.untracked = [...(s.untracked ?? []), c].sort((x, y) => x.line - y.line || (untrackedKey(x) < untrackedKey(y) ? -1 : 1));
}

/** Canonical text of the assumptions (sorted atoms): equal states get equal keys. */
export function whenKey(when: Readonly<Record<string, boolean>>): string {
  let k = '';
  for (const a of Object.keys(when).sort()) k += `${a}${when[a] ? '+' : '-'};`;
  return k;
}

export function valueKey(v: AbstractValue): string {
  switch (v.k) {
    case 'int':
      return `i${v.v}`;
    case 'bool':
      return `b${v.v}`;
    case 'null':
      return 'n';
    case 'call':
      return `c${v.callee}`;
    default:
      return `u${v.text.slice(0, 48)}`;
  }
}

/** A tracked variable as a probe shows it: `!blockable`, `alloc`, `0`, `true`, `NULL`, `helper()`. */
export function varText(f: VarFact): string {
  if (f.k === 'atom') return `${f.negated ? '!' : ''}${f.atom}`;
  if (f.k === 'alloc') return 'alloc';
  const v = f.value;
  switch (v.k) {
    case 'int':
    case 'bool':
      return String(v.v);
    case 'null':
      return 'NULL';
    case 'call':
      return `${v.callee}()`;
    default:
      return v.text;
  }
}

/** What merging compares: the tracked facts only (a compact string; this runs for every join). */
export function stateKey(s: State): string {
  let k = `${whenKey(s.when)}|${s.locks.join(',')}|${s.scoped.join(',')}|${s.effects.join(',')}|`;
  if (s.maps) k += `${s.maps.join(',')}|`;
  for (const name of Object.keys(s.vars).sort()) {
    const f = s.vars[name]!;
    k += `${name}=${f.k === 'atom' ? `${f.atom}${f.negated ? '!' : ''}` : f.k === 'alloc' ? 'A' : valueKey(f.value)};`;
  }
  k += `|${s.macro ?? ''}`;
  if (s.slots) for (const name of Object.keys(s.slots).sort()) k += `|${name}=${JSON.stringify(s.slots[name])}`;
  return k;
}

/** The value a variable holds, if the walk knows it. */
export function heldValue(v: VarFact | undefined): AbstractValue | undefined {
  if (v?.k === 'value') return v.value;
  if (v?.k === 'atom' && !v.negated) return v.value;
  return undefined;
}

/** Leaves the scopes from frame `at` on: their variables are gone (what is unread in them is lost), outer facts they saved are back. */
export function leaveFrames(s: State, at: number): State {
  if (at < 0) return s;
  const vars = { ...s.vars };
  let pending = s.pending;
  for (const f of s.frames.slice(at).reverse()) {
    for (const [k, v] of Object.entries(f.saved)) {
      for (const key of Object.keys(vars)) if (key === k || key.startsWith(`${k}.`) || key.startsWith(`${k}->`)) delete vars[key];
      if (v) vars[k] = v;
      pending = withoutPending(pending, k);
    }
  }
  const out: State = { ...s, vars, frames: s.frames.slice(0, at) };
  if (pending) out.pending = pending;
  else delete out.pending;
  return out;
}

/**
 * A state going round a loop again: the atoms that stand for what a call of
 * the last round returned (a helper's result, a trylock, an allocation, the
 * read section's retry) are forgotten, as the next round calls again. What
 * holds for the whole call stays: the range's blockable flag, parameters, the
 * range's event.
 */
export function forgetRound(s: State): State {
  const when: Record<string, boolean> = {};
  for (const [a, v] of Object.entries(s.when)) if (!isRoundAtom(a)) when[a] = v;
  return { ...s, when };
}
