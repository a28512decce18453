// Effects that outlive a path: counters and references raised or lowered
// (`x->n++`, `+=`, atomic_inc, kref_get, mmget...), fields written (`x->f = v`,
// WRITE_ONCE), and writes to globals or function-statics. Its slot of the
// path state is `effects`: what was raised and not lowered again.
import type { LAssign, LExpr, LUpdate } from '../../ir/lowered.js';
import { curatedFacts } from '../../ir/facts-db.js';
import type { Loc } from '../../ir/types.js';
import type { State } from '../engine/state.js';
import { normalizeLock } from '../syntax.js';
import type { CallSite, Checker, Engine } from './checker.js';

export class EffectChecker implements Checker {
  constructor(private readonly eng: Engine) {}

  /** The counters and references raised on the way and not lowered again. */
  onReturn(s: State): { effects: string[] } {
    return { effects: [...s.effects] };
  }

  afterCall(call: CallSite, _c: unknown, s: State): void {
    const effect = curatedFacts(call.name).counts;
    if (effect && call.args[effect.arg] !== undefined) this.effect(s, effect.delta, call.args[effect.arg]!, call.node, call.name);
    // WRITE_ONCE(x->f, v): a field written, like `x->f = v`
    if (call.name === 'WRITE_ONCE' && call.args[0] !== undefined) this.effect(s, 0, call.args[0], call.node, 'WRITE_ONCE', call.args[1] ?? '');
  }

  onAssign(left: LExpr, op: string | undefined, right: LExpr | null, node: LAssign, s: State): void {
    if (!right) return;
    // a global or function-static written: the write outlives the call
    if (left.kind === 'ident' && this.eng.sharedBase(left.text)) this.effect(s, op === '+=' ? 1 : op === '-=' ? -1 : 0, left.text, node, op ?? '=', right.norm);
    if (left.kind === 'field') {
      if (op === '=' || op === '|=' || op === '&=') this.effect(s, 0, left.norm, node, op, right.norm);
      else if (op === '+=' || op === '-=') this.effect(s, op === '+=' ? 1 : -1, left.norm, node, op, right.norm);
    }
  }

  onIncrement(target: LExpr, node: LUpdate, s: State): void {
    // `x->count++`: a counter the callback leaves raised until someone lowers it
    if (target.kind !== 'ident' || this.eng.sharedBase(target.text)) this.effect(s, node.text.includes('++') ? 1 : -1, target.norm, node, node.text.includes('++') ? '++' : '--');
  }

  /** A counter or reference raised (+1), lowered (-1), or a field written (0); `op` as written (`++`, `|=`, `kref_get`). */
  private effect(s: State, delta: 1 | -1 | 0, target: string, node: { readonly start: number; readonly loc: Loc }, op: string, value = ''): void {
    const t = normalizeLock(target);
    const shared = this.eng.sharedBase(t);
    this.eng.record(s, { kind: 'update', name: t, delta, op, value, ...(shared ? { shared } : {}) }, node);
    if (delta > 0) s.effects = [...s.effects, `+${t}`].sort();
    else if (delta < 0) {
      const at = s.effects.indexOf(`+${t}`);
      if (at >= 0) s.effects = [...s.effects.slice(0, at), ...s.effects.slice(at + 1)];
    }
  }
}
