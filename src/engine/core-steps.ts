// The core's own steps as a scanned mm/mmu_notifier.c implements them, read
// from the IR of its functions: which of the model's CoreBehaviour steps the
// code takes, where, and what the model makes of a missing one (run with the
// code's step and the level's contract for the rest, against probe notifiers).
import type { Event, FileIR, FunctionIR, Loc, ReturnSite } from '../ir/types.js';
import { calleeResult, pathEventsOf, targetMember, updateDelta, updateOf, writtenTexts } from '../ir/queries.js';
import { CORE, READ_BEGIN, REMOVE } from '../ir/kernel-api/notifier.js';
import { EAGAIN } from '../ir/kernel-api/errno.js';
import type { ApiLevel } from '../model/api.js';
import { behaviourOf, type CoreStep, type Violation } from '../model/core.js';
import { coreProbes, explore } from '../model/explore.js';

export interface CoreStepFact {
  step: CoreStep;
  /** the code takes the step (on the paths it must) */
  holds: boolean;
  function: string;
  file: string;
  /** where the step is, or where it is missing (the return that lacks it, else the function) */
  loc: Loc;
  /** what the code does, for messages and traces */
  evidence: string;
}

export type CoreViolation = Violation & { scenario: string };

/** The functions of the core that carry its state machine; a file defining one is the core (or a part of it). */
export function isCoreFile(file: FileIR): boolean {
  return file.functions.some((f) => STEPS.some((s) => s.fn === f.name));
}

/** A test of an event of a core function; `fns` are the core file's functions (helpers an event's arguments call). */
type PathTest = (e: Event, fns?: ReadonlyMap<string, FunctionIR>) => boolean;

const member =
  (name: string, sign: 1 | -1 | 0): PathTest =>
  (e) => {
    const u = updateOf(e);
    if (!u || targetMember(u.target) !== name) return false;
    const d = updateDelta(e)!;
    return sign === 0 ? true : Math.sign(d) === sign;
  };
const marksOdd: PathTest = (e) => {
  const u = updateOf(e);
  return !!u && targetMember(u.target) === 'invalidate_seq' && (u.op === '|=' || (u.op === '=' && /\|\s*1\b/.test(u.value)));
};
const calls =
  (...names: string[]): PathTest =>
  (e) =>
    names.includes(e.name);
/** `subscriptions->invalidate_seq = 2`: an even constant (the idle state) */
const startsEven: PathTest = (e) => {
  const u = updateOf(e);
  return !!u && targetMember(u.target) === 'invalidate_seq' && u.op === '=' && /^\d+$/.test(u.value.trim()) && Number(u.value) % 2 === 0;
};
/**
 * A wait_event whose condition reads `what`: in its own text, or through a
 * helper of the core it calls that reads it (its returns, its calls) or reads
 * the core's state under a lock (as mmu_interval_seq_released()).
 */
const waitsOn =
  (what: RegExp): PathTest =>
  (e, fns) => {
    if (e.kind !== 'sleep' || !/^wait_event/.test(e.name)) return false;
    const cond = e.args.slice(1).join(',');
    if (what.test(cond)) return true;
    return conditionHelpers(cond, fns).some((h) => h.events.some((x) => x.kind === 'lock') || h.returns.some((r) => what.test(r.text)) || h.events.some((x) => 'args' in x && what.test(x.args.join(','))));
  };

/** The core's own functions a condition calls. */
function conditionHelpers(cond: string, fns: ReadonlyMap<string, FunctionIR> | undefined): FunctionIR[] {
  if (!fns) return [];
  return [...cond.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)].map((m) => fns.get(m[1]!)).filter((f): f is FunctionIR => f !== undefined);
}
const defersTo = (e: Event): boolean => /^hlist_add/.test(e.name) && /deferred_list/.test(writtenTexts(e).join(','));

interface StepSpec {
  step: CoreStep;
  fn: string;
  /** `every`: each return path of the function (or each one `on` selects); `some`: one path */
  mode: 'every' | 'some';
  tests: PathTest[];
  on?: (r: ReturnSite, events: readonly Event[]) => boolean;
  /** what the function must do anywhere to be judged: a reduced or partial stand-in is not the core's step */
  applies: PathTest;
  takes: string;
  lacks: string;
}

/** A return that hands back an hlist start's result, unless the path knows it was 0. */
function hlistMayFail(r: ReturnSite): boolean {
  const known = calleeResult(r.when, CORE.hlistInvalidateRangeStart);
  if (known !== undefined) return known;
  return r.value.k === 'call' && r.value.callee === CORE.hlistInvalidateRangeStart;
}

const STEPS: readonly StepSpec[] = [
  {
    step: 'startCountsRange',
    fn: CORE.itreeInvStartRange,
    mode: 'every',
    applies: calls(CORE.treeIterFirst),
    tests: [member('active_invalidate_ranges', 1)],
    takes: 'counts the range in active_invalidate_ranges',
    lacks: 'does not count the range in active_invalidate_ranges',
  },
  {
    step: 'startMarksSeq',
    fn: CORE.itreeInvStartRange,
    mode: 'some',
    applies: member('active_invalidate_ranges', 1),
    tests: [marksOdd],
    takes: 'marks invalidate_seq odd when an interval overlaps',
    lacks: 'never marks invalidate_seq odd',
  },
  {
    step: 'endUncountsRange',
    fn: CORE.itreeInvEnd,
    mode: 'every',
    applies: member('invalidate_seq', 0),
    tests: [member('active_invalidate_ranges', -1)],
    takes: 'lowers active_invalidate_ranges',
    lacks: 'does not lower active_invalidate_ranges',
  },
  {
    step: 'endAdvancesSeq',
    fn: CORE.itreeInvEnd,
    mode: 'some',
    applies: member('active_invalidate_ranges', -1),
    tests: [member('invalidate_seq', 1)],
    takes: 'advances invalidate_seq past the invalidation',
    lacks: 'never advances invalidate_seq back to even',
  },
  {
    step: 'endAppliesDeferred',
    fn: CORE.itreeInvEnd,
    mode: 'some',
    applies: member('active_invalidate_ranges', -1),
    tests: [calls(CORE.treeInsert), calls(CORE.treeRemove)],
    takes: 'applies the deferred inserts and removes',
    lacks: 'does not apply the deferred inserts and removes',
  },
  {
    step: 'endWakes',
    fn: CORE.itreeInvEnd,
    mode: 'some',
    applies: member('active_invalidate_ranges', -1),
    tests: [calls('wake_up_all', 'wake_up')],
    takes: 'wakes the waiters on subscriptions->wq',
    lacks: 'never wakes the waiters on subscriptions->wq',
  },
  {
    step: 'failedStartEnds',
    fn: CORE.itreeInvalidate,
    mode: 'every',
    applies: calls(CORE.itreeInvStartRange),
    on: (r) => r.value.k === 'int' && r.value.v === -EAGAIN,
    tests: [calls(CORE.itreeInvEnd)],
    takes: 'ends the range (mn_itree_inv_end) before returning -EAGAIN',
    lacks: 'returns -EAGAIN without mn_itree_inv_end',
  },
  {
    step: 'readBeginWaits',
    fn: READ_BEGIN,
    mode: 'some',
    applies: (e) => /invalidate_seq/.test(writtenTexts(e).join(',')),
    tests: [waitsOn(/invalidate_seq/)],
    takes: 'waits while the interval is being invalidated',
    lacks: 'does not wait while the interval is being invalidated',
  },
  {
    step: 'removeWaits',
    fn: REMOVE,
    mode: 'some',
    applies: defersTo,
    tests: [waitsOn(/seq/)],
    takes: 'waits for the invalidation in flight on its sequence',
    lacks: 'does not wait for the invalidation in flight',
  },
  {
    step: 'insertDefers',
    fn: CORE.intervalInsert,
    mode: 'some',
    applies: calls(CORE.treeInsert),
    tests: [defersTo],
    takes: 'defers an insert during an invalidation',
    lacks: 'never defers an insert during an invalidation',
  },
  {
    step: 'removeDefers',
    fn: REMOVE,
    mode: 'some',
    applies: calls(CORE.treeRemove),
    tests: [defersTo],
    takes: 'defers a remove during an invalidation',
    lacks: 'never defers a remove during an invalidation',
  },
  {
    step: 'hlistFailureEndsRange',
    fn: CORE.invalidateRangeStart,
    mode: 'every',
    applies: calls(CORE.itreeInvalidate),
    // an hlist start fails only in a non-blockable range (c2655835fd8c WARNs otherwise):
    // a blockable path is not a failure path, its caller ends the range
    on: (r, evs) => hlistMayFail(r) && r.when.blockable !== true && evs.some((e) => calls(CORE.itreeInvalidate)(e)),
    tests: [calls(CORE.itreeInvEnd)],
    takes: 'ends the interval range when the hlist start fails',
    lacks: 'returns a failed hlist start without ending the interval range it started',
  },
  {
    step: 'releaseEndsRange',
    fn: CORE.itreeRelease,
    mode: 'every',
    applies: calls(CORE.itreeInvStartRange),
    tests: [calls(CORE.itreeInvEnd)],
    takes: 'ends the range it started over the address space',
    lacks: 'returns without mn_itree_inv_end',
  },
  {
    step: 'registerStartsEven',
    fn: CORE.register,
    mode: 'some',
    applies: member('invalidate_seq', 0),
    tests: [startsEven],
    takes: 'starts invalidate_seq even',
    lacks: 'starts invalidate_seq odd: every mmu_interval_read_begin() would wait',
  },
  {
    step: 'endAfterFailedStart',
    fn: CORE.hlistInvalidateRangeStart,
    mode: 'some',
    applies: calls('->invalidate_range_start'),
    tests: [calls('->invalidate_range_end')],
    takes: 'calls invalidate_range_end on every notifier that has one after a failed start',
    lacks: 'returns a failed start without invalidate_range_end on the notifiers whose start succeeded',
  },
];

/**
 * The steps a scanned core takes or lacks. A step is judged only when its
 * function was walked in full (a truncated walk proves no absence) and, for
 * `every` steps, has a path it applies to.
 */
export function coreSteps(file: FileIR): CoreStepFact[] {
  const fns = new Map(file.functions.map((f) => [f.name, f]));
  const out: CoreStepFact[] = [];
  for (const spec of STEPS) {
    const fn = fns.get(spec.fn);
    if (!fn || fn.truncated || !fn.events.some((e) => spec.applies(e, fns))) continue;
    const fact = judge(fn, spec, fns);
    if (fact) out.push(fact);
  }
  const deferred = removeWaitsForDeferred(fns);
  if (deferred) out.push(deferred);
  return out;
}

/**
 * remove's wait must not end before inv_end has walked the deferred list:
 * either its condition takes subscriptions->lock (a helper that locks, as
 * mmu_interval_seq_released() since 319561669a59), or inv_end advances the
 * sequence only after the walk.
 */
function removeWaitsForDeferred(fns: ReadonlyMap<string, FunctionIR>): CoreStepFact | null {
  const remove = fns.get(REMOVE);
  const end = fns.get(CORE.itreeInvEnd);
  const wait = remove?.events.find((e) => waitsOn(/seq/)(e, fns));
  if (!remove || !end || !wait || remove.truncated || end.truncated) return null;
  const base = { step: 'removeWaitsForDeferred' as const, function: remove.name, file: remove.file };
  // calls evaluated inside the wait's condition
  const inside = remove.events.filter((e) => e.kind === 'call' && e !== wait && e.loc.line >= wait.loc.line && e.loc.line <= wait.loc.endLine);
  const locked = inside.some((e) => fns.get(e.name)?.events.some((x) => x.kind === 'lock'));
  if (locked) return { ...base, holds: true, loc: wait.loc, evidence: `${remove.name}() reads the sequence under subscriptions->lock while it waits` };
  const advance = end.events.find((e) => member('invalidate_seq', 1)(e));
  const walk = end.events.filter((e) => calls(CORE.treeInsert, CORE.treeRemove, 'hlist_del')(e));
  if (!advance || !walk.length) return null;
  if (walk.every((e) => e.loc.line < advance.loc.line)) return { ...base, holds: true, loc: wait.loc, evidence: `${end.name}() advances the sequence after the deferred walk` };
  return { ...base, holds: false, loc: wait.loc, evidence: `${remove.name}() waits on a lockless read of the sequence, which ${end.name}() advances before it walks the deferred list` };
}

function judge(fn: FunctionIR, spec: StepSpec, fns: ReadonlyMap<string, FunctionIR>): CoreStepFact | null {
  const base = { step: spec.step, function: fn.name, file: fn.file };
  const returns = fn.returns.filter((r) => spec.on?.(r, pathEventsOf(fn, r)) ?? true);
  const has = (r: ReturnSite): Event | undefined => {
    const evs = pathEventsOf(fn, r);
    const found = spec.tests.map((t) => evs.find((e) => t(e, fns)));
    return found.every(Boolean) ? found[0] : undefined;
  };
  if (spec.mode === 'every') {
    if (!returns.length) return null;
    const missing = returns.find((r) => !has(r));
    if (missing) return { ...base, holds: false, loc: missing.loc, evidence: `${fn.name}() ${spec.lacks}` };
    return { ...base, holds: true, loc: has(returns[0]!)!.loc, evidence: `${fn.name}() ${spec.takes}` };
  }
  for (const r of returns) {
    const e = has(r);
    if (e) return { ...base, holds: true, loc: e.loc, evidence: `${fn.name}() ${spec.takes}` };
  }
  // events of a loop body the walk saw but no return path kept
  if (spec.tests.every((t) => fn.events.some((e) => t(e, fns)))) return { ...base, holds: true, loc: fn.events.find((e) => spec.tests[0]!(e, fns))!.loc, evidence: `${fn.name}() ${spec.takes}` };
  return { ...base, holds: false, loc: fn.loc, evidence: `${fn.name}() ${spec.lacks}` };
}

/**
 * What the model shows when the core runs `step` as the code does (not at
 * all) and every other step as the level says: the first violation that the
 * core with every step does not have, with its trace. The baseline has the
 * hlist pairing of c2655835fd8c whatever the level: a pre-5.12 core lacks
 * that step, and the model shows what that costs.
 */
export function missingStepViolation(api: ApiLevel, step: CoreStep): CoreViolation | undefined {
  const contract = { ...behaviourOf(api), endAfterFailedStart: true, hlistFailureEndsRange: true };
  // the hlist pairing needs only the hlist probes: the trace shows nothing else
  const probes = step === 'endAfterFailedStart' ? coreProbes().filter((p) => p.kind === 'hlist') : coreProbes();
  const base = explore(api, probes, { behaviour: contract });
  const known = new Set(base.violations.map((v) => v.message));
  const broken = explore(api, probes, { behaviour: { ...contract, [step]: false } });
  return broken.violations.find((v) => !known.has(v.message));
}
