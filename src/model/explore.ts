// The explorer: runs bounded scenarios of core operations on abstract drivers,
// enumerating every combination of callback outcomes (depth-first over the
// choices, each run replaying a choice vector), and collects the invariant
// violations with the trace that led to each.
import type { ApiLevel } from './api.js';
import { EAGAIN, causeKey, type AbstractNotifier, type Cause, type Chooser, type CoreBehaviour, type Invariant, type Violation, type ViolationKind } from './core.js';
import { MmuNotifierCore } from './mmu-notifier-core.js';
import { MODEL_ATOMIC_CALLBACKS } from './ops.js';

export interface Scenario {
  name: string;
  /** which notifiers it needs */
  applies(notifiers: readonly AbstractNotifier[]): boolean;
  run(core: MmuNotifierCore, notifiers: readonly AbstractNotifier[]): void;
}

const RANGE = { start: 0, end: 1 << 20 };

function register(core: MmuNotifierCore, notifiers: readonly AbstractNotifier[]): void {
  for (const n of notifiers) {
    if (n.kind === 'interval') core.insertInterval(n);
    else core.registerHlist(n);
  }
}

function invalidation(core: MmuNotifierCore, blockable: boolean): void {
  const inv = core.invalidateRangeStart({ ...RANGE, blockable });
  core.invalidateRangeEnd(inv);
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'a blockable invalidation (munmap)',
    applies: () => true,
    run(core, ns) {
      register(core, ns);
      invalidation(core, true);
    },
  },
  {
    name: 'a non-blockable invalidation (the OOM reaper)',
    applies: () => true,
    run(core, ns) {
      register(core, ns);
      invalidation(core, false);
    },
  },
  {
    name: 'two concurrent invalidations',
    applies: () => true,
    run(core, ns) {
      register(core, ns);
      // CPU A and CPU B both between their first pass and their finish pass
      const on = (cpu: string): void => {
        core.caller = cpu;
      };
      on('CPU A');
      const a = core.beginStart({ ...RANGE, blockable: true });
      on('CPU B');
      const b = core.beginStart({ ...RANGE, blockable: false });
      core.completeStart(b);
      on('CPU A');
      core.completeStart(a);
      on('CPU B');
      core.invalidateRangeEnd(b);
      on('CPU A');
      core.invalidateRangeEnd(a);
    },
  },
  {
    name: 'the read side across an invalidation',
    applies: (ns) => ns.some((n) => n.kind === 'interval' && n.usesReadSide),
    run(core, ns) {
      register(core, ns);
      const readers = ns.filter((n) => n.kind === 'interval' && n.usesReadSide);
      const seqs = readers.map((n) => core.readBegin(n.name).seq);
      const inv = core.invalidateRangeStart({ ...RANGE, blockable: true });
      readers.forEach((n, i) => {
        // a read_begin during the invalidation must wait (I8)
        const during = core.readBegin(n.name);
        if (!during.blocked) {
          const why = !core.isInvalidating()
            ? 'the core left invalidate_seq even while the invalidation runs (mn_itree_inv_start_range did not mark it odd)'
            : during.seq === core.invalidateSeq
              ? 'the core did not wait for the invalidation to end'
              : `${n.name}'s invalidate did not call mmu_interval_set_seq`;
          violation(core, 'read-begin-during-invalidation', 'I8', n.name, `mmu_interval_read_begin(${n.name}) returned during an invalidation of its interval: ${why}`);
        }
        void i;
      });
      core.invalidateRangeEnd(inv);
      readers.forEach((n, i) => {
        if (!core.readRetry(n.name, seqs[i]!)) {
          violation(
            core,
            'retry-misses-invalidation',
            'I6',
            n.name,
            `mmu_interval_read_retry(${n.name}) returned false after an invalidation of its interval: ${n.name}'s invalidate returned true without mmu_interval_set_seq, so the driver commits stale mappings`,
            core.intervalCause(n.name),
          );
        }
      });
    },
  },
  {
    name: 'a remove during an invalidation',
    applies: (ns) => ns.some((n) => n.kind === 'interval'),
    run(core, ns) {
      register(core, ns);
      const victim = ns.find((n) => n.kind === 'interval')!;
      const inv = core.invalidateRangeStart({ ...RANGE, blockable: true });
      core.removeInterval(victim.name);
      core.invalidateRangeEnd(inv);
    },
  },
  {
    name: 'an insert during an invalidation',
    applies: (ns) => ns.some((n) => n.kind === 'interval'),
    run(core, ns) {
      const [first, ...rest] = ns;
      register(core, rest);
      core.insertInterval({ name: 'other', kind: 'interval', callbacks: { invalidate: () => [{ ret: true, setSeq: true, label: 'a well-behaved notifier' }] } });
      const inv = core.invalidateRangeStart({ ...RANGE, blockable: true });
      register(core, [first!]);
      core.invalidateRangeEnd(inv);
    },
  },
  {
    name: 'exit_mmap (release)',
    applies: () => true,
    run(core, ns) {
      register(core, ns);
      core.release();
    },
  },
  {
    name: 'callbacks that must not sleep',
    applies: (ns) => ns.some((n) => n.kind === 'hlist'),
    run(core, ns) {
      register(core, ns);
      for (const n of ns.filter((x) => x.kind === 'hlist')) {
        for (const f of MODEL_ATOMIC_CALLBACKS) core.callAtomic(n.name, f);
      }
    },
  },
];

/**
 * The notifiers a core is checked with: an interval mirror that runs the read
 * side and fails only in non-blockable ranges, an hlist notifier whose start
 * may fail there (no end, as I2 asks), and one that counts start/end as KVM
 * does. Registered together on one mm, they reach every step of the core.
 */
export function coreProbes(): AbstractNotifier[] {
  return [
    {
      name: 'mirror',
      kind: 'interval',
      usesReadSide: true,
      interval: [0, 1 << 20],
      callbacks: {
        invalidate: ({ blockable }) => [
          { ret: true, setSeq: true, label: 'probe: takes the driver lock, sets the sequence' },
          ...(blockable ? [] : [{ ret: false, label: 'probe: the trylock failed in a non-blockable range' }]),
        ],
      },
    },
    {
      name: 'failing',
      kind: 'hlist',
      callbacks: { invalidate_range_start: ({ blockable }) => [{ ret: 0, label: 'probe: start succeeds' }, ...(blockable ? [] : [{ ret: EAGAIN, label: 'probe: -EAGAIN in a non-blockable range' }])] },
    },
    {
      name: 'counter',
      kind: 'hlist',
      callbacks: {
        invalidate_range_start: () => [{ ret: 0, label: 'probe: counts the range in (as KVM)' }],
        invalidate_range_end: () => [{ ret: 0, label: 'probe: counts the range out' }],
      },
    },
  ];
}

/**
 * A driver's notifiers as they meet on a real mm: each table registered a
 * second time (two objects of one driver: a private finish must not be one
 * object for both), and, when an hlist notifier has a start, a companion that
 * counts start/end as KVM does (a failed start must not unbalance it).
 */
export function withCompanions(notifiers: readonly AbstractNotifier[]): AbstractNotifier[] {
  const out = [...notifiers];
  const first = notifiers[0];
  if (first) out.push({ ...first, name: `${first.name}#2`, ops: first.ops ?? first.name });
  const counts = notifiers.some((n) => n.callbacks.invalidate_range_start && n.callbacks.invalidate_range_end);
  if (notifiers.some((n) => n.kind === 'hlist' && n.callbacks.invalidate_range_start) && !counts) out.push(coreProbes()[2]!);
  return out;
}

function violation(core: MmuNotifierCore, kind: ViolationKind, invariant: Invariant, notifier: string, message: string, cause?: Cause): void {
  core.violations.push({ kind, invariant, notifier, message, ...(cause ? { cause } : {}), trace: [...core.trace], places: new Map(core.places), steps: [...core.steps], lanes: core.lanes() });
}

/** Replays a prefix of choices, then takes the first option; records the branching. */
class ReplayChooser implements Chooser {
  readonly taken: Array<{ index: number; count: number }> = [];
  constructor(private readonly prefix: readonly number[]) {}
  choose<T>(_what: string, options: readonly T[]): T {
    const k = this.taken.length;
    const index = k < this.prefix.length ? this.prefix[k]! : 0;
    this.taken.push({ index, count: options.length });
    return options[index]!;
  }
}

export interface ExploreResult {
  /** one per invariant, notifier and message: what `model explore` prints */
  violations: Array<Violation & { scenario: string }>;
  /**
   * The same, kept once more per cause: the first trace for each callback
   * outcome that leads to a violation, so a finding at one return gets the
   * counterexample that runs through that return.
   */
  evidence: Array<Violation & { scenario: string }>;
  scenarios: number;
  runs: number;
  /** a scenario stopped at the run budget: its choices were not all explored */
  truncated: boolean;
}

export interface ExploreOptions {
  /** runs per scenario (choice vectors) */
  maxRuns?: number;
  scenarios?: readonly Scenario[];
  /** the core's own steps, where a scanned core differs from the level's contract */
  behaviour?: Partial<CoreBehaviour>;
}

/**
 * Explores every scenario that applies to `notifiers` (registered together on
 * one mm), enumerating callback outcomes. Violations are deduplicated by
 * invariant, notifier and message; each keeps the first (shortest) trace.
 */
export function explore(api: ApiLevel, notifiers: readonly AbstractNotifier[], opts: ExploreOptions = {}): ExploreResult {
  const maxRuns = opts.maxRuns ?? 2000;
  const result: ExploreResult = { violations: [], evidence: [], scenarios: 0, runs: 0, truncated: false };
  const seen = new Set<string>();
  const seenCause = new Set<string>();
  for (const scenario of opts.scenarios ?? SCENARIOS) {
    if (!scenario.applies(notifiers)) continue;
    result.scenarios++;
    const stack: number[][] = [[]];
    let runs = 0;
    while (stack.length) {
      if (runs >= maxRuns) {
        result.truncated = true;
        break;
      }
      const prefix = stack.pop()!;
      const chooser = new ReplayChooser(prefix);
      const core = new MmuNotifierCore(api, chooser, opts.behaviour);
      core.trace.push(`scenario: ${scenario.name} (API ${api.id})`);
      scenario.run(core, notifiers);
      core.checkQuiescent();
      runs++;
      for (const v of core.violations) {
        const key = `${v.invariant}\0${v.notifier}\0${v.message}`;
        const withCause = `${key}\0${causeKey(v.cause)}`;
        if (!seenCause.has(withCause)) {
          seenCause.add(withCause);
          result.evidence.push({ ...v, scenario: scenario.name });
        }
        if (seen.has(key)) continue;
        seen.add(key);
        result.violations.push({ ...v, scenario: scenario.name });
      }
      // siblings of every choice made past the prefix, deepest last so DFS order is stable
      const next: number[][] = [];
      for (let k = prefix.length; k < chooser.taken.length; k++) {
        const { count } = chooser.taken[k]!;
        const base = chooser.taken.slice(0, k).map((t) => t.index);
        for (let alt = 1; alt < count; alt++) next.push([...base, alt]);
      }
      stack.push(...next.reverse());
    }
    result.runs += runs;
  }
  return result;
}

/**
 * One driver's notifier explored alone, then with its companions
 * (withCompanions); a violation already found alone keeps its shorter trace.
 */
export function exploreWithCompanions(api: ApiLevel, notifier: AbstractNotifier, opts: ExploreOptions = {}): ExploreResult {
  const alone = explore(api, [notifier], opts);
  const together = explore(api, withCompanions([notifier]), opts);
  const same = (m: string): string => m.split(`${notifier.name}#2`).join(notifier.name);
  const seen = new Set(alone.violations.map((v) => `${v.invariant}\0${same(v.message)}`));
  const extra = together.violations.filter((v) => !seen.has(`${v.invariant}\0${same(v.message)}`));
  const withCause = (v: Violation): string => `${v.invariant}\0${same(v.message)}\0${causeKey(v.cause)}`;
  const seenCause = new Set(alone.evidence.map(withCause));
  const extraEvidence = together.evidence.filter((v) => !seenCause.has(withCause(v)));
  return {
    violations: [...alone.violations, ...extra],
    evidence: [...alone.evidence, ...extraEvidence],
    scenarios: alone.scenarios + together.scenarios,
    runs: alone.runs + together.runs,
    truncated: alone.truncated || together.truncated,
  };
}
