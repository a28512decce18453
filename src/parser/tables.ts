// Ops tables (`static const struct mmu_interval_notifier_ops x = {...}`) and
// the run-time bindings of a table to a notifier (`x->ops = &table`).
import type { Node } from 'web-tree-sitter';
import type { Draft, OpsBinding, OpsKind, OpsTable } from '../ir/types.js';
import { enclosingFunction, hasKeyword, locOf, textOf, type FileCtx } from './syntax.js';

const OPS_KINDS: ReadonlySet<string> = new Set(['mmu_notifier_ops', 'mmu_interval_notifier_ops']);

function structName(typeNode: Node | null): string | null {
  if (typeNode?.type !== 'struct_specifier') return null;
  return typeNode.childForFieldName('name')?.text ?? null;
}

export function extractTable(ctx: FileCtx, decl: Node): OpsTable | null {
  const kind = structName(decl.childForFieldName('type'));
  if (!kind || !OPS_KINDS.has(kind)) return null;
  const init = decl.namedChildren.find((c) => c.type === 'init_declarator');
  if (!init) return null;
  const value = init.childForFieldName('value');
  const name = init.childForFieldName('declarator');
  if (value?.type !== 'initializer_list' || !name || name.type !== 'identifier') return null;
  const table: Draft<OpsTable> = {
    kind: kind as OpsKind,
    name: name.text,
    file: ctx.file,
    loc: locOf(ctx, name),
    isStatic: hasKeyword(decl, 'storage_class_specifier', 'static'),
    isConst: hasKeyword(decl, 'type_qualifier', 'const'),
    fields: [],
  };
  for (const pair of value.namedChildren) {
    if (pair.type !== 'initializer_pair') continue;
    const designator = pair.childForFieldName('designator') ?? pair.namedChildren[0];
    const fieldNode = designator?.type === 'field_designator' ? designator.namedChildren[0] : null;
    const val = pair.childForFieldName('value');
    if (!fieldNode || !val) continue;
    table.fields.push({
      field: fieldNode.text,
      value: textOf(ctx, val),
      function: functionNamed(val),
      loc: locOf(ctx, pair),
    });
  }
  return table;
}

/** `f`, `&f`, `(type)f` name a function; NULL and other expressions do not. */
function functionNamed(node: Node): string | null {
  let n: Node | null = node;
  while (n && (n.type === 'parenthesized_expression' || n.type === 'cast_expression' || n.type === 'pointer_expression')) {
    if (n.type === 'pointer_expression' && n.children[0]?.text !== '&') return null;
    n = n.type === 'cast_expression' ? n.childForFieldName('value') : (n.namedChildren[n.namedChildren.length - 1] ?? null);
  }
  if (n?.type !== 'identifier' || n.text === 'NULL') return null;
  return n.text;
}

export function collectBindings(ctx: FileCtx, root: Node, out: OpsBinding[]): void {
  for (const assign of root.descendantsOfType('assignment_expression')) {
    if (!assign) continue;
    const left = assign.childForFieldName('left');
    const right = assign.childForFieldName('right');
    if (left?.type !== 'field_expression' || left.childForFieldName('field')?.text !== 'ops' || !right) continue;
    const table = addressOf(right);
    if (table) out.push({ table, target: textOf(ctx, left), file: ctx.file, loc: locOf(ctx, assign), function: enclosingFunction(assign) });
  }
  for (const pair of root.descendantsOfType('initializer_pair')) {
    if (!pair) continue;
    const designators = pair.namedChildren.filter((c) => c.type === 'field_designator');
    const last = designators[designators.length - 1];
    const value = pair.childForFieldName('value');
    if (last?.namedChildren[0]?.text !== 'ops' || !value) continue;
    const table = addressOf(value);
    if (table) out.push({ table, target: textOf(ctx, pair).split('=')[0]!.trim(), file: ctx.file, loc: locOf(ctx, pair), function: enclosingFunction(pair) });
  }
}

function addressOf(node: Node): string | null {
  if (node.type === 'pointer_expression' && node.children[0]?.text === '&') {
    const arg = node.childForFieldName('argument');
    if (arg?.type === 'identifier') return arg.text;
  }
  return null;
}
