// Locks: acquires and releases (sleeping or not), trylocks held on their
// success branch only, acquires that can fail (held only when they returned
// 0), locks held by contract (lockdep_assert_held) or by scope (guard(),
// scoped_guard). Its slot of the path state is `locks` and `scoped`, and
// `maps`: the lockdep maps (lock_map_acquire/lock_map_release) acquired and
// not released, kept apart from the locks (an annotation: no event records
// them as held, no rule takes them for mutual exclusion or an atomic section).
import type { LCall, LExpr } from '../../ir/lowered.js';
import { type Atom, parseAtom, resultAtom } from '../../ir/atoms.js';
import { curatedFacts } from '../../ir/facts-db.js';
import type { CheckerFacts, Loc } from '../../ir/types.js';
import type { State } from '../engine/state.js';
import { normalizeLock, unwrapParens } from '../syntax.js';
import type { CallSite, Checker, Classified, Engine } from './checker.js';

export class LockChecker implements Checker {
  /** result atom of an acquire that can fail (`mutex_lock_interruptible`) -> its lock */
  private readonly acquires = new Map<Atom, string>();

  /** lockdep maps released on a path that had not acquired them (FunctionIR.unpairedMaps) */
  private readonly unpaired = new Set<string>();

  constructor(private readonly eng: Engine) {}

  facts(): CheckerFacts {
    return this.unpaired.size ? { unpairedMaps: [...this.unpaired].sort() } : {};
  }

  intercept(node: LCall, fn: LExpr, s: State): boolean {
    if (fn.kind === 'call') {
      // guard(mutex)(&lock): held until the end of the scope
      if (fn.fn?.text !== 'guard') return false;
      const kind = fn.args[0] ?? '';
      const lock = normalizeLock(node.args[0] ?? '');
      this.eng.record(s, { kind: 'lock', name: `guard(${kind})`, args: [lock], lock, sleeps: kind === 'mutex' || kind.startsWith('rwsem') }, node);
      if (!s.locks.includes(lock)) {
        s.locks = [...s.locks, lock].sort();
        s.scoped = [...s.scoped, lock].sort();
      }
      return true;
    }
    if (fn.kind !== 'ident' || !fn.text.startsWith('lockdep_assert_held')) return false;
    // held by contract from here on: the caller took it
    const lock = normalizeLock(node.args[0] ?? '');
    if (lock && !s.locks.includes(lock)) {
      s.locks = [...s.locks, lock].sort();
      s.scoped = [...s.scoped, lock].sort();
    }
    return true;
  }

  /** The locks this function took and still holds (not those held by contract or by scope), and the lockdep maps. */
  onReturn(s: State): { held: string[]; maps?: string[] } {
    return { held: s.locks.filter((l) => !s.scoped.includes(l)), ...(s.maps ? { maps: [...s.maps] } : {}) };
  }

  classify(call: CallSite): Classified | null {
    const known = curatedFacts(call.name);
    // a lockdep annotation: a call of its own (never followed), its map kept in `maps` (afterCall)
    if (known.lockdepMap) return { kind: 'call', facts: {} };
    if (known.acquires) return { kind: 'lock', facts: { lock: known.acquires.implicit ?? normalizeLock(call.args[0] ?? ''), sleeps: known.acquires.sleeps } };
    if (known.releases) return { kind: 'unlock', facts: { lock: known.releases.implicit ?? normalizeLock(call.args[0] ?? '') } };
    // a trylock is a plain call here: its lock is taken on the branch where it succeeded (onAssume)
    if (known.trylock) return { kind: 'call', facts: {} };
    return null;
  }

  afterCall(call: CallSite, c: Classified, s: State): void {
    const map = curatedFacts(call.name).lockdepMap;
    if (map) {
      const name = normalizeLock(call.args[0] ?? '');
      if (map === 'release' && !s.maps?.includes(name)) this.unpaired.add(name);
      const held = (s.maps ?? []).filter((m) => m !== name);
      if (map === 'acquire' && name) held.push(name);
      if (held.length) s.maps = held.sort();
      else delete s.maps;
      return;
    }
    if (c.kind === 'lock') {
      const { lock } = c.facts;
      if (curatedFacts(call.name).acquires?.canFail && lock) this.acquires.set(resultAtom(call.name, { line: call.node.loc.line, column: call.node.loc.column }), lock);
      if (!s.locks.includes(lock)) s.locks = [...s.locks, lock].sort();
    }
    if (c.kind === 'unlock') {
      const { lock } = c.facts;
      s.locks = s.locks.filter((l) => l !== lock);
      if (s.scoped.includes(lock)) s.scoped = s.scoped.filter((l) => l !== lock);
    }
  }

  onAssume(atom: Atom, value: boolean, cond: LExpr, s: State): void {
    // `if (mutex_lock_interruptible(&l)) return -EINTR;`: a failed acquire holds nothing
    if (value && failingAcquire(atom)) {
      const lock = this.acquires.get(atom);
      if (lock) s.locks = s.locks.filter((l) => l !== lock);
    }
    const trylock = trylockOf(cond);
    if (trylock && value !== trylock.inverted) {
      if (!s.locks.includes(trylock.lock)) s.locks = [...s.locks, trylock.lock].sort();
    }
  }

  /** scoped_guard(kind, &lock) { body }: the body runs once with the lock held. */
  enterScopedGuard(s: State, macro: string, kind: string, args: readonly string[], node: { readonly start: number; readonly loc: Loc }): string {
    const lock = normalizeLock(args[args.length - 1] ?? '');
    this.eng.record(s, { kind: 'lock', name: `${macro}(${kind})`, args: [...args], lock, sleeps: kind === 'mutex' || kind.startsWith('rwsem') }, node);
    if (!s.locks.includes(lock)) s.locks = [...s.locks, lock].sort();
    return lock;
  }

  /** The body of a scoped_guard left: its lock is released. */
  leaveScopedGuard(s: State, lock: string): State {
    return { ...s, locks: s.locks.filter((l) => l !== lock), macro: undefined };
  }
}

/** Whether an atom is the result of an acquire that can fail (`mutex_lock_interruptible`). */
function failingAcquire(atom: Atom): boolean {
  const t = parseAtom(atom);
  return t.tag === 'ret' && !!curatedFacts(t.fn).acquires?.canFail;
}

/** The lock a trylock call takes, and whether 0 means success (`down_trylock`). */
export function trylockOf(node: LExpr): { lock: string; inverted: boolean } | null {
  const n = unwrapParens(node);
  if (n.kind !== 'call') return null;
  const trylock = curatedFacts(n.fn?.text ?? '').trylock;
  if (!trylock) return null;
  const arg = n.argNodes[0];
  return { lock: normalizeLock(arg?.text ?? ''), inverted: trylock.inverted };
}
