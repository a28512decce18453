// The path engine of one function body.
//
// The walk is a property simulation (ESP style): it follows every branch, but
// only the facts the checkers need are kept in the state (assumptions on
// tracked atoms, locks held, effects raised, a few local variables), and
// states that agree on them are merged at join points. So the count of states
// stays small on real callbacks; a budget cuts it off and marks the function
// `truncated` when it does not. This file holds the statements (blocks,
// branches, loops, switch, goto); expressions.ts the expressions and the
// checkers' dispatch.
import type { LBlock, LDecl, LoweredFunction, LStmt } from '../../ir/lowered.js';
import type { Draft, Event, FailureStore, ReturnSite, CheckerFacts } from '../../ir/types.js';
import { varBase } from '../syntax.js';
import { ExpressionEngine } from './expressions.js';
import { cloneState, type Flow, forgetRound, LOOP_ROUNDS, leaveFrames, PROBE_COMMENT, type State, stateKey, typestateText, type VarFact, varText, type WalkProbe } from './state.js';

export type { StateSnapshot, WalkProbe } from './state.js';

/** What the walk of one function found. */
export interface WalkResult {
  events: Draft<Event>[];
  returns: Draft<ReturnSite>[];
  callees: string[];
  truncated: boolean;
  facts: CheckerFacts;
  /** the failure codes assigned to locals (ReturnSite.stores points here) */
  stores: FailureStore[];
}

/**
 * Walks one lowered function. `defined` names the functions the file
 * defines (a helper defined there is followed, whatever its name); `probes`,
 * for the engine tests only, is filled with the states at `// walk:` comments.
 */
export function walkFunction(fn: LoweredFunction, defined: ReadonlySet<string>, probes?: WalkProbe[]): WalkResult {
  const engine = new PathEngine(defined, fn.params, fn.ranges, fn.blockableArgs ?? [], probes && { name: fn.name, out: probes });
  engine.run(fn);
  return { events: engine.events, returns: engine.returns, callees: [...engine.callees].sort(), truncated: engine.truncated, facts: engine.facts(), stores: engine.storeFacts() };
}

class PathEngine extends ExpressionEngine {
  private readonly pendingGotos = new Map<string, State[]>();
  private readonly seenLabels = new Set<string>();
  /** states of backward gotos, walked again when the label's list ends */
  private readonly backEdges = new Map<string, State[]>();
  /** the state keys that entered each label, and the rounds walked again from it */
  private readonly headSeen = new Map<string, Set<string>>();
  private readonly rounds = new Map<string, number>();
  /** blocks with declarations being walked, outermost first */
  private readonly openBlocks: number[] = [];

  constructor(
    defined: ReadonlySet<string>,
    params: readonly string[],
    ranges: readonly string[] = [],
    blockableArgs: readonly string[] = [],
    /** engine tests only: where to record the states at `// walk:` comments */
    private readonly probes?: { name: string; out: WalkProbe[] },
  ) {
    super(defined, params, ranges, blockableArgs);
  }

  run(fn: LoweredFunction): void {
    const start: State = { when: {}, locks: [], scoped: [], effects: [], frames: [], vars: {}, path: null };
    const flow = this.statement(fn.body, [start]);
    // falling off the end of the body
    for (const s of flow.normal) this.addReturn(s, null, { start: fn.body.start, loc: fn.bodyLoc, end: fn.bodyEnd });
  }

  // ----------------------------------------------------------- statements

  private statements(nodes: readonly LStmt[], states: State[]): Flow {
    const flow: Flow = { normal: states, breaks: [], continues: [] };
    let probing: Array<Extract<LStmt, { kind: 'comment' }>> = [];
    /** labels of this list: a backward goto to one is walked again from there */
    const heads: Array<{ label: string; at: number }> = [];
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      if (this.probes && node.kind === 'comment') {
        if (PROBE_COMMENT.test(node.text)) probing.push(node);
        continue;
      }
      if (node.kind === 'label') {
        const label = node.label;
        this.seenLabels.add(label);
        // a goto out of a block leaves its scopes: the outer names are back
        const arriving = (this.pendingGotos.get(label) ?? []).map((g) => this.leaveOpenBlocks(g));
        this.pendingGotos.delete(label);
        flow.normal = this.merge([...flow.normal, ...arriving]);
        const seen = this.headSeen.get(label) ?? new Set<string>();
        for (const x of flow.normal) seen.add(stateKey(x));
        this.headSeen.set(label, seen);
        // the comments just above the label belong to it: a new round passes them too
        let at = i;
        while (at > 0 && nodes[at - 1]!.kind === 'comment') at--;
        heads.push({ label, at });
      }
      if (probing.length) {
        for (const c of probing) this.recordProbe(c, flow.normal);
        probing = [];
      }
      if (flow.normal.length === 0 && node.kind !== 'label') continue;
      const f = this.statement(node, flow.normal);
      flow.normal = f.normal;
      flow.breaks.push(...f.breaks);
      flow.continues.push(...f.continues);
    }
    for (const c of probing) this.recordProbe(c, flow.normal);
    for (const h of heads) this.loopAgain(nodes, h, flow);
    return flow;
  }

  /**
   * A backward goto to a label of this list: the states it brings are walked
   * from the label again, until they bring nothing the label has not seen (a
   * fixpoint; LOOP_ROUNDS at most, past which the walk is `truncated`). What a
   * round learnt from the calls it made (their results, trylocks,
   * allocations, the read section's retry) is forgotten at the back edge: the
   * next round calls them again.
   */
  private loopAgain(nodes: readonly LStmt[], head: { label: string; at: number }, flow: Flow): void {
    const back = this.backEdges.get(head.label);
    if (!back?.length) return;
    this.backEdges.delete(head.label);
    const seen = this.headSeen.get(head.label)!;
    const rounds = (this.rounds.get(head.label) ?? 0) + 1;
    const fresh = this.merge(back.map((g) => forgetRound(this.leaveOpenBlocks(g)))).filter((x) => !seen.has(stateKey(x)));
    if (fresh.length === 0) return;
    if (rounds > LOOP_ROUNDS) {
      this.truncated = true;
      return;
    }
    this.rounds.set(head.label, rounds);
    // the new round starts at the label, whose own handling records what it sees and loops again
    const f = this.statements(nodes.slice(head.at), fresh);
    flow.normal = this.merge([...flow.normal, ...f.normal]);
    flow.breaks.push(...f.breaks);
    flow.continues.push(...f.continues);
  }

  /** A state arriving at a label from inside blocks that are not open there: their names are gone. */
  private leaveOpenBlocks(g: State): State {
    return leaveFrames(
      g,
      g.frames.findIndex((f) => !this.openBlocks.includes(f.block)),
    );
  }

  private recordProbe(comment: Extract<LStmt, { kind: 'comment' }>, states: State[]): void {
    if (!this.probes) return;
    const annotation = PROBE_COMMENT.exec(comment.text)?.[1] ?? '';
    this.probes.out.push({
      function: this.probes.name,
      line: comment.line,
      annotation,
      truncated: this.truncated,
      states: states.map((s) => ({
        when: { ...s.when },
        locks: [...s.locks],
        scoped: [...s.scoped],
        ...(s.maps ? { maps: [...s.maps] } : {}),
        effects: [...s.effects],
        vars: Object.fromEntries(Object.entries(s.vars).map(([k, v]) => [k, varText(v)])),
        typestate: typestateText(s),
      })),
    });
  }

  /**
   * A block: the variables it declares (by identity, LIdent.local) live until
   * it ends: what was known of them is dropped on entry (a loop's next round
   * declares them anew) and on every way out of it.
   */
  private block(node: LBlock, states: State[]): Flow {
    const declared = node.declares;
    if (declared.length === 0) return this.statements(node.body, states);
    const id = node.start;
    for (const s of states) {
      const saved: Record<string, VarFact | null> = {};
      let shadows = false;
      for (const name of declared) {
        saved[name] = s.vars[name] ?? null;
        if (saved[name]) shadows = true;
      }
      for (const k of Object.keys(s.vars)) {
        const base = varBase(k);
        if (base !== k && declared.includes(base)) {
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
    const flow = this.statements(node.body, states);
    this.openBlocks.pop();
    const leave = (s: State): State =>
      leaveFrames(
        s,
        s.frames.findIndex((f) => f.block === id),
      );
    return { normal: this.merge(flow.normal.map(leave)), breaks: flow.breaks.map(leave), continues: flow.continues.map(leave) };
  }

  private statement(node: LStmt, states: State[]): Flow {
    const none: Flow = { normal: [], breaks: [], continues: [] };
    if (states.length === 0 && node.kind !== 'label') return none;
    switch (node.kind) {
      case 'block':
        return this.block(node, states);
      case 'label':
        return this.statements(node.body, states);
      case 'expr':
        return { normal: this.merge(node.expr ? this.exprAll(node.expr, states) : states), breaks: [], continues: [] };
      case 'decl':
        return { normal: this.merge(this.declaration(node, states)), breaks: [], continues: [] };
      case 'return': {
        const expr = node.expr;
        const after = expr ? this.exprAll(expr, states) : states;
        for (const s of after) this.addReturn(s, expr, node);
        return none;
      }
      case 'if': {
        const { t, f } = this.condition(node.cond, states);
        const thenFlow = this.statement(node.consequence, t);
        const elseFlow = node.alternative ? this.statement(node.alternative, f) : { normal: f, breaks: [], continues: [] };
        return {
          normal: this.merge([...thenFlow.normal, ...elseFlow.normal]),
          breaks: [...thenFlow.breaks, ...elseFlow.breaks],
          continues: [...thenFlow.continues, ...elseFlow.continues],
        };
      }
      case 'while':
        return this.whileLoop(node, states);
      case 'for': {
        let entry = states;
        const init = node.init;
        if (init) entry = init.kind === 'decl' ? this.declaration(init, entry) : this.exprAll(init, entry);
        const cond = node.cond;
        const { t, f } = cond ? this.condition(cond, entry) : { t: entry, f: [] as State[] };
        const body = this.loopBody(node.start, node.body, t);
        const update = node.update;
        const looped = update ? this.exprAll(update, [...body.normal, ...body.continues]) : [...body.normal, ...body.continues];
        this.roundEnds(node.start, looped);
        // zero or one iteration; an endless `for (;;)` leaves only by break
        const exits = cond ? [...f, ...looped] : [];
        // the loop's own variables end with it
        const out = [...exits, ...body.breaks];
        for (const key of node.declares ?? []) for (const s of out) this.dropVar(s, key);
        return { normal: this.merge(out), breaks: [], continues: [] };
      }
      case 'do': {
        const body = this.loopBody(node.start, node.body, states);
        this.roundEnds(node.start, [...body.normal, ...body.continues]);
        const cond = node.cond;
        const after = cond ? this.exprAll(cond, [...body.normal, ...body.continues]) : body.normal;
        return { normal: this.merge([...after, ...body.breaks]), breaks: [], continues: [] };
      }
      case 'switch':
        return this.switchStatement(node, states);
      case 'break':
        return { normal: [], breaks: states, continues: [] };
      case 'continue':
        return { normal: [], breaks: [], continues: states };
      case 'goto': {
        const label = node.label;
        // forward: joined where the label stands; backward: a loop, walked again from the label
        const edges = this.seenLabels.has(label) ? this.backEdges : this.pendingGotos;
        const list = edges.get(label) ?? [];
        list.push(...states);
        edges.set(label, list);
        return none;
      }
      case 'other':
        // a statement the walk does not follow may read the locals it names
        if (node.reads) for (const s of states) for (const key of node.reads) this.readVar(s, key);
        return { normal: states, breaks: [], continues: [] };
      default:
        return { normal: states, breaks: [], continues: [] };
    }
  }

  private whileLoop(node: Extract<LStmt, { kind: 'while' }>, states: State[]): Flow {
    const macro = node.macro;
    const condNode = node.cond;
    const bodyNode = node.body;
    if (macro && /(^|_)guard$/.test(macro)) {
      // scoped_guard(kind, &lock) { body }: the body runs once with the lock held
      const args = node.condArgs;
      const kind = args[0] ?? '';
      let lock = '';
      const entered = this.exprAll(condNode, states.map(cloneState)).map((s) => {
        const c = cloneState(s);
        lock = this.locks.enterScopedGuard(c, macro, kind, args, { start: condNode.start, loc: node.condLoc });
        c.macro = macro;
        return c;
      });
      const body = this.statement(bodyNode, entered);
      const release = (s: State): State => this.locks.leaveScopedGuard(s, lock);
      return { normal: this.merge([...body.normal, ...body.breaks].map(release)), breaks: [], continues: body.continues.map(release) };
    }
    const entry = macro ? { t: this.exprAll(condNode, states.map(cloneState)).map((s) => ({ ...s, macro })), f: this.exprAll(condNode, states.map(cloneState)) } : this.condition(condNode, states);
    // a loop macro over a list the function built (`list_for_each_entry(x, &local, ...)`): entered or not is decided by it
    if (macro) for (let i = 0; i < entry.t.length && i < entry.f.length; i++) this.untrackedBranches(condNode, entry.t[i]!, entry.f[i]!);
    const body = this.loopBody(node.start, bodyNode, entry.t);
    const back = (s: State): State => (macro ? { ...s, macro: undefined } : s);
    this.roundEnds(node.start, [...body.normal, ...body.continues].map(back));
    // `while (true)` / `while (1)` leaves only by break, as `for (;;)` does: the end
    // of the body and a continue go round again (their states were walked)
    const endless = !macro && /^\(\s*(true|1)\s*\)$/.test(condNode.text);
    const exits = endless ? [] : [...entry.f, ...body.normal.map(back), ...body.continues.map(back)];
    return { normal: this.merge([...exits, ...body.breaks.map(back)]), breaks: [], continues: [] };
  }

  /** A loop's body, walked with the loop on the stack the checkers see (Engine.loops). */
  private loopBody(loop: number, body: LStmt, states: State[]): Flow {
    this.loopStack.push(loop);
    try {
      return this.statement(body, states);
    } finally {
      this.loopStack.pop();
    }
  }

  /** The paths that end a round of a loop and go round again: the checkers look at them (they walk one round). */
  private roundEnds(loop: number, states: readonly State[]): void {
    for (const s of states) for (const c of this.checkers) c.onLoopBack?.(s, loop);
  }

  private switchStatement(node: Extract<LStmt, { kind: 'switch' }>, states: State[]): Flow {
    const cond = node.cond;
    const entry = cond ? this.exprAll(cond, states) : states;
    let fallthrough: State[] = [];
    const out: State[] = [];
    let hasDefault = false;
    for (const c of node.cases) {
      if (c.isDefault) hasDefault = true;
      const flow = this.statements(c.body, this.merge([...entry.map(cloneState), ...fallthrough]));
      out.push(...flow.breaks);
      fallthrough = flow.normal;
      // `continue` inside a switch belongs to the enclosing loop
      if (flow.continues.length) out.push(...flow.continues);
    }
    out.push(...fallthrough);
    if (!hasDefault) out.push(...entry);
    return { normal: this.merge(out), breaks: [], continues: [] };
  }

  private declaration(node: LDecl, states: State[]): State[] {
    let out = states;
    const isStatic = node.static;
    for (const d of node.declarators) {
      // every local is known by name: a write to anything else is a global (I7)
      if (d.local) (isStatic ? this.staticLocals : this.locals).add(d.local);
      // a new variable: what an earlier one of this declaration held is gone
      if (d.key !== undefined && !isStatic) {
        this.localKeys.add(d.key);
        if (d.shadows) this.shadowing.add(d.key);
        for (const s of out) this.dropVar(s, d.key);
      }
      if (!d.init) continue;
      const { name, value } = d.init;
      const key = d.init.key ?? name;
      if (!value) continue;
      out = this.exprAll(value, out);
      if (name) for (const s of out) for (const c of this.checkers) c.onStore?.(name, value, s, d.init.fields);
      if (key && d.init.fields) {
        // `struct upd u = { .blockable = mmu_notifier_range_blockable(range) }`
        for (const { field, value: v } of d.init.fields) {
          for (const s of out) {
            const atom = this.atomOf(v, s);
            if (atom) s.vars = { ...s.vars, [`${key}.${field}`]: { k: 'atom', atom: atom.atom, negated: atom.negated } };
          }
        }
      } else if (key) for (const s of out) this.assignVar(s, key, value);
    }
    return out;
  }
}
