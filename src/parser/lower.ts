// The lowering: one function definition's syntax tree into the plain data the
// path engine walks (src/ir/lowered.ts). The only reader of a body's
// tree-sitter nodes; each node's children are read once here, where the
// walk used to read them again for every path state.
import type { Node } from 'web-tree-sitter';
import type { LDecl, LDeclarator, LExpr, LoweredFunction, LStmt } from '../ir/lowered.js';
import { declaresLocal } from '../ir/kernel-api/helpers.js';
import { argTexts, declaratorName, endLoc, hasKeyword, locOf, position, type FileCtx } from './syntax.js';

/**
 * C's block scopes while one function is lowered: each declaration gets an
 * identity of its own (LIdent.local), the name for the first declaration of
 * that name in the function, `name#N` for the N-th; an identifier is resolved
 * to the innermost declaration in scope where it stands.
 */
class Scopes {
  private readonly stack: Array<Map<string, string>> = [new Map()];
  private readonly count = new Map<string, number>();

  /** Whether a declaration of `name` here hides one of an enclosing scope (not of this one: a redeclaration). */
  shadows(name: string): boolean {
    return !this.stack[this.stack.length - 1]!.has(name) && this.resolve(name) !== undefined;
  }

  declare(name: string): string {
    const n = (this.count.get(name) ?? 0) + 1;
    this.count.set(name, n);
    const key = n === 1 ? name : `${name}#${n}`;
    this.stack[this.stack.length - 1]!.set(name, key);
    return key;
  }

  resolve(name: string): string | undefined {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const key = this.stack[i]!.get(name);
      if (key !== undefined) return key;
    }
    return undefined;
  }

  /** Runs `f` in a scope of its own; returns what it made and the identities declared in that scope. */
  within<T>(f: () => T): { value: T; declared: string[] } {
    this.stack.push(new Map());
    try {
      const value = f();
      return { value, declared: [...this.stack[this.stack.length - 1]!.values()] };
    } finally {
      this.stack.pop();
    }
  }
}

/** What the lowering of one function reads: the file's context and the function's scopes. */
interface Ctx extends FileCtx {
  readonly scopes: Scopes;
  /** lowering an `if`'s unbraced body: whether a comment stands above that `if` (its own siblings are not looked at) */
  ifBodyComment?: boolean;
}

export function lowerFunction(file: FileCtx, name: string, params: readonly string[], ranges: readonly string[], body: Node, blockableArgs: readonly string[] = []): LoweredFunction {
  const ctx: Ctx = { ...file, scopes: new Scopes() };
  for (const p of params) if (p) ctx.scopes.declare(p);
  return { name, params: [...params], ranges: [...ranges], blockableArgs: [...blockableArgs], body: lowerStmt(ctx, body), bodyLoc: locOf(ctx, body), bodyEnd: endLoc(ctx, body) };
}

/** The name a declarator declares (`x` of `*x`, `x[4]`, `(*x)(void)`, `x = 1`), if any. */
function declaredName(node: Node | null): string | null {
  let n = node;
  while (n) {
    if (n.type === 'identifier') return n.text;
    if (
      n.type === 'init_declarator' ||
      n.type === 'pointer_declarator' ||
      n.type === 'array_declarator' ||
      n.type === 'parenthesized_declarator' ||
      n.type === 'attributed_declarator' ||
      n.type === 'function_declarator'
    ) {
      n = n.childForFieldName('declarator') ?? n.namedChildren[0] ?? null;
    } else return null;
  }
  return null;
}

/** The locals an unlowered statement names (its identifiers resolved in scope), without recursion. */
function localsNamed(ctx: Ctx, node: Node): string[] {
  const out = new Set<string>();
  const stack: Node[] = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'identifier') {
      const key = ctx.scopes.resolve(n.text);
      if (key !== undefined) out.add(key);
      continue;
    }
    for (let i = n.namedChildCount - 1; i >= 0; i--) stack.push(n.namedChild(i)!);
  }
  return [...out];
}

// ----------------------------------------------------------------- statements

/**
 * An `if` with its `else if`s, lowered by a loop rather than by recursion: a
 * chain of thousands of `else if`s must not cost a stack frame per link here
 * (the walk itself goes down the chain as deep as it always did).
 */
function lowerIfChain(ctx: Ctx, first: Node): LStmt {
  const links: Array<{ start: number; cond: LExpr; consequence: LStmt }> = [];
  let node: Node | null = first;
  let last: LStmt | null = null;
  while (node) {
    const body = node.childForFieldName('consequence')!;
    const cond = lowerExpr(ctx, node.childForFieldName('condition')!);
    // an unbraced body is documented by a comment above the chain's first `if` (never by siblings: in a long
    // `else if` chain, looking at a deep node's siblings costs its depth)
    ctx.ifBodyComment = body.type !== 'expression_statement' ? undefined : node === first && commentEndsAt(first.previousNamedSibling, first.startPosition.row - 1);
    const consequence = lowerStmt(ctx, body);
    ctx.ifBodyComment = undefined;
    links.push({ start: node.startIndex, cond, consequence });
    const alt: Node | null = node.childForFieldName('alternative');
    const elseBody: Node | null | undefined = alt?.type === 'else_clause' ? alt.namedChildren[0] : alt;
    if (elseBody?.type === 'if_statement') node = elseBody;
    else {
      ctx.ifBodyComment = elseBody?.type === 'expression_statement' ? false : undefined;
      last = elseBody ? lowerStmt(ctx, elseBody) : null;
      ctx.ifBodyComment = undefined;
      node = null;
    }
  }
  let out: LStmt | null = last;
  for (let i = links.length - 1; i >= 0; i--) out = { kind: 'if', ...links[i]!, alternative: out };
  return out!;
}

function lowerStmts(ctx: Ctx, nodes: readonly Node[]): LStmt[] {
  return nodes.map((n) => lowerStmt(ctx, n));
}

function lowerStmt(ctx: Ctx, node: Node): LStmt {
  const start = node.startIndex;
  switch (node.type) {
    case 'compound_statement': {
      const { value: body, declared } = ctx.scopes.within(() => lowerStmts(ctx, node.namedChildren));
      return { kind: 'block', start, declares: declared, body };
    }
    case 'labeled_statement':
      return {
        kind: 'label',
        start,
        label: node.childForFieldName('label')?.text ?? '',
        body: lowerStmts(
          ctx,
          node.namedChildren.filter((c) => c.type !== 'statement_identifier'),
        ),
      };
    case 'expression_statement': {
      const expr = node.namedChildren[0];
      // `LIST_HEAD(todo);` declares the local todo
      if (expr?.type === 'call_expression') {
        const fn = expr.childForFieldName('function');
        const first = expr.childForFieldName('arguments')?.namedChildren[0];
        if (fn?.type === 'identifier' && declaresLocal(fn.text) && first?.type === 'identifier') ctx.scopes.declare(first.text);
      }
      const commented = ctx.ifBodyComment ?? hasAdjacentComment(node);
      ctx.ifBodyComment = undefined;
      return { kind: 'expr', start, expr: expr ? lowerExpr(ctx, expr, true, commented) : null };
    }
    case 'declaration':
      return lowerDecl(ctx, node);
    case 'return_statement': {
      const expr = node.namedChildren[0];
      return { kind: 'return', start, expr: expr ? lowerExpr(ctx, expr) : null, loc: locOf(ctx, node), end: endLoc(ctx, node) };
    }
    case 'if_statement':
      return lowerIfChain(ctx, node);
    case 'while_statement': {
      const macro = ctx.loops.get(start);
      const cond = node.childForFieldName('condition')!;
      return {
        kind: 'while',
        start,
        ...(macro ? { macro } : {}),
        cond: lowerExpr(ctx, cond),
        condLoc: locOf(ctx, cond),
        condArgs: macro ? argTexts(ctx, cond) : [],
        body: lowerStmt(ctx, node.childForFieldName('body')!),
      };
    }
    case 'for_statement': {
      const init = node.childForFieldName('initializer');
      const cond = node.childForFieldName('condition');
      const update = node.childForFieldName('update');
      // `for (int i = 0; ...)`: i lives in the loop
      const { value, declared } = ctx.scopes.within(() => ({
        init: init ? (init.type === 'declaration' ? lowerDecl(ctx, init) : lowerExpr(ctx, init)) : null,
        cond: cond ? lowerExpr(ctx, cond) : null,
        update: update ? lowerExpr(ctx, update) : null,
        body: lowerStmt(ctx, node.childForFieldName('body')!),
      }));
      return { kind: 'for', start, ...value, ...(declared.length ? { declares: declared } : {}) };
    }
    case 'do_statement': {
      const cond = node.childForFieldName('condition');
      return { kind: 'do', start, body: lowerStmt(ctx, node.childForFieldName('body')!), cond: cond ? lowerExpr(ctx, cond) : null };
    }
    case 'switch_statement': {
      const cond = node.childForFieldName('condition');
      const body = node.childForFieldName('body');
      const condition = cond ? lowerExpr(ctx, cond) : null;
      // the cases share the body's scope
      const cases = ctx.scopes.within(() =>
        (body?.namedChildren.filter((c) => c.type === 'case_statement') ?? []).map((c) => {
          const value = c.childForFieldName('value');
          return {
            isDefault: c.children[0]?.text === 'default',
            body: lowerStmts(
              ctx,
              c.namedChildren.filter((n) => n.id !== value?.id),
            ),
          };
        }),
      ).value;
      return { kind: 'switch', start, cond: condition, cases };
    }
    case 'break_statement':
      return { kind: 'break', start };
    case 'continue_statement':
      return { kind: 'continue', start };
    case 'goto_statement':
      return { kind: 'goto', start, label: node.childForFieldName('label')?.text ?? '' };
    case 'comment':
      return { kind: 'comment', start, line: position(ctx, start).line, text: ctx.source.slice(start, node.endIndex) };
    default: {
      const reads = localsNamed(ctx, node);
      return { kind: 'other', start, type: node.type, ...(reads.length ? { reads } : {}) };
    }
  }
}

function lowerDecl(ctx: Ctx, node: Node): LDecl {
  const declarators: LDeclarator[] = [];
  for (const d of node.namedChildren) {
    // every local is known by name: a write to anything else is a global (I7)
    let local: string | null = null;
    if (d.type === 'identifier' || d.type === 'array_declarator' || d.type === 'pointer_declarator' || d.type === 'init_declarator') {
      local = declaratorName(d.type === 'init_declarator' ? d.childForFieldName('declarator') : d);
    }
    if (d.type !== 'init_declarator') {
      const declared = declaredName(d);
      const shadows = declared !== null && ctx.scopes.shadows(declared);
      const key = declared === null ? undefined : ctx.scopes.declare(declared);
      if (local) declarators.push({ local, ...(key !== undefined ? { key } : {}), ...(shadows ? { shadows } : {}) });
      continue;
    }
    const name = declaratorName(d.childForFieldName('declarator'));
    // its scope starts at its declarator: the initializer already names it
    const declared = declaredName(d);
    const shadows = declared !== null && ctx.scopes.shadows(declared);
    const key = declared === null ? undefined : ctx.scopes.declare(declared);
    const value = d.childForFieldName('value');
    let fields: Array<{ field: string; value: LExpr }> | undefined;
    if (value?.type === 'initializer_list') {
      // `struct upd u = { .blockable = mmu_notifier_range_blockable(range) }`
      fields = [];
      for (const pair of value.namedChildren) {
        const field = pair.type === 'initializer_pair' ? pair.namedChildren.find((c) => c.type === 'field_designator')?.namedChildren[0]?.text : undefined;
        const v = pair.childForFieldName('value');
        if (field && v) fields.push({ field, value: lowerExpr(ctx, v) });
      }
    }
    declarators.push({
      local,
      ...(key !== undefined ? { key } : {}),
      ...(shadows ? { shadows } : {}),
      init: { name, ...(key !== undefined && name === declared ? { key } : {}), value: value ? lowerExpr(ctx, value) : null, ...(fields ? { fields } : {}) },
    });
  }
  return { kind: 'decl', start: node.startIndex, static: hasKeyword(node, 'storage_class_specifier', 'static'), declarators };
}

// ---------------------------------------------------------------- expressions

/** Source text of a node, whitespace folded (textOf without a second slice when there is no whitespace). */
function norm(ctx: Ctx, start: number, end: number): string {
  const t = ctx.source.slice(start, end);
  return /\s/.test(t) ? t.replace(/\s+/g, ' ').trim() : t;
}

/** The lowered child among the lowered named children that is `field`, found by node id. */
function pick(named: readonly Node[], lowered: readonly LExpr[], field: Node | null): LExpr | null {
  if (!field) return null;
  for (let i = 0; i < named.length; i++) if (named[i]!.id === field.id) return lowered[i]!;
  return null;
}

function lowerAll(ctx: Ctx, node: Node): { named: Node[]; children: LExpr[] } {
  const named = node.namedChildCount === 0 ? [] : node.namedChildren;
  const stmt = node.type === 'expression_statement';
  const commented = stmt && hasAdjacentComment(node);
  return { named, children: named.map((c) => lowerExpr(ctx, c, stmt, commented)) };
}

/** A comment that is not a FIXME/TODO/XXX (those say the code is wrong, not that it is meant). */
function saysMeant(c: Node | null): c is Node {
  return c?.type === 'comment' && !/\b(?:FIXME|TODO|XXX)\b/.test(c.text);
}

function commentEndsAt(c: Node | null, row: number): boolean {
  return saysMeant(c) && c.endPosition.row === row;
}

/**
 * A statement in a block with a comment ending on the line above it, or after
 * it on its last line: the author's word on it. (An `if`'s body: see ifBodyComment.)
 */
function hasAdjacentComment(node: Node): boolean {
  const after = node.nextNamedSibling;
  return commentEndsAt(node.previousNamedSibling, node.startPosition.row - 1) || (saysMeant(after) && after.startPosition.row === node.endPosition.row);
}

/**
 * `a || b || c ...` and `x + y + z ...` nest to the left: a long chain is
 * lowered by a loop down its spine, not a stack frame per operator.
 */
function lowerBinaryChain(ctx: Ctx, top: Node): LExpr {
  const spine: Node[] = [];
  for (let n: Node | null = top; n?.type === 'binary_expression'; n = n.childForFieldName('left')) spine.push(n);
  let below: { id: number; lowered: LExpr } | null = null;
  for (let i = spine.length - 1; i >= 0; i--) {
    const b = spine[i]!;
    const named = b.namedChildCount === 0 ? [] : b.namedChildren;
    const children = named.map((c) => (below && c.id === below.id ? below.lowered : lowerExpr(ctx, c)));
    const lowered: LExpr = {
      kind: 'binary',
      start: b.startIndex,
      text: b.text,
      norm: norm(ctx, b.startIndex, b.endIndex),
      children,
      op: b.childForFieldName('operator')?.text ?? b.children[1]?.text,
      left: pick(named, children, b.childForFieldName('left')),
      right: pick(named, children, b.childForFieldName('right')),
    };
    below = { id: b.id, lowered };
  }
  return below!.lowered;
}

function lowerExpr(ctx: Ctx, node: Node, stmt = false, commented = false): LExpr {
  if (node.type === 'binary_expression') return lowerBinaryChain(ctx, node);
  const start = node.startIndex;
  const end = node.endIndex;
  const base = { start, text: node.text, norm: norm(ctx, start, end) };
  switch (node.type) {
    case 'call_expression': {
      const fn = node.childForFieldName('function');
      const argsNode = node.childForFieldName('arguments');
      return {
        kind: 'call',
        ...base,
        loc: locOf(ctx, node),
        fn: fn ? lowerExpr(ctx, fn) : null,
        callee: fn?.type === 'identifier' ? fn.text : null,
        argNodes: (argsNode?.namedChildren ?? []).map((a) => lowerExpr(ctx, a)),
        args: argTexts(ctx, argsNode),
        stmt,
        ...(commented ? { commented: true as const } : {}),
      };
    }
    case 'assignment_expression': {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      return {
        kind: 'assign',
        ...base,
        loc: locOf(ctx, node),
        op: node.childForFieldName('operator')?.text ?? node.children[1]?.text,
        left: left ? lowerExpr(ctx, left) : null,
        right: right ? lowerExpr(ctx, right) : null,
      };
    }
    case 'update_expression': {
      const arg = node.childForFieldName('argument');
      return { kind: 'update', ...base, loc: locOf(ctx, node), arg: arg ? lowerExpr(ctx, arg) : null };
    }
    case 'identifier': {
      const local = ctx.scopes.resolve(node.text);
      return { kind: 'ident', ...base, ...(local !== undefined ? { local } : {}) };
    }
    case 'number_literal':
      return { kind: 'number', ...base };
    case 'true':
    case 'false':
    case 'null':
    case 'comment':
      if (node.namedChildCount === 0) return { kind: node.type, ...base };
      break;
  }
  const { named, children } = lowerAll(ctx, node);
  switch (node.type) {
    case 'unary_expression':
    case 'pointer_expression':
      return { kind: 'unary', ...base, children, op: node.children[0]?.text, arg: pick(named, children, node.childForFieldName('argument')) };
    case 'field_expression':
      return {
        kind: 'field',
        ...base,
        children,
        op: node.childForFieldName('operator')?.text,
        arg: pick(named, children, node.childForFieldName('argument')),
        field: node.childForFieldName('field')?.text,
      };
    case 'cast_expression':
      return { kind: 'cast', ...base, children, value: pick(named, children, node.childForFieldName('value')) };
    case 'parenthesized_expression':
    case 'condition_clause':
      return { kind: 'paren', ...base, children };
    case 'conditional_expression':
      return {
        kind: 'conditional',
        ...base,
        children,
        cond: pick(named, children, node.childForFieldName('condition')),
        consequence: pick(named, children, node.childForFieldName('consequence')),
        alternative: pick(named, children, node.childForFieldName('alternative')),
      };
    default:
      return { kind: 'other', ...base, type: node.type, children };
  }
}
