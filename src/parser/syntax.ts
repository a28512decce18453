// Small readers of tree-sitter nodes shared by the table and function
// extractors: positions, text, declarators, parentheses, argument lists.
import type { Node } from 'web-tree-sitter';
import type { Loc } from '../ir/types.js';

export interface FileCtx {
  file: string;
  source: string;
  lineStarts: number[];
  loops: Map<number, string>;
  /** the functions the file defines (a helper defined here is followed, whatever its name) */
  defined: Set<string>;
}

export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

export function position(ctx: FileCtx, index: number): { line: number; column: number } {
  let lo = 0;
  let hi = ctx.lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ctx.lineStarts[mid]! <= index) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: index - ctx.lineStarts[lo]! + 1 };
}

export function locOf(ctx: FileCtx, node: Node): Loc {
  const a = position(ctx, node.startIndex);
  const b = position(ctx, node.endIndex);
  return { line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
}

/** Original source text of a node, whitespace folded. */
export function textOf(ctx: FileCtx, node: Node): string {
  return ctx.source.slice(node.startIndex, node.endIndex).replace(/\s+/g, ' ').trim();
}

export function countErrors(node: Node): number {
  if (!node.hasError) return 0;
  if (node.isError || node.isMissing) return 1;
  let n = 0;
  for (const c of node.children) if (c.hasError || c.isMissing) n += countErrors(c);
  return n;
}

export function errorLines(ctx: FileCtx, node: Node, out: number[]): void {
  if (node.isError || node.isMissing) {
    out.push(position(ctx, node.startIndex).line);
    return;
  }
  if (!node.hasError) return;
  for (const c of node.children) errorLines(ctx, c, out);
}

// ---------------------------------------------------------------- ops tables

export function hasKeyword(decl: Node, type: string, word: string): boolean {
  return decl.children.some((c) => c.type === type && c.text === word);
}

export function enclosingFunction(node: Node): string | null {
  for (let n: Node | null = node.parent; n; n = n.parent) {
    if (n.type === 'function_definition') return declaratorName(n.childForFieldName('declarator'));
  }
  return null;
}

// ----------------------------------------------------------------- functions

export function declaratorName(node: Node | null): string | null {
  let n = node;
  while (n) {
    if (n.type === 'identifier') return n.text;
    if (n.type === 'function_declarator' || n.type === 'pointer_declarator' || n.type === 'parenthesized_declarator' || n.type === 'attributed_declarator') {
      n = n.childForFieldName('declarator') ?? n.namedChildren[0] ?? null;
    } else {
      return null;
    }
  }
  return null;
}

export function functionDeclarator(node: Node | null): Node | null {
  let n = node;
  while (n && n.type !== 'function_declarator') n = n.childForFieldName('declarator');
  return n;
}

export function declaratorNameNode(node: Node | null): Node | null {
  let n = node;
  while (n && n.type !== 'identifier') n = n.childForFieldName('declarator') ?? n.namedChildren[0] ?? null;
  return n;
}

export function endLoc(ctx: FileCtx, node: Node): Loc {
  const b = position(ctx, Math.max(node.startIndex, node.endIndex - 1));
  return { line: b.line, column: b.column, endLine: b.line, endColumn: b.column + 1 };
}

/** What a pair of parentheses (or an if's condition clause) holds. */
function unwrapParens(node: Node): Node {
  let n = node;
  while ((n.type === 'parenthesized_expression' || n.type === 'condition_clause') && n.namedChildren.length === 1) n = n.namedChildren[0]!;
  return n;
}

export function argTexts(ctx: FileCtx, args: Node | null): string[] {
  if (!args) return [];
  // the rewritten scoped_guard header is a comma expression, not an argument list
  const n = unwrapParens(args);
  if (n.type === 'comma_expression') {
    const out: string[] = [];
    let c: Node | null = n;
    while (c?.type === 'comma_expression') {
      out.push(textOf(ctx, c.childForFieldName('left')!));
      c = c.childForFieldName('right');
    }
    if (c) out.push(textOf(ctx, c));
    return out;
  }
  if (n.type !== 'argument_list') return [textOf(ctx, n)];
  return n.namedChildren.filter((c) => c.type !== 'comment').map((c) => textOf(ctx, c));
}
