// Abstract drivers for the model, built from the IR: what each callback of an
// ops table can do in a blockable and a non-blockable range, one outcome per
// return path (its value, whether the path sets the sequence, sleeps, removes
// its own notifier, hands out a finish).
import type { AbstractNotifier, CallbackName, FinishKind, Outcome, Site } from '../model/core.js';
import { MODEL_CALLBACKS } from '../model/ops.js';
import { eventsOnPath, nonZero, type FunctionSummary, type SummaryEvent } from '../ir/summary.js';
import type { FunctionIR, OpsTable } from '../ir/types.js';
import { SELF_WAITING_CALLS } from '../ir/kernel-api/notifier.js';
import { isKernelHelper } from '../ir/kernel-api/helpers.js';
import { finishHandedOut, mayBlock } from '../ir/queries.js';
import { describeWhen } from '../ir/describe.js';

const MODELLED: ReadonlySet<string> = new Set(MODEL_CALLBACKS);

function finishOf(events: readonly SummaryEvent[]): { kind: FinishKind; allocates: boolean } {
  const writes = events.filter((e) => e.kind === 'finish_write');
  const allocates = events.some((e) => e.kind === 'alloc');
  const last = writes[writes.length - 1];
  if (!last) return { kind: 'none', allocates };
  const out = finishHandedOut(last)!;
  if (out.isNull) return { kind: 'none', allocates };
  // one object embedded in the notifier's state: guarded when taken under a lock
  if (out.origin === 'embedded') return { kind: events.some((e) => e.kind === 'lock') ? 'guarded' : 'shared', allocates };
  // one object for the whole driver (a global or function-static)
  if (out.origin === 'global') return { kind: events.some((e) => e.kind === 'lock') ? 'guarded-global' : 'global', allocates };
  // allocated per call, or from somewhere mnlint does not follow (a pool): assume private
  return { kind: 'fresh', allocates };
}

export function outcomesOf(s: FunctionSummary, kind: 'interval' | 'hlist', field: string, blockable: boolean): Outcome[] {
  const out: Outcome[] = [];
  // returns that behave alike are one outcome, which keeps every return's site
  const seen = new Map<string, Site[]>();
  for (const r of s.returns) {
    if (r.when.blockable !== undefined && r.when.blockable !== blockable) continue;
    const events = eventsOnPath(s, r);
    const t = nonZero(r.value);
    // a value mnlint cannot evaluate counts as success: the model must not invent failures
    const ret: boolean | number = kind === 'interval' && field !== 'invalidate_range_start' ? (t ?? true) : r.value.k === 'int' ? r.value.v : 0;
    const fin = field === 'invalidate_start' ? finishOf(events) : { kind: 'none' as FinishKind, allocates: false };
    const o: Outcome = {
      ret,
      // a cut-off path, or one through a driver function whose body was not
      // found, is assumed to set the sequence (precision before recall); a
      // kernel helper (mutex_lock, container_of) never does
      setSeq: events.some((e) => e.kind === 'set_seq') || s.truncated || events.some((e) => e.kind === 'call' && s.unresolved.includes(e.name) && !isKernelHelper(e.name)),
      sleeps: events.some(mayBlock),
      removesSelf: events.some((e) => SELF_WAITING_CALLS.has(e.name)),
      finish: fin.kind,
      allocatesFinish: fin.allocates && fin.kind !== 'none',
      label: `${r.file}:${r.loc.line}: return ${r.text || '(end)'}${describeWhen(r.when)}`,
      at: { file: r.file, line: r.loc.line, column: r.loc.column },
    };
    const site: Site = { file: r.file, line: r.loc.line };
    const key = JSON.stringify([o.ret, o.setSeq, o.sleeps, o.removesSelf, o.finish, o.allocatesFinish]);
    const sites = seen.get(key);
    if (sites) {
      if (!sites.some((x) => x.file === site.file && x.line === site.line)) sites.push(site);
      continue;
    }
    const own = [site];
    seen.set(key, own);
    out.push({ ...o, sites: own });
  }
  return out;
}

export function abstractNotifier(table: OpsTable, resolveCallback: (name: string) => FunctionIR | undefined, summary: (fn: FunctionIR) => FunctionSummary, usesReadSide: boolean): AbstractNotifier {
  const kind = table.kind === 'mmu_interval_notifier_ops' ? 'interval' : 'hlist';
  const callbacks: AbstractNotifier['callbacks'] = {};
  for (const f of table.fields) {
    if (!f.function || !MODELLED.has(f.field)) continue;
    const fn = resolveCallback(f.function);
    const field = f.field as CallbackName;
    // the explorer asks once per call of every run: the outcomes of each range kind are computed once
    const memo = new Map<boolean, Outcome[]>();
    callbacks[field] = fn
      ? ({ blockable }) => {
          const known = memo.get(blockable);
          if (known) return known;
          const o = outcomesOf(summary(fn), kind, field, blockable);
          memo.set(blockable, o);
          return o;
        }
      : // a body mnlint did not find: a well-behaved callback as far as the model knows
        () => [{ ret: kind === 'interval' ? true : 0, setSeq: true, label: `${f.function}: body not found` }];
  }
  return { name: table.name, kind, callbacks, usesReadSide, interval: [0, 1 << 20] };
}
