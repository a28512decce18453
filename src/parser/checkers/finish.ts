// The two-pass finish object: what `*finish = ...` hands out (an object just
// allocated, one embedded in the notifier's state, a global, or something
// not followed), and writes to finish->notifier, which the core owns.
import type { Node } from 'web-tree-sitter';
import type { FinishOrigin } from '../../ir/types.js';
import { heldValue, type State } from '../engine/state.js';
import { textOf, unwrapParens } from '../syntax.js';
import type { Checker, Engine } from './checker.js';

export class FinishChecker implements Checker {
  constructor(private readonly eng: Engine) {}

  onAssign(left: Node, _op: string | undefined, right: Node | null, node: Node, s: State): void {
    const ctx = this.eng.ctx;
    // the core owns finish->notifier: a driver writing it is a bug
    if (left.type === 'field_expression' && left.childForFieldName('field')?.text === 'notifier' && /finish/.test(left.childForFieldName('argument')?.text ?? '')) {
      this.eng.record(s, { kind: 'finish_notifier_write', name: textOf(ctx, left), value: textOf(ctx, right ?? node) }, node);
    }
    if (left.type === 'pointer_expression' && left.children[0]?.text === '*') {
      const target = left.childForFieldName('argument');
      if (target?.type === 'identifier' && this.eng.isParam(target.text) && /finish/.test(target.text)) {
        this.eng.record(s, { kind: 'finish_write', name: target.text, value: textOf(ctx, right ?? node), origin: right ? this.origin(right, s) : 'unknown' }, node);
      }
    }
  }

  /**
   * Where a finish object handed out comes from: `&job->finish` of an object
   * just allocated, or of the notifier's own state (`container_of(mni, ...)`),
   * or something mnlint does not follow (a pool, a helper).
   */
  private origin(value: Node, s: State): FinishOrigin {
    let base: Node | null = unwrapParens(value);
    if (base.type === 'pointer_expression' && base.children[0]?.text === '&') base = base.childForFieldName('argument');
    while (base && base.type === 'field_expression') base = base.childForFieldName('argument');
    if (base?.type !== 'identifier') return 'unknown';
    // one object for every caller: a global or a function-static (`static struct f fin;`)
    if (value.text.trim().startsWith('&') && this.eng.sharedBase(base.text)) return 'global';
    const v = s.vars[base.text];
    if (v?.k === 'alloc') return 'allocated';
    const held = heldValue(v);
    if (held?.k === 'call' && held.callee === 'container_of' && this.eng.isParam((held.args[0] ?? '').replace(/^&/, ''))) return 'embedded';
    return 'unknown';
  }
}
