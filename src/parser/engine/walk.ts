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
import type { Node } from 'web-tree-sitter';
import type { FunctionIR } from '../../ir/types.js';
import { argTexts, declaratorName, declaratorNameNode, errorLines, functionDeclarator, hasKeyword, locOf, position, textOf, type FileCtx } from '../syntax.js';
import { ExpressionEngine } from './expressions.js';
import { cloneState, type Flow, forgetRound, LOOP_ROUNDS, leaveFrames, PROBE_COMMENT, type State, stateKey, type VarFact, varText, type WalkProbe } from './state.js';

export type { StateSnapshot, WalkProbe } from './state.js';

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
  const engine = new PathEngine(
    ctx,
    params.map((p) => p.name),
    params.filter((p) => /\bmmu_notifier_range\b/.test(p.type)).map((p) => p.name),
    probes && { name, out: probes },
  );
  engine.run(body);
  const parseErrors: number[] = [];
  errorLines(ctx, body, parseErrors);
  return {
    name,
    file: ctx.file,
    loc: locOf(ctx, declaratorNameNode(declarator) ?? def),
    isStatic: hasKeyword(def, 'storage_class_specifier', 'static'),
    returnType,
    params,
    events: engine.events,
    returns: engine.returns,
    callees: [...engine.callees].sort(),
    truncated: engine.truncated,
    parseErrors,
    ...engine.facts(),
  };
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
    ctx: FileCtx,
    params: string[],
    ranges: string[] = [],
    /** engine tests only: where to record the states at `// walk:` comments */
    private readonly probes?: { name: string; out: WalkProbe[] },
  ) {
    super(ctx, params, ranges);
  }

  run(body: Node): void {
    const start: State = { when: {}, locks: [], scoped: [], effects: [], frames: [], vars: {}, path: null };
    const flow = this.statement(body, [start]);
    // falling off the end of the body
    for (const s of flow.normal) this.addReturn(s, null, body);
  }

  // ----------------------------------------------------------- statements

  private statements(nodes: Node[], states: State[]): Flow {
    const flow: Flow = { normal: states, breaks: [], continues: [] };
    let probing: Node[] = [];
    /** labels of this list: a backward goto to one is walked again from there */
    const heads: Array<{ label: string; at: number }> = [];
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      if (this.probes && node.type === 'comment') {
        if (PROBE_COMMENT.test(this.ctx.source.slice(node.startIndex, node.endIndex))) probing.push(node);
        continue;
      }
      if (node.type === 'labeled_statement') {
        const label = node.childForFieldName('label')?.text ?? '';
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
        while (at > 0 && nodes[at - 1]!.type === 'comment') at--;
        heads.push({ label, at });
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
  private loopAgain(nodes: Node[], head: { label: string; at: number }, flow: Flow): void {
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
        // forward: joined where the label stands; backward: a loop, walked again from the label
        const edges = this.seenLabels.has(label) ? this.backEdges : this.pendingGotos;
        const list = edges.get(label) ?? [];
        list.push(...states);
        edges.set(label, list);
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
      const kind = args[0] ?? '';
      let lock = '';
      const entered = this.exprAll(condNode, states.map(cloneState)).map((s) => {
        const c = cloneState(s);
        lock = this.locks.enterScopedGuard(c, macro, kind, args, condNode);
        c.macro = macro;
        return c;
      });
      const body = this.statement(bodyNode, entered);
      const release = (s: State): State => this.locks.leaveScopedGuard(s, lock);
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
      if (name) for (const c of this.checkers) c.onStore?.(name, value);
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
}
