// The path engine's expressions: evaluating an expression on a state
// (recording the events of its calls, tracking what locals hold), splitting
// states by a condition, the atoms a condition tests, and the values the walk
// knows. What a call or an assignment means is the checkers' (../checkers):
// the engine asks them in order and records what they say.
import type { LCall, LExpr } from '../../ir/lowered.js';
import { type Atom, atom as atoms, isFlagAtom, isResultAtom, resultAtom } from '../../ir/atoms.js';
import { ERRNO_NAME, errnoNumber } from '../../ir/kernel-api/errno.js';
import { curatedFacts } from '../../ir/facts-db.js';
import { RANGE_BLOCKABLE, READ_RETRY, CHECK_RETRY } from '../../ir/kernel-api/notifier.js';
import { declaresLocal, isKernelHelper } from '../../ir/kernel-api/helpers.js';
import type { AbstractValue, Assumptions, CheckerFacts, Draft, Event, EventFacts, FailureStore, Loc, ReturnSite } from '../../ir/types.js';
import type { AtomRef, CallSite, Checker, Classified, Engine } from '../checkers/checker.js';
import { checkersFor } from '../checkers/index.js';
import { type LockChecker, trylockOf } from '../checkers/locks.js';
import { isAllocCall } from '../checkers/memory.js';
import { baseIdentOf, childrenOf, fieldKey, isZero, unwrapParens, varBase, varKey } from '../syntax.js';
import { cloneState, commonUntracked, type Flow, pathIds, RETURN_BUDGET, STATE_BUDGET, type State, stateKey, unionIds, unionPending, valueKey, whenKey, withoutPending, withUntracked } from './state.js';

export type { Flow };

export abstract class ExpressionEngine implements Engine {
  readonly events: Draft<Event>[] = [];
  readonly returns: Draft<ReturnSite>[] = [];
  readonly callees = new Set<string>();
  truncated = false;
  private readonly eventIds = new Map<string, number>();
  private readonly returnIds = new Map<string, number>();
  /** failure codes assigned to locals (State.pending, State.stores), and those some path read */
  private readonly stores: Array<Omit<Draft<FailureStore>, 'dead'>> = [];
  private readonly storeIds = new Map<string, number>();
  private readonly storesRead = new Set<number>();
  protected readonly params: Set<string>;
  /** the parameters in order (a call through one is named by its index) */
  private readonly paramOrder: readonly string[];
  /** locals declared in the body (any block), by name; function-static ones apart: those are shared */
  protected readonly locals = new Set<string>();
  protected readonly staticLocals = new Set<string>();
  /** the same locals by identity (LIdent.local): an inner `ret` is not the outer one */
  protected readonly localKeys = new Set<string>();
  /** the locals that hide one of the same name in an enclosing block, by identity */
  protected readonly shadowing = new Set<string>();
  /**
   * Locals the function builds through the walk: passed by address to a call
   * (a list head `list_add()` fills, a struct a helper fills) or raised and
   * lowered (`n++`, `n += k`). A condition on them the walk cannot decide is
   * recorded on the path (UntrackedCondition). By identity (LIdent.local).
   */
  protected readonly built = new Set<string>();
  /** parameters that are a `struct mmu_notifier_range *`: 5.0's `range->blockable` is the blockable flag */
  private readonly ranges: Set<string>;
  /** parameters that are the blockable flag itself (4.19's invalidate_range_start) */
  private readonly blockableArgs: Set<string>;
  protected readonly locks: LockChecker;
  /** in the order they are asked: the first to classify a call wins, and events follow this order */
  protected readonly checkers: readonly Checker[];

  constructor(
    /** the functions the file defines (a helper defined there is followed, whatever its name) */
    private readonly defined: ReadonlySet<string>,
    params: readonly string[],
    ranges: readonly string[] = [],
    blockableArgs: readonly string[] = [],
  ) {
    this.params = new Set(params.filter(Boolean));
    this.paramOrder = params;
    this.ranges = new Set(ranges.filter(Boolean));
    this.blockableArgs = new Set(blockableArgs.filter(Boolean));
    const { checkers, locks } = checkersFor(this);
    this.checkers = checkers;
    this.locks = locks;
  }

  isParam(name: string): boolean {
    return this.params.has(name);
  }

  isLocal(name: string): boolean {
    return this.locals.has(name);
  }

  /** the loop statements being walked, outermost first */
  protected readonly loopStack: number[] = [];

  loops(): readonly number[] {
    return [...this.loopStack];
  }

  lastEvent(s: State): number | null {
    const p = s.path;
    return p && 'id' in p ? p.id : null;
  }

  slot<T>(s: State, name: string): T | undefined {
    return s.slots?.[name] as T | undefined;
  }

  setSlot(s: State, name: string, value: unknown): void {
    const slots = { ...s.slots };
    if (value === undefined) delete slots[name];
    else slots[name] = value;
    s.slots = Object.keys(slots).length ? slots : undefined;
  }

  /** What the checkers publish about the function. */
  facts(): CheckerFacts {
    const out: CheckerFacts = {};
    for (const c of this.checkers) {
      const f = c.facts?.() ?? {};
      if (f.readSections) out.readSections = [...(out.readSections ?? []), ...f.readSections];
      // each protocol's checker publishes its own: one list
      if (f.typestates) out.typestates = [...(out.typestates ?? []), ...f.typestates];
      if (f.unpairedMaps) out.unpairedMaps = f.unpairedMaps;
    }
    return out;
  }

  /** The failure stores of the walk: dead where no path read them (only when the walk went everywhere). */
  storeFacts(): FailureStore[] {
    return this.stores.map((x, id) => ({ ...x, dead: !this.truncated && !this.storesRead.has(id) }));
  }

  // -------------------------------------------------------------- merging

  protected merge(states: State[]): State[] {
    return this.budget(this.mergeKeys(states));
  }

  private mergeKeys(states: State[]): State[] {
    const byKey = new Map<string, State>();
    for (const s of states) {
      const key = stateKey(s);
      const seen = byKey.get(key);
      if (!seen) byKey.set(key, s);
      else {
        if (seen.path !== s.path) seen.path = { join: [seen.path, s.path] };
        // the merged paths are decided by what all of them were decided by
        if (seen.untracked) seen.untracked = commonUntracked(seen.untracked, s.untracked);
        // and hold what any of them left unread
        if (s.pending && seen.pending !== s.pending) seen.pending = unionPending(seen.pending, s.pending);
        if (s.stores && seen.stores !== s.stores) seen.stores = unionIds(seen.stores, s.stores);
      }
    }
    return [...byKey.values()];
  }

  private budget(states: State[]): State[] {
    let out = states;
    if (out.length > STATE_BUDGET) {
      // forget what a helper returned first, then local values: they matter least
      out = this.mergeKeys(out.map((s) => ({ ...s, when: Object.fromEntries(Object.entries(s.when).filter(([a]) => !isResultAtom(a))) })));
    }
    if (out.length > STATE_BUDGET) {
      out = this.mergeKeys(out.map((s) => ({ ...s, vars: Object.fromEntries(Object.entries(s.vars).filter(([, v]) => v.k === 'atom')) })));
    }
    if (out.length > STATE_BUDGET) {
      this.truncated = true;
      out = out.slice(0, STATE_BUDGET);
    }
    return out;
  }

  // ---------------------------------------------------------- expressions

  /**
   * Records the events of an expression evaluated for its effects. The states
   * are updated in place: every caller hands over states it no longer uses
   * (the two that evaluate one condition twice clone first).
   */
  protected exprAll(node: LExpr, states: State[]): State[] {
    for (const s of states) this.expr(node, s);
    return states;
  }

  protected expr(node: LExpr, s: State): void {
    switch (node.kind) {
      case 'call':
        this.call(node, s);
        return;
      case 'assign': {
        const { left, right, op } = node;
        if (right) this.expr(right, s);
        if (left && left.kind !== 'ident') this.expr(left, s);
        if (left?.kind === 'ident' && op !== '=' && this.localKeys.has(varKey(left))) this.built.add(varKey(left));
        if (left?.kind === 'ident') {
          const key = varKey(left);
          // `x += y` reads x; `x = y` writes it anew: what it held unread is lost
          if (op === '=') {
            s.pending = withoutPending(s.pending, key);
            if (right && this.localKeys.has(key)) this.storeFailure(s, key, left.text, right, node);
          } else this.readVar(s, key);
        }
        if (left?.kind === 'ident' && right) {
          const key = varKey(left);
          if (op === '=') this.assignVar(s, key, right);
          else s.vars = Object.fromEntries(Object.entries(s.vars).filter(([k]) => k !== key));
          for (const c of this.checkers) c.onStore?.(left.text, right, s);
        }
        if (left?.kind === 'field' && right) {
          // `update.blockable = mmu_notifier_range_blockable(range)`: a flag kept in a field
          const key = fieldKey(left);
          const atom = key ? this.atomOf(right, s) : null;
          if (key && atom) s.vars = { ...s.vars, [key]: { k: 'atom', atom: atom.atom, negated: atom.negated } };
          else if (key && key in s.vars) s.vars = Object.fromEntries(Object.entries(s.vars).filter(([k]) => k !== key));
        }
        if (left) for (const c of this.checkers) c.onAssign?.(left, op, right, node, s);
        return;
      }
      case 'update': {
        // `!x++` is `!(x++)`: a unary operand is no lvalue, so the counter is inside it
        let arg = node.arg;
        while (arg?.kind === 'unary' && arg.arg) arg = arg.arg;
        if (arg) {
          if (arg.kind === 'ident' && this.localKeys.has(varKey(arg))) this.built.add(varKey(arg));
          this.expr(arg, s);
          for (const c of this.checkers) c.onIncrement?.(arg, node, s);
        }
        return;
      }
      case 'comment':
        return;
      case 'ident':
        this.readVar(s, varKey(node));
        return;
      default:
        // leaves (literals) hold no call
        for (const c of childrenOf(node)) this.expr(c, s);
    }
  }

  private call(node: LCall, s: State): void {
    const fnNode = node.fn;
    const argList = node.argNodes;
    for (const a of argList) this.expr(a, s);
    // `f(&x)` may write x: what the walk knew of it is gone
    for (const a of argList) {
      const target = a.kind === 'unary' && a.op === '&' ? a.arg : null;
      if (target?.kind === 'ident' && varKey(target) in s.vars) s.vars = Object.fromEntries(Object.entries(s.vars).filter(([k]) => k !== varKey(target)));
      // `&todo`, `&req.list`: a local object itself, not what a local pointer points to
      const base = target && !target.text.includes('->') && !target.text.includes('*') ? baseIdentOf(target) : null;
      if (base && this.localKeys.has(varKey(base))) this.built.add(varKey(base));
    }
    if (!fnNode) return;
    // `LIST_HEAD(todo);` declares the local todo
    const declared = node.stmt && fnNode.kind === 'ident' && declaresLocal(fnNode.text) ? argList[0] : undefined;
    if (declared?.kind === 'ident') {
      this.locals.add(declared.text);
      this.localKeys.add(varKey(declared));
    }
    for (const c of this.checkers) if (c.intercept?.(node, fnNode, s)) return;
    if (fnNode.kind === 'call') {
      this.expr(fnNode, s);
      return;
    }
    if (fnNode.kind !== 'ident') {
      this.expr(fnNode, s);
      const field = fnNode.kind === 'field' ? fnNode.field : null;
      this.record(s, field ? { kind: 'call', name: `->${field}`, field, args: [...node.args] } : { kind: 'call', name: fnNode.norm, args: [...node.args] }, node);
      return;
    }
    const call: CallSite = { name: fnNode.text, node, argNodes: argList, args: node.args };
    // `handler(kvm, ...)` with handler a parameter: a call through a function pointer, not of a function so named
    const param = this.locals.has(call.name) ? -1 : this.paramOrder.indexOf(call.name);
    let known: Classified | null = null;
    for (const c of param >= 0 ? [] : this.checkers) {
      known = c.classify?.(call, s) ?? null;
      if (known) break;
    }
    const classified: Classified = known ?? { kind: 'call', facts: {} };
    // a call no checker knows is a function to follow (the blockable test is the engine's own)
    if (!known && call.name !== RANGE_BLOCKABLE && param < 0) this.callees.add(call.name);
    // a driver function may set a file-scope flag: what the path assumed of it is forgotten
    // (a query without arguments, `xen_pv_domain()`, is taken to change nothing: it is what such flags are)
    if (!known && param < 0 && !isKernelHelper(call.name) && (argList.length > 0 || this.defined.has(call.name))) for (const k of Object.keys(s.when)) if (isFlagAtom(k)) delete s.when[k];
    const base: { name: string; args: string[]; discarded?: true; commented?: true } = { name: call.name, args: [...call.args] };
    if (node.stmt) base.discarded = true;
    if (node.commented) base.commented = true;
    if (classified.kind === 'call') {
      const event: Extract<EventFacts, { kind: 'call' }> = { kind: 'call', ...base, ...(param >= 0 ? { param } : {}) };
      const argNodes = argList.filter((a) => a.kind !== 'comment');
      const atoms = argNodes.map((a) => this.atomOf(a, s));
      if (atoms.some(Boolean)) event.argAtoms = atoms;
      // `helper(&update)`: the flags kept in fields of what is passed
      if (Object.keys(s.vars).some((k) => k.includes('.') || k.includes('->'))) {
        const fields = argNodes.map((a) => this.fieldAtomsOf(a, s));
        if (fields.some(Boolean)) event.argFields = fields;
      }
      this.record(s, event, node);
    } else this.record(s, callEvent(classified, base), node);
    for (const c of this.checkers) c.afterCall?.(call, classified, s);
  }

  /** A variable read: the failure codes it holds are not lost. */
  protected readVar(s: State, key: string): void {
    const ids = s.pending?.[key];
    if (!ids) return;
    for (const id of ids) this.storesRead.add(id);
    s.pending = withoutPending(s.pending, key);
  }

  /** A variable declared anew: nothing is known of it, what the last one held unread is lost. */
  protected dropVar(s: State, key: string): void {
    s.pending = withoutPending(s.pending, key);
    if (key in s.vars) s.vars = Object.fromEntries(Object.entries(s.vars).filter(([k]) => k !== key));
  }

  /** `ret = -EAGAIN;`: a failure code assigned to a local, unread until something reads `ret` (see FailureStore). */
  private storeFailure(s: State, key: string, variable: string, value: LExpr, at: { readonly start: number; readonly loc: Loc }): void {
    const v = unwrapParens(value);
    if (v.kind !== 'unary' || v.op !== '-' || v.arg?.kind !== 'ident' || !ERRNO_NAME.test(v.arg.text)) return;
    const k = `${at.start}:${whenKey(s.when)}`;
    let id = this.storeIds.get(k);
    if (id === undefined) {
      id = this.stores.length;
      this.stores.push({
        variable,
        ...(this.shadowing.has(key) ? { shadows: true as const } : {}),
        text: v.norm,
        code: -errnoNumber(v.arg.text),
        loc: { ...at.loc },
        when: { ...s.when },
        ...(s.untracked ? { untracked: [...s.untracked] } : {}),
      });
      this.storeIds.set(k, id);
    } else {
      const st = this.stores[id]!;
      if (st.untracked) {
        const common = commonUntracked(st.untracked, s.untracked);
        if (common) st.untracked = [...common];
        else delete st.untracked;
      }
    }
    s.pending = { ...s.pending, [key]: [id] };
    s.stores = unionIds(s.stores, [id]);
  }

  /** Tracks what a local variable now holds (state objects are per path, so this mutates). */
  protected assignVar(s: State, name: string, value: LExpr): void {
    const vars = { ...s.vars };
    const atom = this.atomOf(value, s);
    if (isAllocCall(value)) vars[name] = { k: 'alloc' };
    else if (atom) {
      const r = isResultAtom(atom.atom) ? this.valueOf(value, s) : undefined;
      // the call's place goes with its result: `return ret` is then that call's outcome
      const v = r?.k === 'call' && value.kind === 'call' ? { ...r, at: { line: value.loc.line, column: value.loc.column } } : r;
      vars[name] = v ? { k: 'atom', atom: atom.atom, negated: atom.negated, value: v } : { k: 'atom', atom: atom.atom, negated: atom.negated };
    } else {
      const v = this.valueOf(value, s);
      // GFP masks kept in a variable are resolved at the allocation
      if (v.k === 'unknown' && !/^(GFP_|__GFP_)/.test(v.text)) delete vars[name];
      else vars[name] = { k: 'value', value: v };
    }
    s.vars = vars;
  }

  // ----------------------------------------------------------- conditions

  /** Splits states by the truth of a condition. */
  protected condition(node: LExpr, states: State[]): { t: State[]; f: State[] } {
    const t: State[] = [];
    const f: State[] = [];
    for (const s of states) {
      const r = this.cond(node, s);
      t.push(...r.t);
      f.push(...r.f);
    }
    return { t: this.merge(t), f: this.merge(f) };
  }

  private cond(node: LExpr, s: State): { t: State[]; f: State[] } {
    const n = unwrapParens(node);
    // `if (WARN_ON(x))` tests x: the warning is recorded, the branch splits on x
    if (n.kind === 'call' && WARNING_CALLS.has(n.fn?.text ?? '')) {
      const args = n.argNodes.filter((a) => a.kind !== 'comment');
      if (args.length === 1) {
        const c = cloneState(s);
        this.record(c, { kind: 'call', name: n.fn!.text, args: [...n.args] }, n);
        return this.cond(args[0]!, c);
      }
    }
    if (n.kind === 'unary' && n.op === '!') {
      const r = this.cond(n.arg!, s);
      return { t: r.f, f: r.t };
    }
    if (n.kind === 'binary') {
      const op = n.op;
      const left = n.left!;
      const right = n.right!;
      if (op === '&&') {
        const a = this.cond(left, s);
        const t: State[] = [];
        const f: State[] = [...a.f];
        for (const x of a.t) {
          const b = this.cond(right, x);
          t.push(...b.t);
          f.push(...b.f);
        }
        return { t, f };
      }
      if (op === '||') {
        const a = this.cond(left, s);
        const t: State[] = [...a.t];
        const f: State[] = [];
        for (const x of a.f) {
          const b = this.cond(right, x);
          t.push(...b.t);
          f.push(...b.f);
        }
        return { t, f };
      }
      if ((op === '==' || op === '!=') && isZero(right)) {
        const r = this.cond(left, s);
        return op === '==' ? { t: r.f, f: r.t } : r;
      }
      // `ret == -EAGAIN`: a helper's result equal to an error means it returned non-zero
      if ((op === '==' || op === '!=') && isNonZeroConstant(right)) {
        const atom = this.atomOf(left, s);
        if (atom && isResultAtom(atom.atom) && !atom.negated && s.when[atom.atom] !== false) {
          const c = cloneState(s);
          this.expr(n, c);
          const equal = cloneState(c);
          equal.when[atom.atom] = true;
          return op === '==' ? { t: [equal], f: [c] } : { t: [c], f: [equal] };
        }
      }
    }
    // a leaf: evaluate its effects, then split on its atom if it is tracked
    const c = cloneState(s);
    this.expr(n, c);
    const atom = this.atomOf(n, c);
    if (!atom) {
      // a flag whose value the path knows (`locked = true; ... if (locked)`): one branch
      const known = n.kind === 'ident' ? this.valueOf(n, c) : null;
      const k = known && (known.k === 'int' ? known.v !== 0 : known.k === 'bool' ? known.v : known.k === 'null' ? false : null);
      if (k === true) return { t: [c], f: [] };
      if (k === false) return { t: [], f: [c] };
      // `err == -EAGAIN` where the path set `err = -EFAULT`: both values known, one branch
      const decided = n.kind === 'binary' ? this.knownEquality(n, c) : null;
      if (decided !== null) return decided ? { t: [c], f: [] } : { t: [], f: [c] };
      const f = cloneState(c);
      this.untrackedBranches(n, c, f);
      return { t: [c], f: [f] };
    }
    const known = c.when[atom.atom];
    const branch = (value: boolean): State[] => {
      // value is the truth of the condition; the atom's truth may be negated
      const atomValue = value !== atom.negated;
      if (known !== undefined && known !== atomValue) return [];
      const x = cloneState(c);
      x.when[atom.atom] = atomValue;
      for (const k of this.checkers) k.onAssume?.(atom.atom, atomValue, n, x);
      return [x];
    };
    return { t: branch(true), f: branch(false) };
  }

  /**
   * A condition the walk cannot decide that reads data the function built
   * (see `built`): both branches are marked as decided by it.
   */
  protected untrackedBranches(n: LExpr, t: State, f: State): void {
    const data = this.builtDataOf(n);
    if (!data) return;
    const line = 'loc' in n ? n.loc.line : lineOf(n);
    withUntracked(t, { text: n.norm, line, holds: true, data });
    withUntracked(f, { text: n.norm, line, holds: false, data });
  }

  /** The first local the function builds that an expression reads, if any. */
  protected builtDataOf(n: LExpr): string | null {
    if (this.built.size === 0) return null;
    if (n.kind === 'ident') return this.built.has(varKey(n)) ? n.text : null;
    // a kernel helper's result is a query of its arguments (`list_empty(&todo)`); any
    // other function's is an input of its own, whatever it is passed
    if (n.kind === 'call' && !(n.fn?.kind === 'ident' && isKernelHelper(n.fn.text))) return null;
    for (const c of n.kind === 'call' ? n.argNodes : n.kind === 'assign' ? [n.left, n.right].filter((x): x is LExpr => !!x) : n.kind === 'update' ? (n.arg ? [n.arg] : []) : childrenOf(n)) {
      const d = this.builtDataOf(c);
      if (d) return d;
    }
    return null;
  }

  /** `a == b` or `a != b` where the path knows both as integers: its truth; else null. */
  private knownEquality(n: Extract<LExpr, { kind: 'binary' }>, s: State): boolean | null {
    if ((n.op !== '==' && n.op !== '!=') || !n.left || !n.right) return null;
    const a = this.valueOf(n.left, s);
    const b = this.valueOf(n.right, s);
    if (a.k !== 'int' || b.k !== 'int') return null;
    return (a.v === b.v) === (n.op === '==');
  }

  /** The tracked atom a condition leaf tests, if any. */
  atomOf(node: LExpr, s: State): AtomRef | null {
    const n = unwrapParens(node);
    if (n.kind === 'unary' && n.op === '!') {
      const inner = this.atomOf(n.arg!, s);
      return inner ? { atom: inner.atom, negated: !inner.negated } : null;
    }
    if (n.kind === 'binary') {
      // `range->event == MMU_NOTIFY_MIGRATE`: the event filters of a callback
      const { op, left, right } = n;
      if ((op === '==' || op === '!=') && left?.kind === 'field' && left.field === 'event' && right?.kind === 'ident') {
        return { atom: atoms.event(right.text), negated: op === '!=' };
      }
      return null;
    }
    if (n.kind === 'call') {
      const fnNode = n.fn;
      const fn = fnNode?.text ?? '';
      if (fn === RANGE_BLOCKABLE) return { atom: atoms.blockable, negated: false };
      // the read section was invalidated: what follows `if (retry) goto again;` runs with it false
      if (fn === READ_RETRY || fn === CHECK_RETRY) return { atom: atoms.retry, negated: false };
      const tl = trylockOf(n);
      if (tl) return { atom: atoms.trylock(tl.lock), negated: false };
      // `xen_pv_domain()`: a query of the system's state the function does not define, without
      // arguments: tested twice on one path, it answers the same (forgotten at a driver call, as a flag)
      if (fnNode?.kind === 'ident' && n.argNodes.length === 0 && !this.defined.has(fn)) return { atom: atoms.flag(`${fn}()`), negated: false };
      // what a helper returned: the summary replaces it by the helper's own conditions
      // (kernel helpers and macros are never looked up: their results are not tracked)
      if (fnNode?.kind === 'ident' && (!isKernelHelper(fn) || this.defined.has(fn) || !!curatedFacts(fn).acquires?.canFail)) return { atom: resultAtom(fn, { line: n.loc.line, column: n.loc.column }), negated: false };
      return null;
    }
    if (n.kind === 'field') {
      const key = fieldKey(n);
      if (!key) return null;
      // Linux 5.0/5.1: `range->blockable` is what mmu_notifier_range_blockable(range) became
      const base = n.arg;
      if (n.field === 'blockable' && base?.kind === 'ident' && this.ranges.has(varKey(base))) return { atom: atoms.blockable, negated: false };
      const v = s.vars[key];
      if (v?.k === 'atom') return { atom: v.atom, negated: v.negated };
      // a flag in a field of a parameter: matched to what the caller stored there
      if (!v && this.params.has(varBase(key))) return { atom: atoms.param(key), negated: false };
      return null;
    }
    if (n.kind === 'ident') {
      const key = varKey(n);
      const v = s.vars[key];
      if (v?.k === 'atom') return { atom: v.atom, negated: v.negated };
      if (v?.k === 'alloc') return { atom: atoms.alloc(key), negated: false };
      // Linux 4.19 and 4.20: invalidate_range_start's `bool blockable` argument is the flag
      if (!v && this.blockableArgs.has(key)) return { atom: atoms.blockable, negated: false };
      if (!v && this.params.has(key)) return { atom: atoms.param(key), negated: false };
      // a file-scope variable (`static bool use_ptemod`): the same value at each test of one path
      if (!v && this.sharedBase(key) === 'global' && /^[A-Za-z_]\w*$/.test(key)) return { atom: atoms.flag(key), negated: false };
    }
    return null;
  }

  /** The tracked flags kept in fields of an argument (`&update`, `update`). */
  private fieldAtomsOf(node: LExpr, s: State): Array<{ field: string; atom: Atom; negated: boolean }> | null {
    let n = unwrapParens(node);
    if (n.kind === 'unary' && n.op === '&') n = n.arg ?? n;
    if (n.kind !== 'ident') return null;
    const key = varKey(n);
    const out: Array<{ field: string; atom: Atom; negated: boolean }> = [];
    for (const [k, v] of Object.entries(s.vars)) {
      const m = /^([A-Za-z_]\w*(?:#\d+)?)(?:\.|->)(.+)$/.exec(k);
      if (m && m[1] === key && v.k === 'atom') out.push({ field: m[2]!, atom: v.atom, negated: v.negated });
    }
    return out.length ? out : null;
  }

  /**
   * Whether a written target lives outside this call: a function-static, or
   * a variable that is neither a parameter nor a local (a global, or a member
   * of one). `current` and upper-case macros are per task or per CPU.
   */
  sharedBase(target: string): 'static' | 'global' | undefined {
    const base = /^[&*(\s]*([A-Za-z_]\w*)/.exec(target)?.[1];
    if (!base) return undefined;
    if (this.staticLocals.has(base)) return 'static';
    if (this.locals.has(base) || this.params.has(base) || base === 'current' || /^[A-Z0-9_]+$/.test(base)) return undefined;
    return 'global';
  }

  // -------------------------------------------------------------- values

  protected valueOf(node: LExpr, s: State): AbstractValue {
    const n = unwrapParens(node);
    const text = n.norm;
    switch (n.kind) {
      case 'true':
        return { k: 'bool', v: true };
      case 'false':
        return { k: 'bool', v: false };
      case 'null':
        return { k: 'null' };
      case 'number': {
        const v = Number(text.replace(/[uUlL]+$/, ''));
        return Number.isFinite(v) ? { k: 'int', v } : { k: 'unknown', text };
      }
      case 'ident': {
        if (text === 'NULL') return { k: 'null' };
        const v = s.vars[varKey(n)];
        if (v?.k === 'value') return v.value;
        if (v?.k === 'atom' && v.value && !v.negated) return v.value;
        return { k: 'unknown', text };
      }
      case 'unary': {
        const { op, arg } = n;
        if (op === '-' && arg?.kind === 'ident' && ERRNO_NAME.test(arg.text)) return { k: 'int', v: -errnoNumber(arg.text) };
        if (op === '-' && arg?.kind === 'number') return { k: 'int', v: -Number(arg.text) };
        if (op === '!' && arg) {
          const inner = this.valueOf(arg, s);
          if (inner.k === 'int') return { k: 'bool', v: inner.v === 0 };
          if (inner.k === 'bool') return { k: 'bool', v: !inner.v };
        }
        return { k: 'unknown', text };
      }
      case 'call': {
        const fn = n.fn;
        if (fn?.kind === 'ident') return { k: 'call', callee: fn.text, args: [...n.args] };
        return { k: 'unknown', text };
      }
      case 'cast':
        return this.valueOf(n.value!, s);
      default:
        return { k: 'unknown', text };
    }
  }

  // ------------------------------------------------------------- records

  record(s: State, facts: EventFacts, at: { readonly start: number; readonly loc: Loc }): void {
    const when: Assumptions = { ...s.when };
    const key = `${at.start}:${facts.kind}:${whenKey(when)}:${s.locks.join(',')}`;
    let id = this.eventIds.get(key);
    if (id === undefined) {
      id = this.events.length;
      const event: Draft<Event> = { ...facts, loc: { ...at.loc }, when, locks: [...s.locks] };
      if (s.macro) event.macro = s.macro;
      if (s.untracked) event.untracked = s.untracked;
      this.events.push(event);
      this.eventIds.set(key, id);
    } else {
      // reached again: decided only by what every path to it is decided by
      const event = this.events[id]!;
      if (event.untracked) {
        const common = commonUntracked(event.untracked, s.untracked);
        if (common) event.untracked = common;
        else delete event.untracked;
      }
    }
    s.path = { id, prev: s.path };
  }

  protected addReturn(s: State, expr: LExpr | null, at: { readonly start: number; readonly loc: Loc; readonly end: Loc }): void {
    const value: AbstractValue = expr ? this.valueOf(expr, s) : { k: 'unknown', text: '' };
    const text = expr ? expr.norm : '';
    for (const c of this.checkers) c.atReturn?.(s, { expr, value, loc: expr ? at.loc : at.end });
    const key = `${at.start}:${whenKey(s.when)}:${valueKey(value)}:${s.locks.join(',')}:${s.effects.join(',')}${s.maps ? `:${s.maps.join(',')}` : ''}`;
    const seen = this.returnIds.get(key);
    if (seen !== undefined) {
      const r = this.returns[seen]!;
      r.path = [...new Set([...r.path, ...pathIds(s.path)])].sort((a, b) => a - b);
      if (s.stores) r.stores = [...(unionIds(r.stores, s.stores) ?? [])];
      if (r.untracked) {
        const common = commonUntracked(r.untracked, s.untracked);
        if (common) r.untracked = common;
        else delete r.untracked;
      }
      return;
    }
    if (this.returns.length >= RETURN_BUDGET) {
      this.truncated = true;
      return;
    }
    const loc = expr ? at.loc : at.end;
    this.returnIds.set(key, this.returns.length);
    this.returns.push({
      value,
      text,
      loc: { ...loc },
      when: { ...s.when },
      path: pathIds(s.path),
      held: [],
      effects: [],
      ...Object.assign({}, ...this.checkers.map((c) => c.onReturn?.(s) ?? {})),
      ...(s.untracked ? { untracked: s.untracked } : {}),
      ...(s.stores ? { stores: [...s.stores] } : {}),
    });
  }
}

/** The event of a call a checker classified (a plain call is the engine's: it carries the atoms passed). */
function callEvent(c: Exclude<Classified, { kind: 'call' }>, base: { name: string; args: string[]; discarded?: true; commented?: true }): EventFacts {
  switch (c.kind) {
    case 'lock':
      return { kind: 'lock', ...base, ...c.facts };
    case 'unlock':
      return { kind: 'unlock', ...base, ...c.facts };
    case 'alloc':
      return { kind: 'alloc', ...base, ...c.facts };
    default:
      return { kind: c.kind, ...base };
  }
}

/** A node without a place of its own: its first call's line, else 0 (the caller knows better). */
function lineOf(n: LExpr): number {
  if ('loc' in n) return (n as { loc: Loc }).loc.line;
  for (const c of childrenOf(n)) {
    const l = lineOf(c);
    if (l) return l;
  }
  return 0;
}

/** `-EAGAIN`, `-11`, `1`: a constant that is not zero. */
function isNonZeroConstant(node: LExpr): boolean {
  const n = unwrapParens(node);
  if (n.kind === 'number') return Number(n.text.replace(/[uUlL]+$/, '')) !== 0;
  if (n.kind === 'unary' && n.op === '-') {
    const arg = n.arg;
    return !!arg && ((arg.kind === 'ident' && ERRNO_NAME.test(arg.text)) || isNonZeroConstant(arg));
  }
  return false;
}

/** `WARN_ON(x)` and friends return x. */
const WARNING_CALLS = new Set(['WARN_ON', 'WARN_ON_ONCE']);
