// The path-sensitive walk of one function body.
//
// The walk is a property simulation (ESP style): it follows every branch, but
// only the facts the rules need are kept in the state (assumptions on tracked
// atoms, locks held, a few local variables), and states that agree on them are
// merged at join points. So the count of states stays small on real callbacks;
// a budget cuts it off and marks the function `truncated` when it does not.
import type { Node } from 'web-tree-sitter';
import type { AbstractValue, Assumptions, Draft, Event, EventKind, FunctionIR, ReturnSite } from '../ir/types.js';
import {
  ALLOC_GFP_ARG,
  CHECK_RETRY,
  INVERTED_TRYLOCKS,
  LOCK_CALLS,
  RANGE_BLOCKABLE,
  READ_BEGIN,
  READ_RETRY,
  SET_SEQ,
  TRYLOCK_CALLS,
  UNLOCK_CALLS,
  classifyGfp,
  isSleepingCall,
  ERRNO_NAME,
  errnoNumber,
  EFFECT_CALLS,
  FAILABLE_ACQUIRES,
  HMM_FAULT_CALLS,
  IMPLICIT_LOCKS,
  PAGE_USE_CALLS,
  isKernelHelper,
} from '../ir/kernel-api.js';
import { argTexts, declaratorName, declaratorNameNode, endLoc, errorLines, functionDeclarator, hasKeyword, isZero, locOf, normalizeLock, position, textOf, unwrapParens, type FileCtx } from './syntax.js';

/** Live states at one program point before they are merged more coarsely. */
const STATE_BUDGET = 32;
/** Return sites kept per function. */
const RETURN_BUDGET = 256;

/** A local variable's tracked meaning. */
type VarFact =
  // holds a tracked condition (and, for a call's result, the value to return)
  | { k: 'atom'; atom: string; negated: boolean; value?: AbstractValue }
  | { k: 'alloc' } // result of an allocation: NULL on failure
  | { k: 'value'; value: AbstractValue };

interface State {
  when: Record<string, boolean>;
  locks: string[];
  /** locks held but not taken here: lockdep_assert_held(), guard() (released by the scope) */
  scoped: string[];
  /** live effects: `+x` a counter or reference taken, `=x` a field written (sorted) */
  effects: string[];
  /** the outer facts of names a block declares, restored when the block ends */
  frames: Array<{ block: number; saved: Record<string, VarFact | null> }>;
  vars: Record<string, VarFact>;
  /** event ids along the path: shared, immutable nodes (cloning a state copies a pointer) */
  path: PathNode | null;
  /** set when the state is inside a statement macro such as scoped_guard */
  macro?: string;
}

/** A path as a DAG: each event points back to the path before it; a merge joins two. */
type PathNode = { id: number; prev: PathNode | null } | { join: [PathNode | null, PathNode | null] };

/** The event ids of every path through the DAG, in walk order (ids grow along a path). */
function pathIds(node: PathNode | null): number[] {
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
  effects: string[];
  vars: Record<string, string>;
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

const PROBE_COMMENT = /^\/[/*]\s*walk:\s*(.*?)\s*(?:\*\/)?$/s;

interface Flow {
  normal: State[];
  breaks: State[];
  continues: State[];
}

export function extractFunction(ctx: FileCtx, def: Node, probes?: WalkProbe[]): FunctionIR | null {
  const declarator = def.childForFieldName('declarator');
  const name = declaratorName(declarator);
  const body = def.childForFieldName('body');
  if (!name || !body) return null;
  const params: Array<{ name: string; type: string }> = [];
  const paramList = functionDeclarator(declarator)?.childForFieldName('parameters');
  for (const p of paramList?.namedChildren ?? []) {
    if (p.type !== 'parameter_declaration') continue;
    const pname = declaratorName(p.childForFieldName('declarator'));
    params.push({ name: pname ?? '', type: textOf(ctx, p.childForFieldName('type') ?? p) });
  }
  const returnType = textOf(ctx, def.childForFieldName('type') ?? def) + (declarator?.type === 'pointer_declarator' ? ' *' : '');
  const walker = new FunctionWalker(
    ctx,
    params.map((p) => p.name),
    params.filter((p) => /\bmmu_notifier_range\b/.test(p.type)).map((p) => p.name),
    probes && { name, out: probes },
  );
  walker.run(body);
  const parseErrors: number[] = [];
  errorLines(ctx, body, parseErrors);
  return {
    name,
    file: ctx.file,
    loc: locOf(ctx, declaratorNameNode(declarator) ?? def),
    isStatic: hasKeyword(def, 'storage_class_specifier', 'static'),
    returnType,
    params,
    events: walker.events,
    returns: walker.returns,
    callees: [...walker.callees].sort(),
    truncated: walker.truncated,
    parseErrors,
  };
}

function cloneState(s: State): State {
  return { when: { ...s.when }, locks: [...s.locks], scoped: s.scoped, effects: s.effects, frames: s.frames, vars: { ...s.vars }, path: s.path, macro: s.macro };
}

/** Canonical text of the assumptions (sorted atoms): equal states get equal keys. */
function whenKey(when: Readonly<Record<string, boolean>>): string {
  let k = '';
  for (const a of Object.keys(when).sort()) k += `${a}${when[a] ? '+' : '-'};`;
  return k;
}

function valueKey(v: AbstractValue): string {
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
function varText(f: VarFact): string {
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
function stateKey(s: State): string {
  let k = `${whenKey(s.when)}|${s.locks.join(',')}|${s.scoped.join(',')}|${s.effects.join(',')}|`;
  for (const name of Object.keys(s.vars).sort()) {
    const f = s.vars[name]!;
    k += `${name}=${f.k === 'atom' ? `${f.atom}${f.negated ? '!' : ''}` : f.k === 'alloc' ? 'A' : valueKey(f.value)};`;
  }
  return `${k}|${s.macro ?? ''}`;
}

class FunctionWalker {
  readonly events: Draft<Event>[] = [];
  readonly returns: Draft<ReturnSite>[] = [];
  readonly callees = new Set<string>();
  truncated = false;
  private readonly eventIds = new Map<string, number>();
  private readonly returnIds = new Map<string, number>();
  private readonly pendingGotos = new Map<string, State[]>();
  private readonly seenLabels = new Set<string>();
  private readonly params: Set<string>;
  /** result atom of an acquire that can fail (`mutex_lock_interruptible`) -> its lock */
  private readonly acquires = new Map<string, string>();
  /** blocks with declarations being walked, outermost first */
  private readonly openBlocks: number[] = [];

  /** variables holding a page or pfn from hmm_range_fault's output */
  private readonly pfnVars = new Set<string>();
  /** locals declared in the body (any block); function-static ones apart: those are shared */
  private readonly locals = new Set<string>();
  private readonly staticLocals = new Set<string>();
  /** parameters that are a `struct mmu_notifier_range *`: 5.0's `range->blockable` is the blockable flag */
  private readonly ranges: Set<string>;

  constructor(
    private readonly ctx: FileCtx,
    params: string[],
    ranges: string[] = [],
    /** engine tests only: where to record the states at `// walk:` comments */
    private readonly probes?: { name: string; out: WalkProbe[] },
  ) {
    this.params = new Set(params.filter(Boolean));
    this.ranges = new Set(ranges.filter(Boolean));
  }

  run(body: Node): void {
    const start: State = { when: {}, locks: [], scoped: [], effects: [], frames: [], vars: {}, path: null };
    const flow = this.statement(body, [start]);
    // falling off the end of the body
    for (const s of flow.normal) this.addReturn(s, null, body);
  }

  // -------------------------------------------------------------- merging

  private merge(states: State[]): State[] {
    return this.budget(this.mergeKeys(states));
  }

  private mergeKeys(states: State[]): State[] {
    const byKey = new Map<string, State>();
    for (const s of states) {
      const key = stateKey(s);
      const seen = byKey.get(key);
      if (!seen) byKey.set(key, s);
      else if (seen.path !== s.path) seen.path = { join: [seen.path, s.path] };
    }
    return [...byKey.values()];
  }

  private budget(states: State[]): State[] {
    let out = states;
    if (out.length > STATE_BUDGET) {
      // forget what a helper returned first, then local values: they matter least
      out = this.mergeKeys(out.map((s) => ({ ...s, when: Object.fromEntries(Object.entries(s.when).filter(([a]) => !a.startsWith('ret:'))) })));
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

  // ----------------------------------------------------------- statements

  private statements(nodes: Node[], states: State[]): Flow {
    const flow: Flow = { normal: states, breaks: [], continues: [] };
    let probing: Node[] = [];
    for (const node of nodes) {
      if (this.probes && node.type === 'comment') {
        if (PROBE_COMMENT.test(this.ctx.source.slice(node.startIndex, node.endIndex))) probing.push(node);
        continue;
      }
      if (node.type === 'labeled_statement') {
        const label = node.childForFieldName('label')?.text ?? '';
        this.seenLabels.add(label);
        // a goto out of a block leaves its scopes: the outer names are back
        const arriving = (this.pendingGotos.get(label) ?? []).map((g) =>
          leaveFrames(
            g,
            g.frames.findIndex((f) => !this.openBlocks.includes(f.block)),
          ),
        );
        this.pendingGotos.delete(label);
        flow.normal = this.merge([...flow.normal, ...arriving]);
      }
      if (probing.length) {
        for (const c of probing) this.recordProbe(c, flow.normal);
        probing = [];
      }
      if (flow.normal.length === 0 && node.type !== 'labeled_statement') continue;
      const f = this.statement(node, flow.normal);
      flow.normal = f.normal;
      flow.breaks.push(...f.breaks);
      flow.continues.push(...f.continues);
    }
    for (const c of probing) this.recordProbe(c, flow.normal);
    return flow;
  }

  private recordProbe(comment: Node, states: State[]): void {
    if (!this.probes) return;
    const annotation = PROBE_COMMENT.exec(this.ctx.source.slice(comment.startIndex, comment.endIndex))?.[1] ?? '';
    this.probes.out.push({
      function: this.probes.name,
      line: position(this.ctx, comment.startIndex).line,
      annotation,
      truncated: this.truncated,
      states: states.map((s) => ({
        when: { ...s.when },
        locks: [...s.locks],
        scoped: [...s.scoped],
        effects: [...s.effects],
        vars: Object.fromEntries(Object.entries(s.vars).map(([k, v]) => [k, varText(v)])),
      })),
    });
  }

  /**
   * A block: names it declares shadow the outer ones until it ends, so their
   * outer facts are saved on entry and restored on every way out of it.
   */
  private block(node: Node, states: State[]): Flow {
    // (children read once: each read of a node list crosses into the wasm parser)
    const children = node.namedChildren;
    const declared = children
      .filter((c) => c.type === 'declaration')
      .flatMap((d) => d.namedChildren.map((c) => declaratorName(c.type === 'init_declarator' ? c.childForFieldName('declarator') : c)).filter((n): n is string => !!n));
    if (declared.length === 0) return this.statements(children, states);
    const id = node.startIndex;
    for (const s of states) {
      const saved: Record<string, VarFact | null> = {};
      let shadows = false;
      for (const name of declared) {
        saved[name] = s.vars[name] ?? null;
        if (saved[name]) shadows = true;
      }
      for (const k of Object.keys(s.vars)) {
        const base = /^[A-Za-z_]\w*/.exec(k)?.[0];
        if (base !== k && base && declared.includes(base)) {
          saved[k] = s.vars[k]!;
          shadows = true;
        }
      }
      if (shadows) {
        const vars = { ...s.vars };
        for (const k of Object.keys(saved)) delete vars[k];
        s.vars = vars;
      }
      s.frames = [...s.frames, { block: id, saved }];
    }
    this.openBlocks.push(id);
    const flow = this.statements(children, states);
    this.openBlocks.pop();
    const leave = (s: State): State =>
      leaveFrames(
        s,
        s.frames.findIndex((f) => f.block === id),
      );
    return { normal: this.merge(flow.normal.map(leave)), breaks: flow.breaks.map(leave), continues: flow.continues.map(leave) };
  }

  private statement(node: Node, states: State[]): Flow {
    const none: Flow = { normal: [], breaks: [], continues: [] };
    if (states.length === 0 && node.type !== 'labeled_statement') return none;
    switch (node.type) {
      case 'compound_statement':
        return this.block(node, states);
      case 'labeled_statement': {
        const inner = node.namedChildren.filter((c) => c.type !== 'statement_identifier');
        return this.statements(inner, states);
      }
      case 'expression_statement': {
        const expr = node.namedChildren[0];
        return { normal: this.merge(expr ? this.exprAll(expr, states) : states), breaks: [], continues: [] };
      }
      case 'declaration':
        return { normal: this.merge(this.declaration(node, states)), breaks: [], continues: [] };
      case 'return_statement': {
        const expr = node.namedChildren[0] ?? null;
        const after = expr ? this.exprAll(expr, states) : states;
        for (const s of after) this.addReturn(s, expr, node);
        return none;
      }
      case 'if_statement': {
        const { t, f } = this.condition(node.childForFieldName('condition')!, states);
        const thenFlow = this.statement(node.childForFieldName('consequence')!, t);
        const alt = node.childForFieldName('alternative');
        const elseBody = alt?.type === 'else_clause' ? alt.namedChildren[0] : alt;
        const elseFlow = elseBody ? this.statement(elseBody, f) : { normal: f, breaks: [], continues: [] };
        return {
          normal: this.merge([...thenFlow.normal, ...elseFlow.normal]),
          breaks: [...thenFlow.breaks, ...elseFlow.breaks],
          continues: [...thenFlow.continues, ...elseFlow.continues],
        };
      }
      case 'while_statement':
        return this.whileLoop(node, states);
      case 'for_statement': {
        let entry = states;
        const init = node.childForFieldName('initializer');
        if (init) entry = init.type === 'declaration' ? this.declaration(init, entry) : this.exprAll(init, entry);
        const cond = node.childForFieldName('condition');
        const { t, f } = cond ? this.condition(cond, entry) : { t: entry, f: [] as State[] };
        const body = this.statement(node.childForFieldName('body')!, t);
        const update = node.childForFieldName('update');
        const looped = update ? this.exprAll(update, [...body.normal, ...body.continues]) : [...body.normal, ...body.continues];
        // zero or one iteration; an endless `for (;;)` leaves only by break
        const exits = cond ? [...f, ...looped] : [];
        return { normal: this.merge([...exits, ...body.breaks]), breaks: [], continues: [] };
      }
      case 'do_statement': {
        const body = this.statement(node.childForFieldName('body')!, states);
        const cond = node.childForFieldName('condition');
        const after = cond ? this.exprAll(cond, [...body.normal, ...body.continues]) : body.normal;
        return { normal: this.merge([...after, ...body.breaks]), breaks: [], continues: [] };
      }
      case 'switch_statement':
        return this.switchStatement(node, states);
      case 'break_statement':
        return { normal: [], breaks: states, continues: [] };
      case 'continue_statement':
        return { normal: [], breaks: [], continues: states };
      case 'goto_statement': {
        const label = node.childForFieldName('label')?.text ?? '';
        // a backward goto is a retry loop: its states were walked already
        if (!this.seenLabels.has(label)) {
          const list = this.pendingGotos.get(label) ?? [];
          list.push(...states);
          this.pendingGotos.set(label, list);
        }
        return none;
      }
      default:
        return { normal: states, breaks: [], continues: [] };
    }
  }

  private whileLoop(node: Node, states: State[]): Flow {
    const macro = this.ctx.loops.get(node.startIndex);
    const condNode = node.childForFieldName('condition')!;
    const bodyNode = node.childForFieldName('body')!;
    if (macro && /(^|_)guard$/.test(macro)) {
      // scoped_guard(kind, &lock) { body }: the body runs once with the lock held
      const args = argTexts(this.ctx, condNode);
      const lock = normalizeLock(args[args.length - 1] ?? '');
      const kind = args[0] ?? '';
      const entered = this.exprAll(condNode, states.map(cloneState)).map((s) => {
        const c = cloneState(s);
        this.record(c, 'lock', `${macro}(${kind})`, args, condNode, { lock, sleeps: kind === 'mutex' || kind.startsWith('rwsem') });
        if (!c.locks.includes(lock)) c.locks = [...c.locks, lock].sort();
        c.macro = macro;
        return c;
      });
      const body = this.statement(bodyNode, entered);
      const release = (s: State): State => ({ ...s, locks: s.locks.filter((l) => l !== lock), macro: undefined });
      return { normal: this.merge([...body.normal, ...body.breaks].map(release)), breaks: [], continues: body.continues.map(release) };
    }
    const entry = macro ? { t: this.exprAll(condNode, states.map(cloneState)).map((s) => ({ ...s, macro })), f: this.exprAll(condNode, states.map(cloneState)) } : this.condition(condNode, states);
    const body = this.statement(bodyNode, entry.t);
    const back = (s: State): State => (macro ? { ...s, macro: undefined } : s);
    // `while (true)` / `while (1)` leaves only by break, as `for (;;)` does: the end
    // of the body and a continue go round again (their states were walked)
    const endless = !macro && /^\(\s*(true|1)\s*\)$/.test(condNode.text);
    const exits = endless ? [] : [...entry.f, ...body.normal.map(back), ...body.continues.map(back)];
    return { normal: this.merge([...exits, ...body.breaks.map(back)]), breaks: [], continues: [] };
  }

  private switchStatement(node: Node, states: State[]): Flow {
    const cond = node.childForFieldName('condition');
    const entry = cond ? this.exprAll(cond, states) : states;
    const body = node.childForFieldName('body');
    const cases = body?.namedChildren.filter((c) => c.type === 'case_statement') ?? [];
    let fallthrough: State[] = [];
    const out: State[] = [];
    let hasDefault = false;
    for (const c of cases) {
      if (c.children[0]?.text === 'default') hasDefault = true;
      const stmts = c.namedChildren.filter((n) => n !== c.childForFieldName('value'));
      const flow = this.statements(stmts, this.merge([...entry.map(cloneState), ...fallthrough]));
      out.push(...flow.breaks);
      fallthrough = flow.normal;
      // `continue` inside a switch belongs to the enclosing loop
      if (flow.continues.length) out.push(...flow.continues);
    }
    out.push(...fallthrough);
    if (!hasDefault) out.push(...entry);
    return { normal: this.merge(out), breaks: [], continues: [] };
  }

  private declaration(node: Node, states: State[]): State[] {
    let out = states;
    const isStatic = hasKeyword(node, 'storage_class_specifier', 'static');
    for (const d of node.namedChildren) {
      // every local is known by name: a write to anything else is a global (I7)
      if (d.type === 'identifier' || d.type === 'array_declarator' || d.type === 'pointer_declarator' || d.type === 'init_declarator') {
        const local = declaratorName(d.type === 'init_declarator' ? d.childForFieldName('declarator') : d);
        if (local) (isStatic ? this.staticLocals : this.locals).add(local);
      }
      if (d.type !== 'init_declarator') continue;
      const name = declaratorName(d.childForFieldName('declarator'));
      const value = d.childForFieldName('value');
      if (!value) continue;
      if (name && this.fromPfns(value)) this.pfnVars.add(name);
      out = this.exprAll(value, out);
      if (name && value.type === 'initializer_list') {
        // `struct upd u = { .blockable = mmu_notifier_range_blockable(range) }`
        for (const pair of value.namedChildren) {
          const field = pair.type === 'initializer_pair' ? pair.namedChildren.find((c) => c.type === 'field_designator')?.namedChildren[0]?.text : undefined;
          const v = pair.childForFieldName('value');
          if (!field || !v) continue;
          for (const s of out) {
            const atom = this.atomOf(v, s);
            if (atom) s.vars = { ...s.vars, [`${name}.${field}`]: { k: 'atom', atom: atom.atom, negated: atom.negated } };
          }
        }
      } else if (name) for (const s of out) this.assignVar(s, name, value);
    }
    return out;
  }

  // ---------------------------------------------------------- expressions

  /**
   * Records the events of an expression evaluated for its effects. The states
   * are updated in place: every caller hands over states it no longer uses
   * (the two that evaluate one condition twice clone first).
   */
  private exprAll(node: Node, states: State[]): State[] {
    for (const s of states) this.expr(node, s);
    return states;
  }

  private expr(node: Node, s: State): void {
    switch (node.type) {
      case 'call_expression':
        this.call(node, s);
        return;
      case 'assignment_expression': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (right) this.expr(right, s);
        if (left && left.type !== 'identifier') this.expr(left, s);
        const op = node.childForFieldName('operator')?.text ?? node.children[1]?.text;
        if (left?.type === 'identifier' && right) {
          if (this.fromPfns(right)) this.pfnVars.add(left.text);
          if (op === '=') this.assignVar(s, left.text, right);
          else s.vars = Object.fromEntries(Object.entries(s.vars).filter(([k]) => k !== left.text));
          // a global or function-static written: the write outlives the call
          if (this.sharedBase(left.text)) this.effect(s, op === '+=' ? 1 : op === '-=' ? -1 : 0, left.text, node, op ?? '=', textOf(this.ctx, right));
        }
        if (left?.type === 'field_expression' && right) {
          // `update.blockable = mmu_notifier_range_blockable(range)`: a flag kept in a field
          const key = fieldKey(left);
          const atom = key ? this.atomOf(right, s) : null;
          if (key && atom) s.vars = { ...s.vars, [key]: { k: 'atom', atom: atom.atom, negated: atom.negated } };
          else if (key && key in s.vars) s.vars = Object.fromEntries(Object.entries(s.vars).filter(([k]) => k !== key));
          if (op === '=' || op === '|=' || op === '&=') this.effect(s, 0, textOf(this.ctx, left), node, op, textOf(this.ctx, right));
          else if (op === '+=' || op === '-=') this.effect(s, op === '+=' ? 1 : -1, textOf(this.ctx, left), node, op, textOf(this.ctx, right));
        }
        // the core owns finish->notifier: a driver writing it is a bug
        if (left?.type === 'field_expression' && left.childForFieldName('field')?.text === 'notifier' && /finish/.test(left.childForFieldName('argument')?.text ?? '')) {
          this.record(s, 'finish_notifier_write', textOf(this.ctx, left), [textOf(this.ctx, right ?? node)], node);
        }
        if (left?.type === 'pointer_expression' && left.children[0]?.text === '*') {
          const target = left.childForFieldName('argument');
          if (target?.type === 'identifier' && this.params.has(target.text) && /finish/.test(target.text)) {
            this.record(s, 'finish_write', target.text, [textOf(this.ctx, right ?? node), right ? this.finishOrigin(right, s) : 'unknown'], node);
          }
        }
        return;
      }
      case 'update_expression': {
        // `x->count++`: a counter the callback leaves raised until someone lowers it
        const arg = node.childForFieldName('argument');
        if (arg) {
          this.expr(arg, s);
          if (arg.type !== 'identifier' || this.sharedBase(arg.text)) this.effect(s, node.text.includes('++') ? 1 : -1, textOf(this.ctx, arg), node, node.text.includes('++') ? '++' : '--');
        }
        return;
      }
      case 'comment':
        return;
      default:
        // leaves (identifiers, literals) hold no call: skip without building child objects
        if (node.namedChildCount === 0) return;
        for (const c of node.namedChildren) this.expr(c, s);
    }
  }

  private call(node: Node, s: State): void {
    const fnNode = node.childForFieldName('function');
    const argsNode = node.childForFieldName('arguments');
    const argList = argsNode?.namedChildren ?? [];
    for (const a of argList) this.expr(a, s);
    // `f(&x)` may write x: what the walk knew of it is gone
    for (const a of argList) {
      const target = a.type === 'pointer_expression' && a.children[0]?.text === '&' ? a.childForFieldName('argument') : null;
      if (target?.type === 'identifier' && target.text in s.vars) s.vars = Object.fromEntries(Object.entries(s.vars).filter(([k]) => k !== target.text));
    }
    if (!fnNode) return;
    if (fnNode.type === 'call_expression') {
      // guard(mutex)(&lock): held until the end of the scope
      const inner = fnNode.childForFieldName('function')?.text;
      if (inner === 'guard') {
        const kind = argTexts(this.ctx, fnNode.childForFieldName('arguments')!)[0] ?? '';
        const lock = normalizeLock(argTexts(this.ctx, argsNode!)[0] ?? '');
        this.record(s, 'lock', `guard(${kind})`, [lock], node, { lock, sleeps: kind === 'mutex' || kind.startsWith('rwsem') });
        if (!s.locks.includes(lock)) {
          s.locks = [...s.locks, lock].sort();
          s.scoped = [...s.scoped, lock].sort();
        }
        return;
      }
      this.expr(fnNode, s);
      return;
    }
    if (fnNode.type !== 'identifier') {
      this.expr(fnNode, s);
      const field = fnNode.type === 'field_expression' ? fnNode.childForFieldName('field')?.text : null;
      this.record(s, 'call', field ? `->${field}` : textOf(this.ctx, fnNode), argTexts(this.ctx, argsNode), node);
      return;
    }
    const name = fnNode.text;
    const args = argTexts(this.ctx, argsNode);
    if (name.startsWith('lockdep_assert_held')) {
      // held by contract from here on: the caller took it
      const lock = normalizeLock(args[0] ?? '');
      if (lock && !s.locks.includes(lock)) {
        s.locks = [...s.locks, lock].sort();
        s.scoped = [...s.scoped, lock].sort();
      }
      return;
    }
    let kind: EventKind = 'call';
    const extra: Draft<Partial<Pick<Event, 'lock' | 'sleeps' | 'gfp' | 'discarded' | 'argAtoms' | 'argFields'>>> = {};
    if (name === SET_SEQ) kind = 'set_seq';
    else if (name === READ_BEGIN) kind = 'read_begin';
    else if (name === READ_RETRY) kind = 'read_retry';
    else if (name === CHECK_RETRY) kind = 'check_retry';
    else if (LOCK_CALLS[name]) {
      kind = 'lock';
      extra.lock = IMPLICIT_LOCKS[name] ?? normalizeLock(args[0] ?? '');
      extra.sleeps = LOCK_CALLS[name]!.sleeps;
    } else if (UNLOCK_CALLS.has(name)) {
      kind = 'unlock';
      extra.lock = IMPLICIT_LOCKS[name] ?? normalizeLock(args[0] ?? '');
    } else if (name in ALLOC_GFP_ARG) {
      const idx = ALLOC_GFP_ARG[name]!;
      const maskNode = argList[idx];
      if (maskNode) {
        kind = 'alloc';
        extra.gfp = this.gfpOf(maskNode, s);
      }
    } else if (isSleepingCall(name)) {
      kind = 'sleep';
      extra.sleeps = true;
    } else if (!TRYLOCK_CALLS.has(name) && name !== RANGE_BLOCKABLE) {
      this.callees.add(name);
    }
    if (node.parent?.type === 'expression_statement') extra.discarded = true;
    if (kind === 'call') {
      const argNodes = argList.filter((a) => a.type !== 'comment');
      const atoms = argNodes.map((a) => this.atomOf(a, s));
      if (atoms.some(Boolean)) extra.argAtoms = atoms;
      // `helper(&update)`: the flags kept in fields of what is passed
      if (Object.keys(s.vars).some((k) => k.includes('.') || k.includes('->'))) {
        const fields = argNodes.map((a) => this.fieldAtomsOf(a, s));
        if (fields.some(Boolean)) extra.argFields = fields;
      }
    }
    this.record(s, kind, name, args, node, extra);
    // the read section's own facts, beside what the call is otherwise
    if (HMM_FAULT_CALLS.has(name)) this.record(s, 'fault', name, args, node);
    else if (PAGE_USE_CALLS.has(name) && argList.some((a) => this.fromPfns(a))) this.record(s, 'page_use', name, args, node);
    if (kind === 'lock' && FAILABLE_ACQUIRES.has(name) && extra.lock) this.acquires.set(resultAtom(name, position(this.ctx, node.startIndex)), extra.lock);
    if (kind === 'lock' && extra.lock !== undefined && !s.locks.includes(extra.lock)) s.locks = [...s.locks, extra.lock].sort();
    if (kind === 'unlock') {
      s.locks = s.locks.filter((l) => l !== extra.lock);
      if (s.scoped.includes(extra.lock!)) s.scoped = s.scoped.filter((l) => l !== extra.lock);
    }
    const effect = EFFECT_CALLS[name];
    if (effect && args[effect.arg] !== undefined) this.effect(s, effect.delta, args[effect.arg]!, node, name);
    // WRITE_ONCE(x->f, v): a field written, like `x->f = v`
    if (name === 'WRITE_ONCE' && args[0] !== undefined) this.effect(s, 0, args[0], node, 'WRITE_ONCE', args[1] ?? '');
  }

  /**
   * Where a finish object handed out comes from: `&job->finish` of an object
   * just allocated, or of the notifier's own state (`container_of(mni, ...)`),
   * or something mnlint does not follow (a pool, a helper).
   */
  private finishOrigin(value: Node, s: State): 'allocated' | 'embedded' | 'global' | 'unknown' {
    let base: Node | null = unwrapParens(value);
    if (base.type === 'pointer_expression' && base.children[0]?.text === '&') base = base.childForFieldName('argument');
    while (base && base.type === 'field_expression') base = base.childForFieldName('argument');
    if (base?.type !== 'identifier') return 'unknown';
    // one object for every caller: a global or a function-static (`static struct f fin;`)
    if (value.text.trim().startsWith('&') && this.sharedBase(base.text)) return 'global';
    const v = s.vars[base.text];
    if (v?.k === 'alloc') return 'allocated';
    const held = heldValue(v);
    if (held?.k === 'call' && held.callee === 'container_of' && this.params.has((held.args[0] ?? '').replace(/^&/, ''))) return 'embedded';
    return 'unknown';
  }

  /** A GFP mask chosen by the blockable flag is judged by the branch in force. */
  private gfpOf(mask: Node, s: State): { mask: string; class: ReturnType<typeof classifyGfp> } {
    let m = mask;
    while (m.type === 'parenthesized_expression' && m.namedChildren[0]) m = m.namedChildren[0];
    if (m.type === 'conditional_expression') {
      const atom = this.atomOf(m.childForFieldName('condition')!, s);
      if (atom && atom.atom === 'blockable') {
        const blockable = s.when.blockable;
        const chosen = (blockable === undefined ? false : blockable) !== atom.negated ? m.childForFieldName('consequence') : m.childForFieldName('alternative');
        if (chosen) return { mask: textOf(this.ctx, mask), class: classifyGfp(textOf(this.ctx, chosen)) };
      }
    }
    if (m.type === 'identifier' && s.vars[m.text]?.k === 'value') {
      const v = s.vars[m.text] as { k: 'value'; value: AbstractValue };
      if (v.value.k === 'unknown') return { mask: textOf(this.ctx, mask), class: classifyGfp(v.value.text) };
    }
    return { mask: textOf(this.ctx, mask), class: classifyGfp(textOf(this.ctx, mask)) };
  }

  /** Tracks what a local variable now holds (state objects are per path, so this mutates). */
  private assignVar(s: State, name: string, value: Node): void {
    const vars = { ...s.vars };
    const atom = this.atomOf(value, s);
    if (isAllocCall(value)) vars[name] = { k: 'alloc' };
    else if (atom) {
      const v = atom.atom.startsWith('ret:') ? this.valueOf(value, s) : undefined;
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
  private condition(node: Node, states: State[]): { t: State[]; f: State[] } {
    const t: State[] = [];
    const f: State[] = [];
    for (const s of states) {
      const r = this.cond(node, s);
      t.push(...r.t);
      f.push(...r.f);
    }
    return { t: this.merge(t), f: this.merge(f) };
  }

  private cond(node: Node, s: State): { t: State[]; f: State[] } {
    const n = unwrapParens(node);
    // `if (WARN_ON(x))` tests x: the warning is recorded, the branch splits on x
    if (n.type === 'call_expression' && WARNING_CALLS.has(n.childForFieldName('function')?.text ?? '')) {
      const args = (n.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a.type !== 'comment');
      if (args.length === 1) {
        const c = cloneState(s);
        this.record(c, 'call', n.childForFieldName('function')!.text, argTexts(this.ctx, n.childForFieldName('arguments')), n);
        return this.cond(args[0]!, c);
      }
    }
    if (n.type === 'unary_expression' && n.children[0]?.text === '!') {
      const r = this.cond(n.childForFieldName('argument')!, s);
      return { t: r.f, f: r.t };
    }
    if (n.type === 'binary_expression') {
      const op = n.childForFieldName('operator')?.text ?? n.children[1]?.text;
      const left = n.childForFieldName('left')!;
      const right = n.childForFieldName('right')!;
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
        if (atom?.atom.startsWith('ret:') && !atom.negated && s.when[atom.atom] !== false) {
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
    const trylock = trylockOf(n);
    this.expr(n, c);
    const atom = this.atomOf(n, c);
    if (!atom) {
      // a flag whose value the path knows (`locked = true; ... if (locked)`): one branch
      const known = n.type === 'identifier' ? this.valueOf(n, c) : null;
      const k = known && (known.k === 'int' ? known.v !== 0 : known.k === 'bool' ? known.v : known.k === 'null' ? false : null);
      if (k === true) return { t: [c], f: [] };
      if (k === false) return { t: [], f: [c] };
      return { t: [c], f: [cloneState(c)] };
    }
    const known = c.when[atom.atom];
    const branch = (value: boolean): State[] => {
      // value is the truth of the condition; the atom's truth may be negated
      const atomValue = value !== atom.negated;
      if (known !== undefined && known !== atomValue) return [];
      const x = cloneState(c);
      x.when[atom.atom] = atomValue;
      // `if (mutex_lock_interruptible(&l)) return -EINTR;`: a failed acquire holds nothing
      const failed = atomValue ? failingAcquire(atom.atom) : null;
      if (failed) {
        const lock = [...this.acquires.entries()].find(([a]) => a === atom.atom)?.[1];
        if (lock) x.locks = x.locks.filter((l) => l !== lock);
      }
      if (trylock && atomValue !== trylock.inverted) {
        if (!x.locks.includes(trylock.lock)) x.locks = [...x.locks, trylock.lock].sort();
      }
      return [x];
    };
    return { t: branch(true), f: branch(false) };
  }

  /** The tracked atom a condition leaf tests, if any. */
  private atomOf(node: Node, s: State): { atom: string; negated: boolean } | null {
    const n = unwrapParens(node);
    if (n.type === 'unary_expression' && n.children[0]?.text === '!') {
      const inner = this.atomOf(n.childForFieldName('argument')!, s);
      return inner ? { atom: inner.atom, negated: !inner.negated } : null;
    }
    if (n.type === 'binary_expression') {
      // `range->event == MMU_NOTIFY_MIGRATE`: the event filters of a callback
      const op = n.childForFieldName('operator')?.text ?? n.children[1]?.text;
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      if ((op === '==' || op === '!=') && left?.type === 'field_expression' && left.childForFieldName('field')?.text === 'event' && right?.type === 'identifier') {
        return { atom: `event:${right.text}`, negated: op === '!=' };
      }
      return null;
    }
    if (n.type === 'call_expression') {
      const fnNode = n.childForFieldName('function');
      const fn = fnNode?.text ?? '';
      if (fn === RANGE_BLOCKABLE) return { atom: 'blockable', negated: false };
      // the read section was invalidated: what follows `if (retry) goto again;` runs with it false
      if (fn === READ_RETRY || fn === CHECK_RETRY) return { atom: 'retry', negated: false };
      const tl = trylockOf(n);
      if (tl) return { atom: `trylock:${tl.lock}`, negated: false };
      // what a helper returned: the summary replaces it by the helper's own conditions
      // (kernel helpers and macros are never looked up: their results are not tracked)
      if (fnNode?.type === 'identifier' && (!isKernelHelper(fn) || this.ctx.defined.has(fn) || FAILABLE_ACQUIRES.has(fn))) return { atom: resultAtom(fn, position(this.ctx, n.startIndex)), negated: false };
      return null;
    }
    if (n.type === 'field_expression') {
      const key = fieldKey(n);
      if (!key) return null;
      // Linux 5.0/5.1: `range->blockable` is what mmu_notifier_range_blockable(range) became
      const base = n.childForFieldName('argument');
      if (n.childForFieldName('field')?.text === 'blockable' && base?.type === 'identifier' && this.ranges.has(base.text)) return { atom: 'blockable', negated: false };
      const v = s.vars[key];
      if (v?.k === 'atom') return { atom: v.atom, negated: v.negated };
      // a flag in a field of a parameter: matched to what the caller stored there
      if (!v && this.params.has(key.split(/\.|->/)[0]!)) return { atom: `param:${key}`, negated: false };
      return null;
    }
    if (n.type === 'identifier') {
      const v = s.vars[n.text];
      if (v?.k === 'atom') return { atom: v.atom, negated: v.negated };
      if (v?.k === 'alloc') return { atom: `alloc:${n.text}`, negated: false };
      if (!v && this.params.has(n.text)) return { atom: `param:${n.text}`, negated: false };
    }
    return null;
  }

  /** The tracked flags kept in fields of an argument (`&update`, `update`). */
  private fieldAtomsOf(node: Node, s: State): Array<{ field: string; atom: string; negated: boolean }> | null {
    let n = unwrapParens(node);
    if (n.type === 'pointer_expression' && n.children[0]?.text === '&') n = n.childForFieldName('argument') ?? n;
    if (n.type !== 'identifier') return null;
    const out: Array<{ field: string; atom: string; negated: boolean }> = [];
    for (const [k, v] of Object.entries(s.vars)) {
      const m = /^([A-Za-z_]\w*)(?:\.|->)(.+)$/.exec(k);
      if (m && m[1] === n.text && v.k === 'atom') out.push({ field: m[2]!, atom: v.atom, negated: v.negated });
    }
    return out.length ? out : null;
  }

  /** A counter or reference raised (+1), lowered (-1), or a field written (0); `op` as written (`++`, `|=`, `kref_get`). */
  private effect(s: State, delta: number, target: string, node: Node, op: string, value = ''): void {
    const t = normalizeLock(target);
    const shared = this.sharedBase(t);
    this.record(s, 'update', t, [String(delta), op, value], node, shared ? { shared } : {});
    if (delta > 0) s.effects = [...s.effects, `+${t}`].sort();
    else if (delta < 0) {
      const at = s.effects.indexOf(`+${t}`);
      if (at >= 0) s.effects = [...s.effects.slice(0, at), ...s.effects.slice(at + 1)];
    }
  }

  /**
   * Whether an expression carries a page made from hmm pfns:
   * `hmm_pfn_to_page(range->hmm_pfns[i])`, the array itself, or a variable
   * assigned from one (kept per function: the walk does not track it by path).
   */
  private fromPfns(node: Node): boolean {
    const text = node.text;
    if (/\bhmm_pfns\b|\bhmm_pfn_to_page\b/.test(text)) return true;
    return [...text.matchAll(/[A-Za-z_]\w*/g)].some((m) => this.pfnVars.has(m[0]));
  }

  /**
   * Whether a written target lives outside this call: a function-static, or
   * a variable that is neither a parameter nor a local (a global, or a member
   * of one). `current` and upper-case macros are per task or per CPU.
   */
  private sharedBase(target: string): 'static' | 'global' | undefined {
    const base = /^[&*(\s]*([A-Za-z_]\w*)/.exec(target)?.[1];
    if (!base) return undefined;
    if (this.staticLocals.has(base)) return 'static';
    if (this.locals.has(base) || this.params.has(base) || base === 'current' || /^[A-Z0-9_]+$/.test(base)) return undefined;
    return 'global';
  }

  // -------------------------------------------------------------- values

  private valueOf(node: Node, s: State): AbstractValue {
    const n = unwrapParens(node);
    const text = textOf(this.ctx, n);
    switch (n.type) {
      case 'true':
        return { k: 'bool', v: true };
      case 'false':
        return { k: 'bool', v: false };
      case 'null':
        return { k: 'null' };
      case 'number_literal': {
        const v = Number(text.replace(/[uUlL]+$/, ''));
        return Number.isFinite(v) ? { k: 'int', v } : { k: 'unknown', text };
      }
      case 'identifier': {
        if (text === 'NULL') return { k: 'null' };
        const v = s.vars[text];
        if (v?.k === 'value') return v.value;
        if (v?.k === 'atom' && v.value && !v.negated) return v.value;
        return { k: 'unknown', text };
      }
      case 'unary_expression': {
        const op = n.children[0]?.text;
        const arg = n.childForFieldName('argument');
        if (op === '-' && arg?.type === 'identifier' && ERRNO_NAME.test(arg.text)) return { k: 'int', v: -errnoNumber(arg.text) };
        if (op === '-' && arg?.type === 'number_literal') return { k: 'int', v: -Number(arg.text) };
        if (op === '!' && arg) {
          const inner = this.valueOf(arg, s);
          if (inner.k === 'int') return { k: 'bool', v: inner.v === 0 };
          if (inner.k === 'bool') return { k: 'bool', v: !inner.v };
        }
        return { k: 'unknown', text };
      }
      case 'call_expression': {
        const fn = n.childForFieldName('function');
        if (fn?.type === 'identifier') return { k: 'call', callee: fn.text, args: argTexts(this.ctx, n.childForFieldName('arguments')) };
        return { k: 'unknown', text };
      }
      case 'cast_expression':
        return this.valueOf(n.childForFieldName('value')!, s);
      default:
        return { k: 'unknown', text };
    }
  }

  // ------------------------------------------------------------- records

  private record(s: State, kind: EventKind, name: string, args: string[], node: Node, extra: Partial<Draft<Event>> = {}): void {
    const when: Assumptions = { ...s.when };
    const key = `${node.startIndex}:${kind}:${whenKey(when)}:${s.locks.join(',')}`;
    let id = this.eventIds.get(key);
    if (id === undefined) {
      id = this.events.length;
      const event: Draft<Event> = { kind, name, args: [...args], loc: locOf(this.ctx, node), when, locks: [...s.locks], ...extra };
      if (s.macro) event.macro = s.macro;
      this.events.push(event);
      this.eventIds.set(key, id);
    }
    s.path = { id, prev: s.path };
  }

  private addReturn(s: State, expr: Node | null, at: Node): void {
    const value: AbstractValue = expr ? this.valueOf(expr, s) : { k: 'unknown', text: '' };
    const text = expr ? textOf(this.ctx, expr) : '';
    const key = `${at.startIndex}:${whenKey(s.when)}:${valueKey(value)}:${s.locks.join(',')}:${s.effects.join(',')}`;
    const seen = this.returnIds.get(key);
    if (seen !== undefined) {
      const r = this.returns[seen]!;
      r.path = [...new Set([...r.path, ...pathIds(s.path)])].sort((a, b) => a - b);
      return;
    }
    if (this.returns.length >= RETURN_BUDGET) {
      this.truncated = true;
      return;
    }
    const loc = expr ? locOf(this.ctx, at) : endLoc(this.ctx, at);
    this.returnIds.set(key, this.returns.length);
    this.returns.push({
      value,
      text,
      loc,
      when: { ...s.when },
      path: pathIds(s.path),
      held: s.locks.filter((l) => !s.scoped.includes(l)),
      effects: [...s.effects],
    });
  }
}

function isAllocCall(node: Node): boolean {
  const n = unwrapParens(node);
  if (n.type === 'cast_expression') return isAllocCall(n.childForFieldName('value')!);
  return n.type === 'call_expression' && (n.childForFieldName('function')?.text ?? '') in ALLOC_GFP_ARG;
}

function trylockOf(node: Node): { lock: string; inverted: boolean } | null {
  const n = unwrapParens(node);
  if (n.type !== 'call_expression') return null;
  const fn = n.childForFieldName('function')?.text ?? '';
  if (!TRYLOCK_CALLS.has(fn)) return null;
  const arg = n.childForFieldName('arguments')?.namedChildren[0];
  return { lock: normalizeLock(arg?.text ?? ''), inverted: INVERTED_TRYLOCKS.has(fn) };
}

/** The atom for "this call returned non-zero" (see ir/types.ts `Atom`). */
function resultAtom(callee: string, at: { line: number; column: number }): string {
  return `ret:${callee}@${at.line}:${at.column}`;
}

function failingAcquire(atom: string): boolean {
  const m = /^ret:([^@]+)@/.exec(atom);
  return !!m && FAILABLE_ACQUIRES.has(m[1]!);
}

/** `a->b.c` as the key of a tracked field, or null for a computed base (`f()->x`, `a[i].x`). */
function fieldKey(node: Node): string | null {
  const text = node.text.replace(/\s+/g, '');
  return /^[A-Za-z_]\w*((\.|->)[A-Za-z_]\w*)+$/.test(text) ? text : null;
}

/** The value a variable holds, if the walk knows it. */
function heldValue(v: VarFact | undefined): AbstractValue | undefined {
  if (v?.k === 'value') return v.value;
  if (v?.k === 'atom' && !v.negated) return v.value;
  return undefined;
}

/** Leaves the scopes from frame `at` on: restores the names they shadowed. */
function leaveFrames(s: State, at: number): State {
  if (at < 0) return s;
  const vars = { ...s.vars };
  for (const f of s.frames.slice(at).reverse()) {
    for (const [k, v] of Object.entries(f.saved)) {
      for (const key of Object.keys(vars)) if (key === k || key.startsWith(`${k}.`) || key.startsWith(`${k}->`)) delete vars[key];
      if (v) vars[k] = v;
    }
  }
  return { ...s, vars, frames: s.frames.slice(0, at) };
}

/** `-EAGAIN`, `-11`, `1`: a constant that is not zero. */
function isNonZeroConstant(node: Node): boolean {
  const n = unwrapParens(node);
  if (n.type === 'number_literal') return Number(n.text.replace(/[uUlL]+$/, '')) !== 0;
  if (n.type === 'unary_expression' && n.children[0]?.text === '-') {
    const arg = n.childForFieldName('argument');
    return !!arg && ((arg.type === 'identifier' && ERRNO_NAME.test(arg.text)) || isNonZeroConstant(arg));
  }
  return false;
}

/** `WARN_ON(x)` and friends return x. */
const WARNING_CALLS = new Set(['WARN_ON', 'WARN_ON_ONCE']);
