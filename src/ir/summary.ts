// Interprocedural facts: a function's events and return values together with
// those of the functions it calls, down to CALL_DEPTH levels, with the callee's
// assumptions translated into the caller's (a callee testing its `blockable`
// parameter is tested against the flag the caller passed).
import type { AbstractValue, Assumptions, Event, FunctionIR, Loc } from './types.js';

/** Levels of calls followed below a callback (the callback itself is level 0). */
export const CALL_DEPTH = 3;

export interface CallStep {
  function: string;
  file: string;
  line: number;
}

export interface SummaryEvent extends Event {
  /** call sites from the summarized function down to the one holding the event */
  via: CallStep[];
  /** the file of the event (differs from the root function's for callee events) */
  file: string;
}

export interface SummaryReturn {
  value: AbstractValue;
  text: string;
  file: string;
  loc: Loc;
  when: Assumptions;
  via: CallStep[];
  /** events on the way to this return, in the root function (ids into its events) */
  path: number[];
}

export interface FunctionSummary {
  fn: FunctionIR;
  events: SummaryEvent[];
  /** return sites with calls resolved where the callee is known */
  returns: SummaryReturn[];
  /** callees whose body was not found or lay beyond CALL_DEPTH */
  unresolved: string[];
  /** some function on the way was cut off by its state budget */
  truncated: boolean;
}

/** Finds a function's IR by name, preferring the caller's own file (static functions). */
export type Resolver = (name: string, fromFile: string) => FunctionIR | undefined;

/** Merges `extra` into `base`; null when they contradict each other. */
export function combine(base: Assumptions, extra: Assumptions): Assumptions | null {
  const out: Record<string, boolean> = { ...base };
  for (const [k, v] of Object.entries(extra)) {
    if (k in out && out[k] !== v) return null;
    out[k] = v;
  }
  return out;
}

/**
 * Translates a callee's assumptions into the caller's terms at one call site:
 * `param:X` becomes the atom the caller passed for X; atoms local to the callee
 * are kept under the callee's name.
 */
function translate(callee: FunctionIR, call: Event, when: Assumptions): Assumptions {
  const out: Record<string, boolean> = {};
  for (const [atom, value] of Object.entries(when)) {
    if (atom.startsWith('param:')) {
      const idx = callee.params.findIndex((p) => p.name === atom.slice(6));
      const passed = idx >= 0 ? call.argAtoms?.[idx] : null;
      if (passed) out[passed.atom] = value !== passed.negated;
      continue;
    }
    out[atom === 'blockable' ? atom : `${callee.name}/${atom}`] = value;
  }
  return out;
}

export function summarize(fn: FunctionIR, resolve: Resolver, depth = CALL_DEPTH): FunctionSummary {
  const summary: FunctionSummary = { fn, events: [], returns: [], unresolved: [], truncated: fn.truncated };
  const unresolved = new Set<string>();
  const seen = new Set<string>();
  const visit = (f: FunctionIR, context: Assumptions, via: CallStep[], level: number, mapWhen: (w: Assumptions) => Assumptions): void => {
    if (f.truncated) summary.truncated = true;
    for (const e of f.events) {
      const when = combine(context, mapWhen(e.when));
      if (!when) continue;
      const key = `${f.file}:${e.loc.line}:${e.loc.column}:${e.kind}:${JSON.stringify(when)}:${via.map((v) => v.line).join('>')}`;
      if (!seen.has(key)) {
        seen.add(key);
        summary.events.push({ ...e, when, via, file: f.file });
      }
      if (e.kind !== 'call' || !f.callees.includes(e.name)) continue;
      const callee = resolve(e.name, f.file);
      if (!callee || callee === f || via.some((v) => v.function === callee.name)) {
        if (!callee) unresolved.add(e.name);
        continue;
      }
      if (level >= depth) {
        unresolved.add(e.name);
        continue;
      }
      const step: CallStep = { function: e.name, file: f.file, line: e.loc.line };
      visit(callee, when, [...via, step], level + 1, (w) => mapWhen(translate(callee, e, w)));
    }
  };
  visit(fn, {}, [], 0, (w) => w);
  summary.returns = resolveReturns(fn, resolve, depth, [], {});
  summary.unresolved = [...unresolved].sort();
  return summary;
}

/** Return sites of `fn`; a `return callee(...)` is replaced by the callee's own returns. */
function resolveReturns(fn: FunctionIR, resolve: Resolver, depth: number, via: CallStep[], context: Assumptions): SummaryReturn[] {
  const out: SummaryReturn[] = [];
  for (const r of fn.returns) {
    const when = combine(context, r.when);
    if (!when) continue;
    const base: SummaryReturn = { value: r.value, text: r.text, file: fn.file, loc: r.loc, when, via, path: r.path };
    if (r.value.k !== 'call' || depth <= 0) {
      out.push(base);
      continue;
    }
    const callee = resolve(r.value.callee, fn.file);
    if (!callee || via.some((v) => v.function === callee.name)) {
      out.push(base);
      continue;
    }
    // the call event carries the argument atoms for translation
    const callEvent = fn.events.find((e) => e.kind === 'call' && e.name === callee.name && e.loc.line >= r.loc.line && e.loc.line <= r.loc.endLine);
    const step: CallStep = { function: callee.name, file: fn.file, line: r.loc.line };
    for (const inner of resolveReturns(callee, resolve, depth - 1, [...via, step], {})) {
      const mapped = callEvent ? translate(callee, callEvent, inner.when) : {};
      const w = combine(when, mapped);
      if (!w) continue;
      out.push({ ...inner, when: w, path: r.path });
    }
  }
  return out;
}

/** Whether a return value is provably non-zero / false / true. */
export function truth(value: AbstractValue): boolean | null {
  switch (value.k) {
    case 'int':
      return value.v !== 0;
    case 'bool':
      return value.v;
    case 'null':
      return false;
    default:
      return null;
  }
}

/** Events on the way to a return: the root's own path, and callee events reached through a call on it. */
export function eventsOnPath(s: FunctionSummary, r: SummaryReturn): SummaryEvent[] {
  const own = new Set(r.path.map((id) => s.fn.events[id]).filter(Boolean));
  const callsOnPath = new Set([...own].filter((e) => e!.kind === 'call').map((e) => `${e!.name}:${e!.loc.line}`));
  return s.events.filter((e) => {
    if (e.via.length === 0) return [...own].some((o) => o!.loc.line === e.loc.line && o!.loc.column === e.loc.column && o!.kind === e.kind);
    const first = e.via[0]!;
    return callsOnPath.has(`${first.function}:${first.line}`) && combine(r.when, e.when) !== null;
  });
}

