// Interprocedural facts. A function's summary is its own events and returns
// with those of the functions it calls folded in, memoized per function (a
// fixpoint over the call graph, cut by a depth and a size budget):
// - a callee's events get the caller's assumptions at the call site, with the
//   callee's own translated (a callee testing its `blockable` parameter is
//   tested against the flag the caller passed, a field of a parameter against
//   the field the caller stored it in);
// - a caller branching on a callee's result (`ret:FN@L:C` atoms) inherits the
//   conditions of the callee's returns of that truth, so `if (!helper()) return
//   false;` fails exactly when the helper does;
// - callee events are tied to the outcomes they lead to, and the locks and
//   counters a callee leaves behind follow the outcome the caller took;
// - a wait on a work item (flush_work(), cancel_delayed_work_sync(),
//   flush_workqueue()...) is an edge too: what the work function does is
//   something the waiter depends on, in another context. Its events go to the
//   summary's `waited` list, not to `events`: they do not happen in the
//   waiter's context (a sleep there is no sleep of the callback's), but a
//   lock the waiter holds that the work takes, or an mmput() that runs
//   exit_mmap() there, is a deadlock of the waiter all the same.
import { atom, atomsOf, isCalleeResult, isParamAtom, isRangeAtom, isResultAtom, resultAtom } from './atoms.js';
import { isCallOfInterest } from './kernel-api/effects.js';
import { classifyGfp } from './kernel-api/memory.js';
import { SLEEPS_UNLOCKED } from './kernel-api/locks.js';
import { lockMember, sameLock } from './queries.js';
import { FUNCTION_ARG, type DerivedFacts, type DerivedWhy } from './facts-db.js';
import type { WaitTarget } from './work-items.js';
import type { AbstractValue, Assumptions, Event, FieldBinding, FunctionIR, Loc, ParamBinding, UntrackedCondition } from './types.js';

/** How many levels of callees below a callback the parser walks and the lazy search looks up. */
export const CALL_DEPTH = 3;
/**
 * How deep a summary follows the functions it has (the memo makes a shared
 * callee cost once; a recursion is cut where it closes).
 */
const SUMMARY_DEPTH = 8;
/** Events kept in one summary; past it the summary is marked truncated. */
const EVENT_BUDGET = 6000;
/** Alternatives one return or event may expand into through its callees' outcomes. */
const ALTERNATIVES = 24;

export interface CallStep {
  function: string;
  file: string;
  line: number;
  /**
   * a call through a function pointer: a struct field, or a parameter of the
   * calling function; where the tree sets it to `function` (for a parameter,
   * the call site passing it), and to how many functions in all
   */
  through?: { field?: string; param?: PassedThrough; file: string; line: number; of: number; struct?: string };
  /** a wait for a work item, which runs `function` in another context: the work's binding and, for a workqueue flush, its queueing */
  waits?: Omit<WaitTarget, 'function'>;
}

/** A call through a parameter: its name, the function it belongs to, and how many walked call sites pass something mnlint cannot name there. */
export interface PassedThrough {
  name: string;
  owner: string;
  unknown: number;
}

/**
 * What a summary knows beside the bodies it has: the facts derived from the
 * kernel's code for a function whose body the scan does not hold, and the
 * functions a call through a struct field may reach.
 */
export interface SummaryFacts {
  derived(name: string, fromFile: string): DerivedFacts | undefined;
  bound(field: string, fromFile: string): readonly FieldBinding[];
  /** the functions passed as parameter `index` of `fn` at its call sites, and how many sites pass something else */
  boundParam?(fn: FunctionIR, index: number): { bound: readonly ParamBinding[]; unknown: number };
  /** the work functions a call of `name` with `args` waits for (none: it waits for no known work) */
  waited?(name: string, args: readonly string[], fromFile: string): readonly WaitTarget[];
}

/** An event of a summary: one of the function's own, or of a callee folded in. */
export type SummaryEvent = Event & {
  /** call sites from the summarized function down to the one holding the event */
  via: CallStep[];
  /** the file of the event (differs from the root function's for callee events) */
  file: string;
  /** a call of a function whose body the scan lacks, which sleeps or reclaims by the facts derived from the kernel's code: why */
  derived?: DerivedWhy;
  /** the lock the call releases while it sleeps (cond_resched_lock()): not held at the sleep, in the callers either */
  unlocks?: string;
  /** an event of a work the function waits for (in `waited`): the locks the waiting context holds at the wait */
  waiterLocks?: readonly string[];
};

export interface SummaryReturn {
  value: AbstractValue;
  text: string;
  file: string;
  loc: Loc;
  when: Assumptions;
  via: CallStep[];
  /** events on the way to this return, in the root function (ids into its events) */
  path: number[];
  /** locks held at this return: taken here or by a callee on the outcome taken, not released */
  held: string[];
  /** counters and references raised and not lowered (`+target`) */
  effects: string[];
  /** the helper outcomes this return depends on: what each helper returned on the way */
  taken: HelperOutcome[];
  /** the untracked conditions on the function's own data the path is decided by (absent: none; see UntrackedCondition) */
  untracked?: readonly UntrackedCondition[];
  /** the failure codes the function wrote to its locals on the way (ids into fn.failureStores; absent: none, or a callee's return) */
  stores?: readonly number[];
}

/** A helper's return that a caller's path depends on (or that a caller drops). */
export interface HelperOutcome {
  callee: string;
  /** where the caller calls it */
  file: string;
  line: number;
  /** the helper's return, in its own file */
  value: AbstractValue;
  text: string;
  at: { file: string; line: number };
  /** the helper's assumptions for it, in the caller's terms */
  when: Assumptions;
}

export interface FunctionSummary {
  fn: FunctionIR;
  events: SummaryEvent[];
  /** for each event: the own event of `fn` it descends from (itself, or the call it came through), an id into fn.events */
  origin: number[];
  /** return sites with calls resolved where the callee is known */
  returns: SummaryReturn[];
  /** callees whose body was not found or lay beyond the call budget */
  unresolved: string[];
  /** some function on the way was cut off by its state or size budget */
  truncated: boolean;
  /** helpers called as statements whose result may be a failure: each failing outcome */
  dropped: HelperOutcome[];
  /**
   * What the function waits for in other contexts: the events of the work
   * functions it (or a callee) waits for, each with the wait in its `via`
   * (a step with `waits`) and the waiter's locks.
   */
  waited: SummaryEvent[];
}

/** Finds a function's IR by name, preferring the caller's own file (static functions). */
export type Resolver = (name: string, fromFile: string) => FunctionIR | undefined;

/** Whether a function takes `count` arguments (`(void)` takes none; the parser keeps no `...`: a variadic one is taken at its named ones). */
function takes(fn: FunctionIR, count: number): boolean {
  const named = fn.params.filter((p) => !(p.name === '' && p.type === 'void')).length;
  return count === named;
}

/** Merges `extra` into `base`; null when they contradict each other. */
export function combine(base: Assumptions, extra: Assumptions): Assumptions | null {
  // most events carry no assumption at all: share the other side
  let empty = true;
  for (const _ in extra) {
    empty = false;
    break;
  }
  if (empty) return base;
  const out: Record<string, boolean> = { ...base };
  for (const [k, v] of Object.entries(extra)) {
    if (k in out && out[k] !== v) return null;
    out[k] = v;
  }
  return out;
}

/**
 * Translates a callee's assumptions into the caller's terms at one call site:
 * `param:X` becomes the atom the caller passed for X, `param:X->F` the atom the
 * caller kept in field F of what it passed; atoms local to the callee are kept
 * under the callee's name.
 */
function translate(callee: FunctionIR, call: Event | undefined, when: Assumptions): Assumptions {
  const out: Record<string, boolean> = {};
  for (const { atom: a, tag, value } of atomsOf(when)) {
    if (tag.tag === 'param') {
      const idx = tag.name === undefined ? -1 : callee.params.findIndex((p) => p.name === tag.name);
      if (idx < 0 || call?.kind !== 'call') continue;
      if (tag.field === undefined) {
        const passed = call.argAtoms?.[idx];
        if (passed) out[passed.atom] = value !== passed.negated;
      } else {
        const passed = call.argFields?.[idx]?.find((f) => f.field === tag.field);
        if (passed) out[passed.atom] = value !== passed.negated;
      }
      continue;
    }
    out[isRangeAtom(a) ? a : atom.ofCallee(callee.name, a)] = value;
  }
  return out;
}

/** The atoms of a callee outcome that mean something to the caller. */
function project(when: Assumptions): Assumptions {
  const out: Record<string, boolean> = {};
  for (const [k, v] of Object.entries(when)) if (isRangeAtom(k) || isParamAtom(k)) out[k] = v;
  return out;
}

/**
 * A callee event's assumptions as the caller keeps them: what a helper's own
 * helpers returned is dropped (the caller cannot branch on it), trylocks and
 * allocations stay for the traces and the rules on them.
 */
function forCaller(when: Assumptions): Assumptions {
  let drop = false;
  for (const k of Object.keys(when)) if (isCalleeResult(k)) drop = true;
  if (!drop) return when;
  const out: Record<string, boolean> = {};
  for (const [k, v] of Object.entries(when)) if (!isCalleeResult(k)) out[k] = v;
  return out;
}

function hasResultAtom(when: Assumptions): boolean {
  for (const k in when) if (isResultAtom(k)) return true;
  return false;
}

/** Whether a return value is provably non-zero (true), zero (false), or unknown (null); what that means is the callback's convention (see failsWith). */
export function nonZero(value: AbstractValue): boolean | null {
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

const union = (a: readonly string[], b: readonly string[]): string[] => [...new Set([...a, ...b])].sort();
const minus = (a: readonly string[], b: ReadonlySet<string>): string[] => a.filter((x) => !b.has(x));

function intersection(lists: ReadonlyArray<readonly string[]>): string[] {
  if (lists.length === 0) return [];
  return lists[0]!.filter((x) => lists.every((l) => l.includes(x)));
}

interface Closure extends FunctionSummary {
  /** the call events whose callee this summary folded in */
  followed: Set<SummaryEvent>;
  leads?: Map<number, Set<boolean | null>>;
}

/**
 * Summaries of many functions over one resolver, sharing the memo: a callee
 * reached from several callbacks is summarized once.
 */
export class Summarizer {
  private readonly memo = new Map<FunctionIR, Closure>();
  private readonly active: FunctionIR[] = [];

  constructor(
    private readonly resolve: Resolver,
    private readonly facts?: SummaryFacts,
  ) {}

  summary(fn: FunctionIR): FunctionSummary {
    return this.closure(fn) ?? emptyClosure(fn);
  }

  private closure(fn: FunctionIR): Closure | null {
    const seen = this.memo.get(fn);
    if (seen) return seen;
    // a recursive call, or one past the depth budget: not followed
    if (this.active.includes(fn) || this.active.length > SUMMARY_DEPTH) return null;
    this.active.push(fn);
    try {
      const c = this.build(fn);
      this.memo.set(fn, c);
      return c;
    } finally {
      this.active.pop();
    }
  }

  private build(fn: FunctionIR): Closure {
    const c: Closure = { fn, events: [], returns: [], unresolved: [], truncated: fn.truncated, origin: [], dropped: [], followed: new Set(), waited: [] };
    const unresolved = new Set<string>();
    // callees of the call events, by the event's id
    type Target = { callee: FunctionIR; closure: Closure; step: CallStep };
    const callees = new Map<number, Target>();
    // calls through a function pointer: each function the tree binds the field to
    const indirect = new Map<number, Target[]>();
    // calls of bodiless functions that sleep or reclaim by the derived facts
    const derived = new Map<number, SummaryEvent>();
    // waits for work items: each work function the wait may reach
    const waits = new Map<number, Target[]>();
    fn.events.forEach((e, id) => {
      if (!('args' in e) || !this.facts?.waited) return;
      const targets: Target[] = [];
      for (const w of this.facts.waited(e.name, e.args, fn.file)) {
        const callee = this.resolve(w.function, w.file);
        const closure = callee && callee !== fn ? this.closure(callee) : null;
        if (!callee || !closure) continue;
        if (closure.truncated) c.truncated = true;
        const { function: _, ...waited } = w;
        targets.push({ callee, closure, step: { function: w.function, file: fn.file, line: e.loc.line, waits: waited } });
      }
      if (targets.length) waits.set(id, targets);
    });
    // the functions a call through a pointer may run, each with the binding as its step
    const pointerTargets = <B extends { function: string; file: string }>(bound: readonly B[], line: number, through: (b: B) => NonNullable<CallStep['through']>): Target[] => {
      const targets: Target[] = [];
      for (const b of bound) {
        const callee = this.resolve(b.function, b.file);
        const closure = callee && callee !== fn ? this.closure(callee) : null;
        if (!callee || !closure) continue;
        if (closure.truncated) c.truncated = true;
        targets.push({ callee, closure, step: { function: b.function, file: fn.file, line, through: through(b) } });
      }
      return targets;
    };
    fn.events.forEach((e, id) => {
      if (e.kind !== 'call') return;
      if (e.field !== undefined) {
        const field = e.field;
        // a function that cannot take this call's arguments is not what the member points to
        const bound = (this.facts?.bound(field, fn.file) ?? []).filter((b) => {
          const callee = this.resolve(b.function, b.file);
          return !callee || takes(callee, e.args.length);
        });
        const targets = pointerTargets(bound, e.loc.line, (b) => ({ field, file: b.file, line: b.line, of: bound.length, ...(b.struct ? { struct: b.struct } : {}) }));
        if (targets.length) indirect.set(id, targets);
        return;
      }
      if (e.param !== undefined) {
        // context-insensitive: every function a call site passes there (the caller's fold keeps the one it passes)
        const { bound, unknown } = this.facts?.boundParam?.(fn, e.param) ?? { bound: [], unknown: 0 };
        const param = { name: e.name, owner: fn.name, unknown };
        const targets = pointerTargets(bound, e.loc.line, (b) => ({ param, file: b.file, line: b.line, of: bound.length }));
        if (targets.length) indirect.set(id, targets);
        if (!targets.length || unknown > 0) unresolved.add(e.name);
        return;
      }
      if (!fn.callees.includes(e.name)) return;
      const callee = this.resolve(e.name, fn.file);
      const closure = callee && callee !== fn ? this.closure(callee) : null;
      if (!callee || !closure) {
        unresolved.add(e.name);
        const known = callee ? undefined : this.facts?.derived(e.name, fn.file);
        const base = {
          name: e.name,
          args: e.args,
          loc: e.loc,
          when: e.when,
          locks: e.locks,
          via: [],
          file: fn.file,
          ...(e.macro ? { macro: e.macro } : {}),
          ...(e.discarded ? { discarded: e.discarded } : {}),
          ...(e.commented ? { commented: e.commented } : {}),
        };
        const unlocked = Object.hasOwn(SLEEPS_UNLOCKED, e.name) ? e.args[SLEEPS_UNLOCKED[e.name]!] : undefined;
        if (known?.sleeps) derived.set(id, { ...base, kind: 'sleep', derived: known.sleeps, ...(unlocked ? { unlocks: unlocked, locks: base.locks.filter((l) => !sameLock(l, unlocked)) } : {}) });
        else if (known?.reclaims) {
          const mask = e.args[known.reclaims.gfpArg];
          // the caller's mask decides, as for kmalloc(): only a mask that allows reclaim
          if (mask !== undefined && classifyGfp(mask) === 'sleeping') derived.set(id, { ...base, kind: 'alloc', gfp: { mask, class: 'sleeping' }, derived: known.reclaims.why });
        }
        return;
      }
      if (closure.truncated) c.truncated = true;
      for (const u of closure.unresolved) unresolved.add(u);
      callees.set(id, { callee, closure, step: { function: e.name, file: fn.file, line: e.loc.line } });
    });
    const sites = new Map<string, number>();
    fn.events.forEach((e, id) => {
      if (e.kind === 'call') sites.set(resultAtom(e.name, e.loc), id);
    });

    // returns: `return helper(...)` becomes the helper's returns
    const raw: SummaryReturn[] = [];
    for (const r of fn.returns) {
      const base: SummaryReturn = {
        value: r.value,
        text: r.text,
        file: fn.file,
        loc: r.loc,
        when: r.when,
        via: [],
        path: [...r.path],
        held: [...(r.held ?? [])],
        effects: [...(r.effects ?? [])],
        taken: [],
        ...(r.untracked ? { untracked: r.untracked } : {}),
        ...(r.stores ? { stores: r.stores } : {}),
      };
      const callId = r.value.k === 'call' ? callSiteIn(fn, r) : -1;
      const target = callId >= 0 ? callees.get(callId) : undefined;
      if (!target) {
        raw.push(base);
        continue;
      }
      // `ret = helper(); if (ret) return ret;`: the helper's returns of the truth the path took
      const result = resultAtom(fn.events[callId]!.name, fn.events[callId]!.loc);
      const truth = r.when[result];
      for (const inner of target.closure.returns) {
        // through a variable, only the helper's own returns: deeper ones stand on
        // results of its callees that the paths between the call and the return re-test
        if (r.value.k === 'call' && r.value.at && inner.via.length > 0) continue;
        const t = truth === undefined ? null : nonZero(inner.value);
        if (t !== null && t !== truth) continue;
        const both = combine(r.when, translate(target.callee, fn.events[callId], inner.when));
        if (!both) continue;
        // the helper's own conditions stand for its result now
        const w = truth === undefined ? both : Object.fromEntries(Object.entries(both).filter(([k]) => k !== result));
        const untracked = bothUntracked(r.untracked, inner.untracked);
        // the failure stores are the root's: the callee's own mean nothing here
        const { stores: _callee, ...rest } = inner;
        raw.push({
          ...rest,
          ...(r.stores ? { stores: r.stores } : {}),
          when: w,
          via: [target.step, ...inner.via],
          path: [...r.path],
          held: union(base.held, inner.held),
          effects: union(base.effects, inner.effects),
          taken: inner.taken,
          ...(untracked ? { untracked } : {}),
        });
      }
    }

    // what the callee of a `ret:` atom returns under a truth, in the caller's terms
    type Alt = { when: Assumptions; held: string[]; effects: string[]; taken: HelperOutcome[] };
    const outcomeMemo = new Map<string, Alt[] | null>();
    const outcomes = (result: string, value: boolean): Alt[] | null => {
      const key = `${result}=${value}`;
      if (outcomeMemo.has(key)) return outcomeMemo.get(key)!;
      const id = sites.get(result);
      const target = id === undefined ? undefined : callees.get(id);
      const out =
        id === undefined || !target
          ? null
          : dedupe(
              target.closure.returns
                .filter((r) => {
                  const t = nonZero(r.value);
                  return t === null || t === value;
                })
                // only what the caller can name: the range's flags and its own parameters
                .map((r) => {
                  const when = project(translate(target.callee, fn.events[id]!, r.when));
                  const e = fn.events[id]!;
                  const taken: HelperOutcome = { callee: e.name, file: fn.file, line: e.loc.line, value: r.value, text: r.text, at: { file: r.file, line: r.loc.line }, when };
                  return { when, held: r.held, effects: r.effects, taken: [taken] };
                }),
            );
      outcomeMemo.set(key, out);
      return out;
    };
    // expands every resolvable `ret:` atom of a when into the callee's outcomes
    const expand = (when: Assumptions): Alt[] => {
      let alts: Alt[] = [{ when, held: [], effects: [], taken: [] }];
      if (!Object.keys(when).some(isResultAtom)) return alts;
      for (const [a, value] of Object.entries(when)) {
        if (!isResultAtom(a)) continue;
        const outs = outcomes(a, value);
        if (!outs) continue;
        const next: typeof alts = [];
        for (const a of alts) {
          for (const o of outs) {
            const w = combine(a.when, o.when);
            if (w) next.push({ when: w, held: union(a.held, o.held), effects: union(a.effects, o.effects), taken: [...a.taken, ...o.taken] });
          }
        }
        // past the budget the atom stays as it is: less precise, never wrong
        if (next.length > ALTERNATIVES) {
          c.truncated = true;
          continue;
        }
        alts = dedupe(next);
      }
      return alts;
    };

    // events: the function's own, then each callee's at its call site
    // each with the own event it descends from, and whether it is that event itself
    const rawEvents: Array<{ e: SummaryEvent; origin: number; own: boolean; key?: string }> = [];
    // one event per place, call site and assumptions (the deeper chain is kept from the first)
    const seen = new Set<string>();
    const keyOf = (origin: number, e: Event & { file: string }, when: Assumptions): string => `${origin}:${e.file}:${e.loc.line}:${e.loc.column}:${e.kind}:${whenText(when)}`;
    const fold = (e: Event, id: number, target: Target): void => {
      const result = resultAtom(e.name, e.loc);
      const leadsOf = leadsTo(target.closure);
      const translated = new Map<Assumptions, Assumptions>();
      const passing = passedAt(e, target.callee);
      for (const [k, ce] of target.closure.events.entries()) {
        // through the callee's parameter: only the function this call site passes there
        const first = ce.via[0];
        let via = ce.via;
        if (passing && first?.through?.param?.owner === target.callee.name) {
          const index = target.callee.params.findIndex((p) => p.name === first.through!.param!.name);
          const passed = passing.get(index);
          // a name that is one of the functions bound there (a variable or a parameter passed on keeps them all)
          if (passed !== undefined && this.facts?.boundParam?.(target.callee, index).bound.some((b) => b.function === passed)) {
            if (passed !== first.function) continue;
            via = [{ ...first, through: { ...first.through, file: fn.file, line: e.loc.line, of: 1, param: { ...first.through.param, unknown: 0 } } }, ...ce.via.slice(1)];
          }
        }
        // a call the callee's summary followed is only an edge (its events are there
        // already); a plain call matters to the caller only if the rules ask about it
        if (ce.kind === 'call' && (target.closure.followed.has(ce) || !isCallOfInterest(ce.name))) continue;
        // tie the callee's event to the outcomes it leads to
        const leads = leadsOf.get(target.closure.origin[k]!);
        const tie = leads?.size === 1 && !leads.has(null) ? [...leads][0]! : undefined;
        let t = translated.get(ce.when);
        if (!t) {
          t = forCaller(translate(target.callee, e, ce.when));
          translated.set(ce.when, t);
        }
        const w = combine(e.when, tie === undefined ? t : { ...t, [result]: tie });
        if (!w) continue;
        // the locks the caller holds at the call are held at the callee's events too
        const all = e.locks.length ? union(e.locks, ce.locks) : ce.locks;
        // a lock released for the sleep, named in the callee's terms: the caller's lock of that member
        const locks = ce.unlocks === undefined ? all : all.filter((l) => lockMember(l) !== lockMember(ce.unlocks!.replace(/\s+/g, '').replace(/^&/, '')));
        // nothing to expand: a duplicate is known before it is built
        const key = hasResultAtom(w) ? undefined : keyOf(id, ce, w);
        if (key !== undefined) {
          if (seen.has(key)) continue;
          seen.add(key);
        }
        const untracked = bothUntracked(e.untracked, ce.untracked);
        rawEvents.push({ e: { ...ce, when: w, via: [target.step, ...via], locks, ...(untracked ? { untracked } : {}) }, origin: id, own: false, key });
      }
    };
    fn.events.forEach((e, id) => {
      rawEvents.push({ e: { ...e, via: [], file: fn.file }, origin: id, own: true });
      const target = callees.get(id);
      if (target) fold(e, id, target);
      for (const t of indirect.get(id) ?? []) fold(e, id, t);
      const d = derived.get(id);
      if (d) rawEvents.push({ e: d, origin: id, own: false });
    });
    for (const { e, origin, own, key: known } of rawEvents) {
      for (const alt of known === undefined ? expand(e.when) : [{ when: e.when }]) {
        if (known === undefined) {
          const key = keyOf(own ? -1 : origin, e, alt.when);
          if (seen.has(key)) continue;
          seen.add(key);
        }
        if (c.events.length >= EVENT_BUDGET) {
          c.truncated = true;
          break;
        }
        const kept = alt.when === e.when ? e : { ...e, when: alt.when };
        c.events.push(kept);
        c.origin.push(origin);
        if (own && callees.has(origin)) c.followed.add(kept);
      }
    }

    // what it waits for in other contexts: the work functions' events and waits,
    // and what its callees wait for
    const waitedSeen = new Set<string>();
    const addWaited = (e: Event, target: Target, ce: SummaryEvent, call: Event | undefined): void => {
      if (c.waited.length >= EVENT_BUDGET) {
        c.truncated = true;
        return;
      }
      const when = combine(e.when, forCaller(translate(target.callee, call, ce.when)));
      if (!when) return;
      const waiterLocks = union(e.locks, ce.waiterLocks ?? []);
      const via = [target.step, ...ce.via];
      const key = `${ce.file}:${ce.loc.line}:${ce.loc.column}:${ce.kind}:${whenText(when)}:${via.map((v) => `${v.function}@${v.line}`).join('>')}`;
      if (waitedSeen.has(key)) return;
      waitedSeen.add(key);
      const untracked = bothUntracked(e.untracked, ce.untracked);
      c.waited.push({ ...ce, when, via, waiterLocks, ...(untracked ? { untracked } : {}) });
    };
    fn.events.forEach((e, id) => {
      for (const t of waits.get(id) ?? []) {
        // the work runs in its own context: its parameters are not the waiter's arguments
        for (const ce of t.closure.events) {
          if (ce.kind === 'call' && (t.closure.followed.has(ce) || !isCallOfInterest(ce.name))) continue;
          addWaited(e, t, ce, undefined);
        }
        for (const ce of t.closure.waited) addWaited(e, t, ce, undefined);
      }
      const direct = callees.get(id);
      for (const t of [...(direct ? [direct] : []), ...(indirect.get(id) ?? [])]) for (const ce of t.closure.waited) addWaited(e, t, ce, e);
    });

    // returns: expand their `ret:` atoms; locks and counters follow the outcome
    const releases = new Map<number, SummaryEvent[]>();
    c.events.forEach((e, k) => {
      if (!((e.kind === 'unlock' && e.lock) || (e.kind === 'update' && e.delta === -1))) return;
      const list = releases.get(c.origin[k]!) ?? [];
      list.push(e);
      releases.set(c.origin[k]!, list);
    });
    for (const r of raw) {
      const onPath = new Set(r.path);
      const unlocked = new Set<string>();
      const lowered = new Set<string>();
      const calleeHeld: string[][] = [];
      const calleeEffects: string[][] = [];
      for (const id of r.path) {
        for (const e of releases.get(id) ?? []) {
          if (combine(r.when, e.when) === null) continue;
          if (e.kind === 'unlock') unlocked.add(e.lock);
          else lowered.add(`+${e.name}`);
        }
      }
      // helpers whose result this return does not depend on: what all their returns leave
      for (const id of r.path) {
        const target = callees.get(id);
        const e = fn.events[id]!;
        if (!target || resultAtom(e.name, e.loc) in r.when) continue;
        calleeHeld.push(intersection(target.closure.returns.map((x) => x.held)));
        calleeEffects.push(intersection(target.closure.returns.map((x) => x.effects)));
      }
      // what callees release or lower of what this function took
      const own = (pred: (e: Event) => boolean): boolean => fn.events.some((e, id) => onPath.has(id) && pred(e));
      const calleeUnlocks = new Set([...unlocked].filter((l) => !own((e) => e.kind === 'unlock' && e.lock === l)));
      const calleeLowers = new Set([...lowered].filter((x) => !own((e) => e.kind === 'update' && `+${e.name}` === x && e.delta === -1)));
      for (const alt of expand(r.when)) {
        const fromCallees = union(alt.held, calleeHeld.flat());
        c.returns.push({
          ...r,
          when: alt.when,
          held: union(minus(r.held, calleeUnlocks), minus(fromCallees, unlocked)),
          effects: union(minus(r.effects, calleeLowers), minus(union(alt.effects, calleeEffects.flat()), lowered)),
          taken: [...r.taken, ...alt.taken],
        });
      }
    }
    // a helper called for its effect alone: its failures go nowhere
    for (const [id, target] of callees) {
      const e = fn.events[id]!;
      if (e.kind !== 'call' || !e.discarded) continue;
      for (const r of target.closure.returns) {
        if (nonZero(r.value) !== true) continue;
        const when = combine(e.when, project(translate(target.callee, e, r.when)));
        if (when) c.dropped.push({ callee: e.name, file: fn.file, line: e.loc.line, value: r.value, text: r.text, at: { file: r.file, line: r.loc.line }, when });
      }
    }
    c.unresolved = [...unresolved].sort();
    return c;
  }
}

/** The functions a call passes by name (`&fn`, `fn`), by argument index; null when it passes none. */
function passedAt(e: Event, callee: FunctionIR): Map<number, string> | null {
  if (e.kind !== 'call' || callee.params.length === 0) return null;
  const out = new Map<number, string>();
  e.args.forEach((a, i) => {
    const name = FUNCTION_ARG.exec(a)?.[1];
    if (name) out.set(i, name);
  });
  return out.size ? out : null;
}

/** A callee's path inside a caller's: decided by the conditions of both (undefined: none). */
function bothUntracked(a: readonly UntrackedCondition[] | undefined, b: readonly UntrackedCondition[] | undefined): readonly UntrackedCondition[] | undefined {
  if (!a?.length) return b?.length ? b : undefined;
  if (!b?.length) return a;
  return [...a, ...b];
}

function emptyClosure(fn: FunctionIR): Closure {
  return { fn, events: [], returns: [], unresolved: [fn.name], truncated: true, origin: [], dropped: [], followed: new Set(), waited: [] };
}

/** The id of the call event a `return helper(...)` makes, or -1. */
function callSiteIn(fn: FunctionIR, r: { value: AbstractValue; loc: Loc }): number {
  if (r.value.k !== 'call') return -1;
  const callee = r.value.callee;
  const at = r.value.at;
  if (at) return fn.events.findIndex((e) => e.kind === 'call' && e.name === callee && e.loc.line === at.line && e.loc.column === at.column);
  return fn.events.findIndex((e) => e.kind === 'call' && e.name === callee && e.loc.line >= r.loc.line && e.loc.line <= r.loc.endLine);
}

/** For each own event of the closure's function: the truths of the returns it leads to. */
function leadsTo(c: Closure): Map<number, Set<boolean | null>> {
  if (c.leads) return c.leads;
  const out = new Map<number, Set<boolean | null>>();
  for (const r of c.returns) {
    const t = nonZero(r.value);
    for (const id of r.path) {
      const set = out.get(id) ?? new Set<boolean | null>();
      set.add(t);
      out.set(id, set);
    }
  }
  c.leads = out;
  return out;
}

const whenTexts = new WeakMap<Assumptions, string>();

function whenText(when: Assumptions): string {
  let t = whenTexts.get(when);
  if (t === undefined) {
    t = Object.keys(when)
      .sort()
      .map((k) => `${k}${when[k] ? '+' : '-'}`)
      .join(';');
    whenTexts.set(when, t);
  }
  return t;
}

/** Alternatives that agree on conditions, locks and counters are one; their helper outcomes are kept together. */
function dedupe<T extends { when: Assumptions; held: string[]; effects: string[]; taken: HelperOutcome[] }>(alts: T[]): T[] {
  const byKey = new Map<string, T>();
  for (const a of alts) {
    const k = `${whenText(a.when)}|${a.held.join(',')}|${a.effects.join(',')}`;
    const seen = byKey.get(k);
    if (!seen) byKey.set(k, a);
    else if (a.taken.length) byKey.set(k, { ...seen, taken: [...seen.taken, ...a.taken.filter((t) => !seen.taken.some((x) => x.line === t.line && x.at.line === t.at.line && x.at.file === t.at.file))] });
  }
  return [...byKey.values()];
}

/** One summary without a shared memo (tests, one-off callers). */
export function summarize(fn: FunctionIR, resolve: Resolver, facts?: SummaryFacts): FunctionSummary {
  return new Summarizer(resolve, facts).summary(fn);
}

/** Events on the way to a return: the root's own path, and callee events reached through a call on it. */
export function eventsOnPath(s: FunctionSummary, r: SummaryReturn): SummaryEvent[] {
  const own = new Set(r.path.map((id) => s.fn.events[id]).filter(Boolean));
  const callsOnPath = new Set([...own].filter((e) => e!.kind === 'call').map((e) => `${e!.name}:${e!.loc.line}`));
  return s.events.filter((e) => {
    if (e.via.length === 0) return [...own].some((o) => o!.loc.line === e.loc.line && o!.loc.column === e.loc.column && (o!.kind === e.kind || (e.derived !== undefined && o!.kind === 'call')));
    const first = e.via[0]!;
    return callsOnPath.has(`${first.function}:${first.line}`) && combine(r.when, e.when) !== null;
  });
}
