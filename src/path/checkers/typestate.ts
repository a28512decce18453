// The typestate checker: one protocol table (ir/typestate.ts) run along the
// paths of a function. Its slot of the path state, named after the protocol,
// maps each object the function moved itself to its state; an object the
// function only received (a parameter, a field of one) or handed to a helper
// has no state, and nothing is said of it. Where a call meets an object in a
// state the table forbids, where a result that decides the state is thrown
// away, where a loop round leaves an object to be moved again, where a
// container is freed or the function returns with an object still live, the
// checker publishes a TypestateFact; the rules judge them.
import type { LExpr } from '../../ir/lowered.js';
import type { Atom } from '../../ir/atoms.js';
import { curatedFacts } from '../../ir/facts-db.js';
import { isFreeCall } from '../../ir/kernel-api/effects.js';
import { isKernelHelper } from '../../ir/kernel-api/helpers.js';
import { PAGE_RELEASE_CALLS, PFN_CONVERSIONS } from '../../ir/kernel-api/pages.js';
import { PROTOCOLS } from '../../ir/kernel-api/protocols.js';
import { type Move, type ObjectRef, type Protocol, SKIPPED } from '../../ir/typestate.js';
import { balanced } from '../../ir/work-items.js';
import type { AbstractValue, CheckerFacts, Loc, TypestateFact } from '../../ir/types.js';
import type { State } from '../engine/state.js';
import { unwrapParens, varKey } from '../syntax.js';
import type { CallSite, Checker, Classified, Engine } from './checker.js';

/** One object's state on a path: plain data (slots are compared as JSON when states merge). */
interface ObjState {
  s: string;
  /** the event that moved it there (null: made fresh) */
  at: number | null;
  /** a result not yet tested: the atom a branch will assume, the states it leads to, and the state before */
  atom?: string;
  ok?: string | null;
  fail?: string | null;
  prev?: string;
  /** other names of the object (`a = b = read_begin()`) */
  names?: string[];
  /** the loops it was moved in (for `loop` facts) */
  loops?: number[];
  /** it lives in this function's stack frame */
  stack?: true;
  /** the event of the move that named it where a result was stored (a section's begin) */
  origin?: number;
  /** what the moves produced for it, as paths (`range`, `pvec`): Protocol.dataUse */
  data?: string[];
}

type Slot = Readonly<Record<string, ObjState>>;

/** The calls some table moves an object by: none of them uses another table's data (remove takes the notifier, not its pages). */
const PROTOCOL_CALLS: ReadonlySet<string> = new Set(PROTOCOLS.flatMap((p) => Object.keys(p.moves)));

/** The state of an object a helper was handed: anything. */
const UNKNOWN = '';

/** The slot's mark of a local handed to a helper (`^obj`): no member of it is fresh. */
function escapedKey(base: string): string {
  return `^${base}`;
}

/** `&(x->n)` as `&x->n`, whitespace folded. */
export function objectName(text: string): string {
  let t = text.replace(/\s+/g, '');
  for (;;) {
    const m = /^\((.*)\)$/.exec(t);
    if (!m || !balanced(m[1]!)) break;
    t = m[1]!;
  }
  return t.replace(/^&\((.*)\)$/, (all, inner: string) => (balanced(inner) ? `&${inner}` : all));
}

/** The variable an object lives in or hangs off (`&obj->a.n` -> `obj`). */
function baseOf(name: string): string | undefined {
  return /^[&*(]*([A-Za-z_]\w*)/.exec(name)?.[1];
}

/** An expression as a path of members, without the address-of and casts (`&(struct x *)obj->n` -> `obj->n`). */
function pathOf(name: string): string {
  return name.replace(/^[&*]*(\([^()]*\))?[&*]*/, '');
}

/** What an argument hands as a path, its indexing dropped (`&pvec[pinned]` -> `pvec`). */
function dataPath(arg: string): string {
  return pathOf(objectName(arg)).replace(/\[.*$/, '');
}

/** Whether the path `h` is the object's path or what holds it (`obj` holds `obj->a.n`, `obj->start` does not). */
function holds(h: string, path: string): boolean {
  return path === h || path.startsWith(`${h}->`) || path.startsWith(`${h}.`);
}

/** Whether `name` appears in `text` as a whole expression part (not a prefix of a longer name). */
function mentions(text: string, name: string): boolean {
  let at = text.indexOf(name);
  while (at >= 0) {
    const before = text[at - 1];
    const after = text.slice(at + name.length);
    if ((before === undefined || !/[\w.>]/.test(before)) && !/^(\w|\.|->|\[)/.test(after)) return true;
    at = text.indexOf(name, at + 1);
  }
  return false;
}

export class TypestateChecker implements Checker {
  private readonly facts_: TypestateFact[] = [];
  private readonly seen = new Set<string>();
  /** a call whose result is stored where the object will be named (`stored`) */
  private storing: { start: number; event: number | null; move: Move; key: string | null; loops: number[] } | null = null;
  /** `range.notifier = &n->notifier`, `.notifier = &n->notifier`: names of one object (per function; a name given two values is dropped) */
  private readonly aliases = new Map<string, string | null>();

  constructor(
    private readonly eng: Engine,
    private readonly protocol: Protocol,
  ) {}

  /** uses of an object with no state on their path (received, not moved here on that path) */
  private readonly unmovedUses: Array<{ key: string; call: string; event: number | null; start: number }> = [];
  /** what helpers were handed, where (a helper handed the object, or what holds it, may have moved it) */
  private readonly handedAt: Array<{ start: number; paths: string[] }> = [];
  /** objects some path of this function makes live (an insert), with the move's event */
  private readonly madeLive = new Map<string, number | null>();

  facts(): CheckerFacts {
    // a use on a path that skipped the function's own move of that object (`if (x) insert(n); read_begin(n)`):
    // whether another function moved it is not known, so the state is `skipped`, not one the table forbids
    for (const u of this.unmovedUses) {
      const handed = this.handedAt.some((h) => h.start < u.start && h.paths.some((p) => holds(p, pathOf(u.key))));
      if (this.madeLive.has(u.key) && !handed) this.publish({ protocol: this.protocol.name, kind: 'use', object: u.key, state: SKIPPED, call: u.call, event: u.event, since: this.madeLive.get(u.key) ?? null });
    }
    return this.facts_.length ? { typestates: [...this.facts_] } : {};
  }

  private slot(s: State): Slot {
    return this.eng.slot<Slot>(s, this.protocol.name) ?? {};
  }

  private setSlot(s: State, slot: Slot): void {
    this.eng.setSlot(s, this.protocol.name, Object.keys(slot).length ? slot : undefined);
  }

  private publish(f: TypestateFact): void {
    const key = JSON.stringify(f);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.facts_.push(f);
  }

  // ------------------------------------------------------------ naming

  private resolve(name: string): string {
    const alias = this.aliases.get(name);
    return alias ?? name;
  }

  /** The names aliased to an object (`range->notifier` for `&n.notifier` after `range->notifier = &n.notifier`). */
  private aliasesOf(key: string): string[] {
    return [...this.aliases].filter(([, target]) => target === key).map(([alias]) => alias);
  }

  /** The key of an object already in the slot under this name (or one of its other names). */
  private find(slot: Slot, name: string): string | undefined {
    if (slot[name]) return name;
    return Object.keys(slot).find((k) => slot[k]!.names?.includes(name));
  }

  /** A member of a local struct, or of an allocation this path holds: made here, in the protocol's fresh state. */
  private freshState(name: string, s: State): ObjState | undefined {
    if (!this.protocol.fresh) return undefined;
    const base = baseOf(name);
    if (!base || this.slot(s)[escapedKey(base)]) return undefined;
    const local = /^&([A-Za-z_]\w*)\.[A-Za-z_]/.exec(name);
    if (local && this.eng.isLocal(local[1]!)) return { s: this.protocol.fresh, at: null, stack: true };
    const owned = /^&([A-Za-z_]\w*)->[A-Za-z_]/.exec(name);
    if (owned && s.vars[owned[1]!]?.k === 'alloc') return { s: this.protocol.fresh, at: null };
    return undefined;
  }

  /** The objects a call names: existing keys, or new names (state undefined) the move may start. */
  private objectsOf(refs: readonly ObjectRef[], call: CallSite, s: State, from: readonly string[] | undefined): string[] {
    const slot = this.slot(s);
    for (const ref of refs) {
      if (ref === 'stored') return [];
      if (ref === 'open') {
        const open = Object.keys(slot).filter((k) => !from || from.includes(slot[k]!.s));
        if (open.length) return open;
        continue;
      }
      if ('mentions' in ref) {
        const text = objectName(call.args[ref.mentions] ?? '');
        const named = Object.keys(slot).filter((k) => [k, ...(slot[k]!.names ?? [])].some((n) => mentions(text, n)));
        if (named.length) return named;
        continue;
      }
      if ('member' in ref) {
        const arg = objectName(call.args[ref.member] ?? '');
        if (!arg) continue;
        const name = arg.startsWith('&') ? `${arg.slice(1)}.${ref.field}` : `${arg}->${ref.field}`;
        const key = this.find(slot, name);
        if (key) return [key];
        continue;
      }
      const arg = call.args[ref.arg];
      if (arg === undefined) continue;
      const name = this.resolve(objectName(arg));
      return [this.find(slot, name) ?? name];
    }
    return [];
  }

  // ------------------------------------------------------------- calls

  afterCall(call: CallSite, c: Classified, s: State): void {
    const p = this.protocol;
    const event = this.eng.lastEvent(s);
    const use = Object.hasOwn(p.uses ?? {}, call.name) ? p.uses![call.name] : undefined;
    const move = Object.hasOwn(p.moves, call.name) ? p.moves[call.name] : undefined;
    if (use) {
      for (const key of this.objectsOf(use.object, call, s, undefined)) {
        const o = this.slot(s)[key] ?? this.freshState(key, s);
        // (stored where others may reach it or not: only a helper called before the use could have inserted it, see facts())
        if (!o) this.unmovedUses.push({ key, call: call.name, event, start: call.node.start });
        if (o && use.forbidden.includes(o.s)) this.publish({ protocol: p.name, kind: 'use', object: key, state: o.s, call: call.name, event, since: o.at });
        if (o && !this.slot(s)[key]) this.setSlot(s, { ...this.slot(s), [key]: o });
      }
    }
    if (move) {
      if (move.mustTest && call.node.stmt) {
        const ref = move.object.find((r): r is { arg: number } | { mentions: number } => typeof r === 'object' && ('arg' in r || 'mentions' in r));
        const text = ref ? objectName(call.args['arg' in ref ? ref.arg : ref.mentions] ?? '') : '';
        this.publish({ protocol: p.name, kind: 'ignored', object: text, state: '', call: call.name, event, since: null });
      }
      if (move.object.includes('stored')) {
        this.storing = { start: call.node.start, event, move, key: null, loops: [...this.eng.loops()] };
      } else {
        for (const key of this.objectsOf(move.object, call, s, move.from)) this.apply(s, key, move, call, event, undefined);
      }
    }
    if (!use && !move) this.otherCall(call, c, s, event);
  }

  /** Moves one object; `loops` for an object named where the result is stored. */
  private apply(s: State, key: string, move: Move, call: CallSite, event: number | null, loops: number[] | undefined, names?: string[], origin?: number | null): void {
    const p = this.protocol;
    const before = this.slot(s)[key] ?? this.freshState(key, s);
    if (move.from && (!before || !move.from.includes(before.s))) return;
    if (before && move.forbidden?.includes(before.s)) this.publish({ protocol: p.name, kind: 'move', object: key, state: before.s, call: call.name, event, since: before.at });
    let next: ObjState;
    if (typeof move.to === 'string') next = { s: move.to, at: event };
    else {
      if (move.to.ok && p.live?.includes(move.to.ok) && !this.madeLive.has(key)) this.madeLive.set(key, event);
      const read = move.resultArity === undefined || call.args.length === move.resultArity;
      const atom = read ? this.eng.atomOf(call.node, s) : null;
      const prev = before?.s;
      if (!atom) next = { s: move.to.pending, at: event };
      else {
        next = { s: move.to.pending, at: event, atom: atom.atom, ok: atom.negated ? move.to.fail : move.to.ok, fail: atom.negated ? move.to.ok : move.to.fail };
        if (prev) next.prev = prev;
      }
    }
    if (before?.stack) next.stack = true;
    const keptNames = names ?? before?.names;
    if (keptNames?.length) next.names = keptNames;
    const keptLoops = loops ?? before?.loops;
    if (keptLoops?.length) next.loops = keptLoops;
    const produced = move.data === undefined ? undefined : dataPath(call.args[move.data] ?? '');
    const data = [...new Set([...(before?.data ?? []), ...(produced ? [produced] : [])])];
    if (data.length) next.data = data;
    const keptOrigin = origin === undefined ? before?.origin : origin;
    if (keptOrigin !== undefined && keptOrigin !== null) next.origin = keptOrigin;
    this.setSlot(s, { ...this.slot(s), [key]: next });
  }

  /** A call the protocol does not name: a free of an object's container, or a helper the object escapes to. */
  private otherCall(call: CallSite, c: Classified, s: State, event: number | null): void {
    const slot = this.slot(s);
    if (!Object.keys(slot).length && !this.protocol.fresh) return;
    if (isFreeCall(call.name)) {
      const freed = baseOf(objectName(call.args[0] ?? ''));
      for (const [key, o] of Object.entries(slot)) {
        // only an object inside what is freed (`&obj->n` for kfree(obj)), not one it points to
        if (freed && /^&/.test(key) && baseOf(key) === freed && this.protocol.live?.includes(o.s)) {
          this.publish({ protocol: this.protocol.name, kind: 'freed', object: key, state: o.s, call: call.name, event, since: o.at });
          // gone with its memory: said once
          this.setSlot(s, { ...this.slot(s), [key]: { s: UNKNOWN, at: null } });
        }
      }
      return;
    }
    // a primitive the checkers know (a lock, an allocation, a sleep): the object stays ours
    if (c.kind !== 'call' || curatedFacts(call.name).notifier) return;
    // what the helper can reach: an argument naming the object or what holds it (`obj`, `&obj->sub`), not a value read from it (`obj->start`)
    const handed = call.args.map((a) => pathOf(objectName(a))).filter((p) => p !== '');
    if (handed.length) this.handedAt.push({ start: call.node.start, paths: handed });
    const dataUse = this.protocol.dataUse;
    // (a page use by name is pfns-used-before-retry's, through the read-side checker; a conversion commits nothing)
    if (dataUse && !PROTOCOL_CALLS.has(call.name) && !PAGE_RELEASE_CALLS.has(call.name) && !curatedFacts(call.name).usesPage && !PFN_CONVERSIONS.has(call.name) && !isKernelHelper(call.name)) {
      for (const [k, o] of Object.entries(slot)) {
        if (!o.data || !(dataUse.forbidden.includes(o.s) || dataUse.underLocks?.includes(o.s))) continue;
        // the range, a member of it (`range->hmm_pfns[i]`), the pages, or what holds them
        if (handed.some((h) => o.data!.some((d) => holds(d, dataPath(h)) || holds(dataPath(h), d)))) {
          this.publish({ protocol: this.protocol.name, kind: 'use', object: k, state: o.s, call: call.name, event, since: o.at });
        }
      }
    }
    const next: Record<string, ObjState> = {};
    let changed = false;
    for (const [k, o] of Object.entries(slot)) {
      const escapes = o.s !== UNKNOWN && [k, ...(o.names ?? []), ...this.aliasesOf(k)].some((n) => handed.some((h) => holds(h, pathOf(n))));
      next[k] = escapes ? { s: UNKNOWN, at: null } : o;
      changed ||= escapes;
    }
    // a local the helper may have set up (its address, or an allocation it holds): nothing in it is fresh any more
    if (this.protocol.fresh) {
      // `range->notifier = &local.n; helper(range)`: the helper reaches the local through the alias
      const reached = [...this.aliases].filter(([alias, target]) => target && handed.some((h) => holds(h, pathOf(alias)))).map(([, target]) => target!);
      for (const a of [...call.args, ...reached]) {
        const name = objectName(a);
        const b = baseOf(name);
        if (!b || !this.eng.isLocal(b) || next[escapedKey(b)]) continue;
        if (name.startsWith('&') || s.vars[b]?.k === 'alloc') {
          next[escapedKey(b)] = { s: UNKNOWN, at: null };
          changed = true;
        }
      }
    }
    if (changed) this.setSlot(s, next);
  }

  // -------------------------------------------------------- assignments

  onAssign(left: LExpr, op: string | undefined, right: LExpr | null, _node: unknown, s: State): void {
    if (op !== '=' || !right) return;
    if (left.kind !== 'ident') {
      this.stored(objectName(left.text), right, s);
      this.kept(right, s);
    }
    this.alias(objectName(left.text), right);
  }

  onStore(name: string, value: LExpr, s: State, fields?: ReadonlyArray<{ readonly field: string; readonly value: LExpr }>): void {
    this.stored(name, value, s);
    this.kept(value, s);
    // `struct hmm_range range = { .notifier = &n->notifier }`: range.notifier names that object
    for (const f of fields ?? []) this.alias(`${name}.${f.field}`, f.value);
    this.alias(name, value);
  }

  /** `d->obj = obj`: an object (or what holds it) kept where a helper may reach it later has no state from here on. */
  private kept(value: LExpr, s: State): void {
    const v = unwrapParens(value);
    if (v.kind === 'call' || v.kind === 'assign') return;
    const path = pathOf(objectName(v.text));
    if (!path) return;
    const slot = this.slot(s);
    let changed = false;
    const next: Record<string, ObjState> = {};
    for (const [k, o] of Object.entries(slot)) {
      const escapes = o.s !== UNKNOWN && [k, ...(o.names ?? [])].some((n) => holds(path, pathOf(n)));
      next[k] = escapes ? { s: UNKNOWN, at: null } : o;
      changed ||= escapes;
    }
    if (changed) this.setSlot(s, next);
  }

  private alias(name: string, value: LExpr): void {
    const v = unwrapParens(value);
    if (v.kind !== 'unary' && v.kind !== 'field' && v.kind !== 'ident') return;
    const target = objectName(v.text);
    if (!this.aliases.has(name)) this.aliases.set(name, target);
    else if (this.aliases.get(name) !== target) this.aliases.set(name, null);
  }

  /** `loc = call()` (or `a = loc = call()`): the object the stored call names is `loc`. */
  private stored(name: string, value: LExpr, s: State): void {
    const st = this.storing;
    if (!st) return;
    let v = unwrapParens(value);
    while (v.kind === 'assign' && v.right) v = unwrapParens(v.right);
    if (v.kind === 'cast' && v.value) v = unwrapParens(v.value);
    if (v.kind !== 'call' || v.start !== st.start) return;
    if (st.key === null) {
      const slot = this.slot(s);
      const key = this.find(slot, name) ?? name;
      st.key = key;
      const call = { name: v.fn?.text ?? '', node: v, argNodes: v.argNodes, args: v.args };
      this.apply(s, key, st.move, call, st.event, st.loops, slot[key]?.names, st.event);
      return;
    }
    // another name of the object just named
    const slot = this.slot(s);
    const o = slot[st.key];
    if (o && st.key !== name && !o.names?.includes(name)) this.setSlot(s, { ...slot, [st.key]: { ...o, names: [...(o.names ?? []), name] } });
  }

  // ------------------------------------------------------------ branches

  onAssume(atom: Atom, value: boolean, _cond: LExpr, s: State): void {
    const slot = this.slot(s);
    let changed = false;
    const next: Record<string, ObjState> = {};
    for (const [k, o] of Object.entries(slot)) {
      if (o.atom !== atom) {
        next[k] = o;
        continue;
      }
      changed = true;
      const to = value ? o.fail : o.ok;
      const { atom: _a, ok: _o, fail: _f, prev, ...rest } = o;
      next[k] = { ...rest, s: to ?? prev ?? o.s };
    }
    if (changed) this.setSlot(s, next);
  }

  // ---------------------------------------------------- rounds and returns

  onLoopBack(s: State, loop: number): void {
    const leaves = this.protocol.roundLeaves;
    if (!leaves) return;
    for (const [key, o] of Object.entries(this.slot(s))) {
      if (leaves.includes(o.s) && o.loops?.includes(loop)) this.publish({ protocol: this.protocol.name, kind: 'loop', object: key, state: o.s, event: null, since: firstMove(o) });
    }
  }

  atReturn(s: State, ret: { readonly expr: LExpr | null; readonly value: AbstractValue; readonly loc: Loc }): void {
    const live = this.protocol.live;
    if (!live) return;
    const slot = this.slot(s);
    if (!Object.keys(slot).length) return;
    const error = errorOf(ret.expr, ret.value, s);
    for (const [key, o] of Object.entries(slot)) {
      if (!live.includes(o.s) || (!o.stack && !error)) continue;
      this.publish({
        protocol: this.protocol.name,
        kind: 'return',
        object: key,
        state: o.s,
        event: null,
        since: o.at,
        loc: { ...ret.loc },
        returned: { text: ret.expr?.norm ?? '', error },
        ...(o.stack ? { stack: true } : {}),
      });
    }
  }
}

/** The event a `loop` fact points at: the move that named the object in the round (a section's begin). */
function firstMove(o: ObjState): number | null {
  return o.origin ?? o.at;
}

/** Whether a return returns an error: a negative errno, ERR_PTR(...), or a failed call's result kept in a variable. */
function errorOf(expr: LExpr | null, value: AbstractValue, s: State): 'errno' | 'likely' | null {
  if (value.k === 'int') return value.v < 0 ? 'errno' : null;
  if (value.k === 'call' && (value.callee === 'ERR_PTR' || value.callee === 'ERR_CAST')) return 'errno';
  const n = expr ? unwrapParens(expr) : null;
  if (n?.kind === 'ident') {
    const v = s.vars[varKey(n)];
    // `ret = helper(); if (ret) goto fail; ... return ret;`
    if (v?.k === 'atom' && !v.negated && s.when[v.atom] === true && v.value?.k === 'call') return 'likely';
  }
  return null;
}
