// The lowered form of a function body: what the path engine (src/path) walks.
// Plain data (no tree-sitter, JSON-serializable), made by the parser
// (src/parser/lower.ts) from the syntax tree of one definition. Each node
// keeps its start offset (the walk's dedupe keys use it), its text as
// written in the parsed text (`text`: the pre-pass output, as tree-sitter
// read it) and the original source's text with whitespace folded (`norm`:
// what events and returns show).
import type { Loc } from './types.js';

interface Base {
  /** offset of the node's first character in the file */
  readonly start: number;
  /** the node's text as parsed (after the macro pre-pass), whitespace as written */
  readonly text: string;
  /** the original source's text of the node, whitespace folded */
  readonly norm: string;
}

/** A call: `callee` is the function's name when the callee is an identifier. */
export interface LCall extends Base {
  readonly kind: 'call';
  readonly loc: Loc;
  readonly fn: LExpr | null;
  readonly callee: string | null;
  /** the argument expressions as the grammar lists them (comments included) */
  readonly argNodes: readonly LExpr[];
  /** the arguments as written, whitespace folded (comments left out) */
  readonly args: readonly string[];
  /** the call is an expression statement of its own (its result is discarded) */
  readonly stmt: boolean;
  /** that statement has a comment on the line above it or after it on its line: the author's word on it */
  readonly commented?: true;
}

export interface LAssign extends Base {
  readonly kind: 'assign';
  readonly loc: Loc;
  readonly op: string | undefined;
  readonly left: LExpr | null;
  readonly right: LExpr | null;
}

/** `x++`, `--x` (`text` says which). */
export interface LUpdate extends Base {
  readonly kind: 'update';
  readonly loc: Loc;
  readonly arg: LExpr | null;
}

/** Sub-expressions in the grammar's order, for a walk that only looks for calls and assignments. */
interface WithChildren extends Base {
  readonly children: readonly LExpr[];
}

/** A prefix operator: `!x`, `-x`, `~x`, and the pointer operators `&x`, `*x`. */
export interface LUnary extends WithChildren {
  readonly kind: 'unary';
  readonly op: string | undefined;
  readonly arg: LExpr | null;
}

export interface LBinary extends WithChildren {
  readonly kind: 'binary';
  readonly op: string | undefined;
  readonly left: LExpr | null;
  readonly right: LExpr | null;
}

/** `a.b`, `a->b`. */
export interface LField extends WithChildren {
  readonly kind: 'field';
  readonly op: string | undefined;
  readonly arg: LExpr | null;
  readonly field: string | undefined;
}

export interface LCast extends WithChildren {
  readonly kind: 'cast';
  readonly value: LExpr | null;
}

/** `( e )`, and the parenthesized condition of an `if`. */
export interface LParen extends WithChildren {
  readonly kind: 'paren';
}

export interface LConditional extends WithChildren {
  readonly kind: 'conditional';
  readonly cond: LExpr | null;
  readonly consequence: LExpr | null;
  readonly alternative: LExpr | null;
}

export interface LLeaf extends Base {
  readonly kind: 'number' | 'true' | 'false' | 'null' | 'comment';
}

/**
 * An identifier. `local` is the identity of the local variable or parameter
 * it names, resolved by the lowering from C's block scopes: the name itself
 * for the first declaration of that name in the function (its parameters
 * first), `name#2`, `name#3`... for each later one (an inner `int ret` that
 * shadows the outer `ret` is `ret#2`). Absent for anything the function does
 * not declare (a global, a function, an enum constant, a macro). The walk
 * keys what it knows of a variable by it; `text` stays the name to show.
 */
export interface LIdent extends Base {
  readonly kind: 'ident';
  readonly local?: string;
}

/** The name a variable's identity (LIdent.local) shows: `ret` of `ret#2`, `p->x` of `p#2->x`. */
export function varName(key: string): string {
  return key.replace(/^([A-Za-z_]\w*)#\d+/, '$1');
}

/** Anything else, by its grammar type (an initializer list, a subscript, a statement expression...). */
export interface LOther extends WithChildren {
  readonly kind: 'other';
  readonly type: string;
}

export type LExpr = LCall | LAssign | LUpdate | LUnary | LBinary | LField | LCast | LParen | LConditional | LIdent | LLeaf | LOther;

// ----------------------------------------------------------------- statements

export interface LBlock {
  readonly kind: 'block';
  readonly start: number;
  /** the locals its declarations declare, by identity (LIdent.local): they live until it ends */
  readonly declares: readonly string[];
  readonly body: readonly LStmt[];
}

export interface LDeclarator {
  /** the local it declares, if any: its name */
  readonly local: string | null;
  /** the local's identity (LIdent.local), when it has a name */
  readonly key?: string;
  /** it hides a variable of the same name declared in an enclosing block (or a parameter) */
  readonly shadows?: true;
  /** an initialized declarator: its name and initializer */
  readonly init?: {
    readonly name: string | null;
    /** the identity of the local it initializes (LIdent.local) */
    readonly key?: string;
    readonly value: LExpr | null;
    /** an initializer list's designated fields (`.field = value`) */
    readonly fields?: ReadonlyArray<{ readonly field: string; readonly value: LExpr }>;
  };
}

export interface LDecl {
  readonly kind: 'decl';
  readonly start: number;
  readonly static: boolean;
  readonly declarators: readonly LDeclarator[];
}

export type LStmt =
  | LBlock
  | LDecl
  | { readonly kind: 'expr'; readonly start: number; readonly expr: LExpr | null }
  | { readonly kind: 'return'; readonly start: number; readonly expr: LExpr | null; readonly loc: Loc; readonly end: Loc }
  | { readonly kind: 'if'; readonly start: number; readonly cond: LExpr; readonly consequence: LStmt; readonly alternative: LStmt | null }
  | {
      readonly kind: 'while';
      readonly start: number;
      /** the statement macro the pre-pass rewrote into this `while` (`scoped_guard`, `list_for_each_entry`) */
      readonly macro?: string;
      readonly cond: LExpr;
      /** the condition's place (a statement macro's event stands there) */
      readonly condLoc: Loc;
      /** the condition as an argument list (a statement macro's arguments) */
      readonly condArgs: readonly string[];
      readonly body: LStmt;
    }
  | {
      readonly kind: 'for';
      readonly start: number;
      readonly init: LDecl | LExpr | null;
      readonly cond: LExpr | null;
      readonly update: LExpr | null;
      readonly body: LStmt;
      /** the locals its initializer declares, by identity (LIdent.local): they live until the loop ends */
      readonly declares?: readonly string[];
    }
  | { readonly kind: 'do'; readonly start: number; readonly body: LStmt; readonly cond: LExpr | null }
  | { readonly kind: 'switch'; readonly start: number; readonly cond: LExpr | null; readonly cases: ReadonlyArray<{ readonly isDefault: boolean; readonly body: readonly LStmt[] }> }
  | { readonly kind: 'break' | 'continue'; readonly start: number }
  | { readonly kind: 'goto'; readonly start: number; readonly label: string }
  | { readonly kind: 'label'; readonly start: number; readonly label: string; readonly body: readonly LStmt[] }
  /** a comment among statements: the engine tests' `// walk:` probes */
  | { readonly kind: 'comment'; readonly start: number; readonly line: number; readonly text: string }
  /** a statement the walk does not follow; `reads`: the locals it names (LIdent.local), which it may read */
  | { readonly kind: 'other'; readonly start: number; readonly type: string; readonly reads?: readonly string[] };

/** One function as the path engine walks it. */
export interface LoweredFunction {
  readonly name: string;
  /** parameter names, in order ('' for an unnamed one) */
  readonly params: readonly string[];
  /** parameters that are a `struct mmu_notifier_range *` */
  readonly ranges: readonly string[];
  /** parameters that are the blockable flag itself (4.19's `bool blockable` of invalidate_range_start) */
  readonly blockableArgs?: readonly string[];
  /** the body: a block */
  readonly body: LStmt;
  /** the body's place, and its last character (where falling off the end returns) */
  readonly bodyLoc: Loc;
  readonly bodyEnd: Loc;
}
