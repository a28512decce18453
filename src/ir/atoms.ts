// The one home of the atoms' encoding. An atom is a tracked condition; its
// string form is its key in an assumption map (`Assumptions`, plain JSON that
// crosses worker threads and the IR cache). Only this module builds atoms from
// their parts or takes them apart: everyone else uses the constructors, the
// parser and the predicates below.

/**
 * A tracked condition, as its key:
 * - `blockable`: mmu_notifier_range_blockable(...) (or a variable or struct
 *   field holding it);
 * - `retry`: mmu_interval_read_retry()/check_retry() returned true (the
 *   section was invalidated);
 * - `event:NAME`: `range->event == NAME`;
 * - `param:NAME`, `param:NAME->FIELD`: a parameter tested directly, or a
 *   field of one, so a caller passing its own blockable flag can be matched;
 * - `trylock:LOCK`: a trylock of LOCK succeeded;
 * - `alloc:VAR`: the allocation stored in VAR is non-NULL;
 * - `flag:NAME`: a file-scope variable tested bare (`if (use_ptemod)`), so two
 *   tests of it on one path agree (until a call of a driver function);
 * - `ret:FN@LINE:COL`: the call of FN there returned non-zero (the summary
 *   replaces it by FN's own return conditions);
 * - `FN/ATOM`: an atom local to the callee FN, kept under its name in the
 *   caller's summary.
 */
export type Atom = 'blockable' | 'retry' | `event:${string}` | `param:${string}` | `trylock:${string}` | `alloc:${string}` | `flag:${string}` | `ret:${string}@${number}:${number}` | `${string}/${string}`;

/** An atom taken apart. */
export type AtomTag =
  | { tag: 'blockable' }
  | { tag: 'retry' }
  | { tag: 'event'; name: string }
  /** `path` as written after `param:`; `name` and `field` when it is `NAME` or `NAME->FIELD` (`NAME.FIELD`) */
  | { tag: 'param'; path: string; name?: string; field?: string }
  | { tag: 'trylock'; lock: string }
  | { tag: 'alloc'; variable: string }
  | { tag: 'flag'; name: string }
  | { tag: 'ret'; fn: string; line: number; column: number }
  /** an atom of the callee `fn`, kept under its name */
  | { tag: 'callee'; fn: string; atom: AtomTag }
  /** not an atom mnlint makes */
  | { tag: 'other'; text: string };

/** The constructors of atoms. */
export const atom = {
  blockable: 'blockable',
  retry: 'retry',
  event: (name: string): Atom => `event:${name}`,
  /** a parameter (`flag`) or a field of one (`upd->blockable`, `upd.blockable`) */
  param: (path: string): Atom => `param:${path}`,
  trylock: (lock: string): Atom => `trylock:${lock}`,
  alloc: (variable: string): Atom => `alloc:${variable}`,
  flag: (name: string): Atom => `flag:${name}`,
  /** the call of `fn` at a line and column returned non-zero */
  ret: (fn: string, line: number, column: number): Atom => `ret:${fn}@${line}:${column}`,
  /** an atom local to the callee `fn`, in its caller's terms */
  ofCallee: (fn: string, a: Atom): Atom => `${fn}/${a}`,
} as const;

/** The atom for "this call returned non-zero". */
export function resultAtom(fn: string, at: { line: number; column: number }): Atom {
  return atom.ret(fn, at.line, at.column);
}

/** Takes an atom apart. */
export function parseAtom(a: Atom | string): AtomTag {
  if (a === 'blockable' || a === 'retry') return { tag: a };
  const callee = /^([A-Za-z_]\w*)\/([\s\S]*)$/.exec(a);
  if (callee) return { tag: 'callee', fn: callee[1]!, atom: parseAtom(callee[2]!) };
  const colon = a.indexOf(':');
  const rest = a.slice(colon + 1);
  switch (colon < 0 ? '' : a.slice(0, colon)) {
    case 'event':
      return { tag: 'event', name: rest };
    case 'param': {
      const m = /^([A-Za-z_]\w*)(?:(?:\.|->)([\s\S]+))?$/.exec(rest);
      if (!m) return { tag: 'param', path: rest };
      return m[2] === undefined ? { tag: 'param', path: rest, name: m[1]! } : { tag: 'param', path: rest, name: m[1]!, field: m[2] };
    }
    case 'trylock':
      return { tag: 'trylock', lock: rest };
    case 'alloc':
      return { tag: 'alloc', variable: rest };
    case 'flag':
      return { tag: 'flag', name: rest };
    case 'ret': {
      const m = /^([^@]+)@(\d+):(\d+)$/.exec(rest);
      if (m) return { tag: 'ret', fn: m[1]!, line: Number(m[2]), column: Number(m[3]) };
      return { tag: 'other', text: a };
    }
    default:
      return { tag: 'other', text: a };
  }
}

/** An atom with the callees it is kept under peeled off (`f/g/alloc:p` is `alloc:p`). */
export function innermost(t: AtomTag): Exclude<AtomTag, { tag: 'callee' }> {
  return t.tag === 'callee' ? innermost(t.atom) : t;
}

/** What a call of this function returned (`ret:`), not a callee's. */
export function isResultAtom(a: string): boolean {
  return a.startsWith('ret:');
}

/** What a callee's own helper returned (`f/ret:...`): the caller cannot branch on it. */
export function isCalleeResult(a: string): boolean {
  return a.includes('/ret:');
}

/** A file-scope variable tested bare (`flag:`). */
export function isFlagAtom(a: string): boolean {
  return a.startsWith('flag:');
}

/** A parameter of this function, or a field of one (`param:`). */
export function isParamAtom(a: string): boolean {
  return a.startsWith('param:');
}

/** A test of the range's event (`event:`). */
export function isEventAtom(a: string): boolean {
  return a.startsWith('event:');
}

/** The range's own flags, which mean the same in caller and callee: blockable and its event. */
export function isRangeAtom(a: string): boolean {
  return a === 'blockable' || isEventAtom(a);
}

/**
 * What one round of a retry loop decided and the next round decides again:
 * a helper's result, a trylock, an allocation, the read section's retry.
 */
export function isRoundAtom(a: string): boolean {
  return /^(ret:|trylock:|alloc:|retry$)/.test(a);
}

/** The atoms of an assumption map with their values, each taken apart. */
export function atomsOf(when: Readonly<Record<string, boolean>>): Array<{ atom: Atom; tag: AtomTag; value: boolean }> {
  return Object.entries(when).map(([a, value]) => ({ atom: a as Atom, tag: parseAtom(a), value }));
}
