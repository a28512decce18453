import { describeWhen } from '../ir/describe.js';
import { curatedFacts } from '../ir/facts-db.js';
import { lockMember, normalizeLock, sameLock } from '../ir/queries.js';
import type { Event, FunctionIR, ReturnSite } from '../ir/types.js';
import { HLIST_MEMBERS, INTERVAL_MEMBERS, type OpsMember } from '../model/ops.js';
import { defineRule } from './rule.js';
import { atLoc, atReturn, bindingStep, step, describeVia, decidedBy, failsWith, about } from './support.js';

/** Every callback runs and returns within one core step: nothing it takes may outlive it. */
const CALLBACKS: readonly OpsMember[] = [...INTERVAL_MEMBERS, ...HLIST_MEMBERS];

export default defineRule({
  id: 'lock-held-at-return',
  title: 'callback (for a lockdep map, any function) returns with a lock it took still held on some path',
  severity: 'error',
  invariant: 'API',
  status: 'stable',
  since: '0.1.0',
  docs: {
    what: "Flags a notifier callback that returns, on some path, with a lock it (or a helper it calls) acquired and did not release, while another path of the same callback releases it: a context imbalance in the sense of sparse's `__acquires`/`__releases` checking, path by path. A trylock holds its lock only on the branch where it succeeded, an interruptible acquire only where it returned 0. A lock held on every return is a warning when no other callback of the table releases it. An `invalidate_range_start` that returns holding a lock its table's `invalidate_range_end` releases hands the lock over (ib_umem_odp up to 5.4 holds `umem_rwsem` from start to end): no imbalance, but a warning, as invalidations of one mm nest; a non-blockable range must take it with a trylock (sleep-in-non-blockable-range says so otherwise). Before 5.12 the core calls no end after a failed start, so there a failing return holding it is an error. A lockdep map (`lock_map_acquire()` and its read and try forms, include/linux/lockdep.h) is checked in every function mnlint walks, not only in callbacks, and in the `static inline` functions of a header a patch changes: a function that returns on some path with a map it acquired still held, while another path releases it, is an error. A map annotates a region (the core's `__mmu_notifier_invalidate_range_start_map` around the invalidation, which reclaim primes) and is never meant to stay held across a return on one path only; a map held on every return (a begin/end wrapper) is not flagged, nor one the function also releases on a path that did not acquire it (an acquire and a release under one condition tested twice, which the walk does not tie together). Ordinary locks are not checked outside callbacks: `*_and_lock()` helpers legitimately return holding a lock on success.",
    why: 'The core calls each callback once per invalidation and expects nothing held when it returns (mm/mmu_notifier.c takes no lock for the driver). A path that leaks a mutex or spinlock deadlocks the next invalidation of the same range, typically the OOM reaper or munmap of the same process; a leaked spinlock also leaves preemption disabled. The usual cause is an early `return -EAGAIN`/`return false` added after the lock was taken, as in commit 5a136b4ae327 ("mm/hmm: Fix error flows in hmm_invalidate_range_start"). A lockdep map left acquired makes lockdep see the region as still held: every lock taken afterwards is recorded as nested inside it (false deadlock reports, then lockdep switched off) and the task exits holding it; commit d2b219ed03d4 ("mm, notifier: Fix early return case for new lockdep annotations") fixed such an early return in `mmu_notifier_invalidate_range_start_nonblock()`.',
    bad: `static int drv_start(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
	struct drv *d = container_of(mn, struct drv, mn);

	spin_lock(&d->lock);
	if (!mmu_notifier_range_blockable(range) && d->busy)
		return -EAGAIN;
	d->generation++;
	spin_unlock(&d->lock);
	return 0;
}

static const struct mmu_notifier_ops drv_ops = {
	.invalidate_range_start = drv_start,
};
`,
    good: `static int drv_start(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
	struct drv *d = container_of(mn, struct drv, mn);
	int ret = 0;

	spin_lock(&d->lock);
	if (!mmu_notifier_range_blockable(range) && d->busy) {
		ret = -EAGAIN;
		goto out;
	}
	d->generation++;
out:
	spin_unlock(&d->lock);
	return ret;
}

static const struct mmu_notifier_ops drv_ops = {
	.invalidate_range_start = drv_start,
};
`,
    references: [
      'commit 5a136b4ae327 ("mm/hmm: Fix error flows in hmm_invalidate_range_start")',
      'Documentation/dev-tools/sparse.rst: __acquires / __releases context checking',
      'include/linux/mmu_notifier.h: struct mmu_notifier_ops',
      'commit d2b219ed03d4 ("mm, notifier: Fix early return case for new lockdep annotations")',
      'include/linux/lockdep.h: lock_map_acquire(), lock_map_release()',
    ],
  },
  messages: {
    heldOnSomePath: '{{fn}}() returns {{value}} with {{lock}} still held{{when}}; the other paths release it',
    heldUntilEnd:
      '{{fn}}() returns {{value}}{{when}} holding {{lock}} for {{end}}() to release: legal for one invalidation, but invalidations of one mm nest (a start inside another start/end, as zap_page_range() splitting a huge pmd) and the nested start takes {{lock}} again; a read lock then deadlocks behind a waiting writer (f25a546e6529)',
    neverReleased: '{{fn}}() returns with {{lock}} held on every path and no callback of {{table}} releases it',
    mapHeldOnSomePath:
      '{{fn}}() returns {{value}}{{when}} with the lockdep map {{map}} still acquired; the return at line {{other}} releases it: lockdep sees the region held after the return (later locks nest inside it)',
  },
  checkFile(file, ctx) {
    for (const fn of file.functions) {
      if (fn.truncated) continue;
      for (const m of mapImbalances(fn)) {
        const value = m.held.text || '(end of function)';
        ctx.report({
          ...atLoc(file.file, m.held.loc),
          function: fn.name,
          decidedBy: decidedBy(m.held, m.released),
          about: about(null, null, 'lock', [m.map]),
          messageId: 'mapHeldOnSomePath',
          data: { fn: fn.name, value, when: describeWhen(m.held.when), map: m.map, other: m.released.loc.line },
          steps: [
            ...(m.acquire ? [step({ file: file.file, loc: m.acquire.loc }, `${m.acquire.name}(${m.map})${describeWhen(m.acquire.when)}`, 'event')] : []),
            step({ file: file.file, loc: m.held.loc }, `returns ${value} with ${m.map} acquired`, 'return'),
            ...(m.release ? [step({ file: file.file, loc: m.release.loc }, `${m.release.name}(${m.map}) on the other path`, 'event')] : []),
            step({ file: file.file, loc: m.released.loc }, `returns ${m.released.text || '(end of function)'} with ${m.map} released`, 'return'),
          ],
        });
      }
    }
  },
  checkTable(table, ctx) {
    const callbacks = CALLBACKS.map((f) => ctx.callback(table, f)).filter((c) => c?.fn);
    const releasedElsewhere = (lock: string, except: string): boolean =>
      callbacks.some((c) => c!.field.field !== except && ctx.summary(c!.fn!).events.some((e) => e.kind === 'unlock' && lockMember(e.lock) === lockMember(lock)));
    // the end callback that releases a lock its start took: the lock is held from start to end
    const handedToEnd = (field: string, lock: string): string | null => {
      if (field !== 'invalidate_range_start') return null;
      const end = callbacks.find((c) => c!.field.field === 'invalidate_range_end');
      if (!end?.fn) return null;
      return ctx.summary(end.fn).events.some((e) => e.kind === 'unlock' && lockMember(e.lock) === lockMember(lock)) ? end.fn.name : null;
    };
    for (const cb of callbacks) {
      const fn = cb!.fn!;
      const s = ctx.summary(fn);
      if (s.truncated) continue;
      const held = new Map<string, typeof s.returns>();
      for (const r of s.returns) for (const l of r.held) if (l) held.set(l, [...(held.get(l) ?? []), r]);
      for (const [lock, all] of [...held].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const released = s.returns.some((r) => !r.held.includes(lock));
        if (!released && releasedElsewhere(lock, cb!.field.field)) continue;
        // start hands the lock to its end: the returns that succeed keep it for end to release
        const handOff = handedToEnd(cb!.field.field, lock);
        // what end cannot release: before 5.12 the core calls no end after a failed start
        const leaked = handOff ? all.filter((r) => !ctx.api.endAfterFailedStart && failsWith(cb!.field.field, r.value) === true) : all;
        // a start that leaks on its failing returns still hands the lock to end on the others:
        // both are reported, so fixing the leak leaves the hand-off as it was, not new
        const reports: { at: typeof all; handed: boolean }[] = [];
        if (leaked.length) reports.push({ at: leaked, handed: false });
        if (handOff !== null) {
          const kept = all.filter((r) => !leaked.includes(r));
          if (kept.length) reports.push({ at: kept, handed: true });
        }
        for (const { at, handed } of reports) {
          const r = at.find((x) => !x.untracked?.length) ?? at[0];
          if (!r) continue;
          const taken = s.events.find((e) => e.kind === 'lock' && sameLock(e.lock, lock));
          const value = r.text || '(end of function)';
          ctx.report({
            ...atReturn(r),
            severity: released && !handed ? 'error' : 'warning',
            function: r.via.length ? r.via[r.via.length - 1]!.function : fn.name,
            decidedBy: decidedBy(r),
            about: about(table, cb!.field.field, 'lock', [lockMember(lock)]),
            ...(handed
              ? { messageId: 'heldUntilEnd' as const, data: { fn: fn.name, value, lock, when: describeWhen(r.when), end: handOff ?? '' } }
              : released
                ? { messageId: 'heldOnSomePath' as const, data: { fn: fn.name, value, lock, when: describeWhen(r.when) } }
                : { messageId: 'neverReleased' as const, data: { fn: fn.name, lock, table: table.name } }),
            steps: [
              bindingStep(table, cb!.field, fn.name),
              ...(taken ? [...describeVia(taken.via), step(taken, `${taken.name}(${lock})${describeWhen(taken.when)}`, 'event')] : []),
              ...describeVia(r.via),
              step(r, `returns ${value} with ${lock} held${at.length > 1 ? ` (and ${at.length - 1} more return${at.length > 2 ? 's' : ''})` : ''}`, 'return'),
            ],
          });
        }
      }
    }
  },
});

/** A lockdep map acquired and held at one return of a function, released on the way to another. */
interface MapImbalance {
  readonly map: string;
  readonly held: ReturnSite;
  readonly released: ReturnSite;
  readonly acquire: Event | undefined;
  readonly release: Event | undefined;
}

/**
 * The lockdep maps a function returns holding on some path while a path
 * that acquired the same map releases it before its return: one per map, at
 * the first such return (a proven one first). A map held on every return (a
 * begin/end wrapper such as cpuhp_lock_acquire()) or acquired on one path only
 * and never released is no imbalance of this function. Nor is a map the
 * function also releases on a path that did not acquire it: the acquire and
 * the release stand under one condition tested twice (iwlwifi's
 * `if (!(cmd->flags & CMD_ASYNC))` around both), which the walk does not tie
 * together, so the path that keeps the map may not exist.
 */
function mapImbalances(fn: FunctionIR): MapImbalance[] {
  const mapOf = (e: Event, kind: 'acquire' | 'release'): string | null => (e.kind === 'call' && curatedFacts(e.name).lockdepMap === kind ? normalizeLock(e.args[0] ?? '') : null);
  const out: MapImbalance[] = [];
  const maps = [...new Set(fn.returns.flatMap((r) => r.maps ?? []))].sort();
  for (const map of maps) {
    // released where this function had not acquired it: the pairing hangs on conditions the walk does not tie together
    if (fn.unpairedMaps?.includes(map)) continue;
    const onPath = (r: ReturnSite, kind: 'acquire' | 'release'): Event | undefined => r.path.map((id) => fn.events[id]).find((e) => e !== undefined && mapOf(e, kind) === map);
    const released = fn.returns.filter((r) => !r.maps?.includes(map) && onPath(r, 'acquire') && onPath(r, 'release'));
    if (!released.length) continue;
    const holding = fn.returns.filter((r) => r.maps?.includes(map));
    const held = holding.find((r) => !r.untracked?.length) ?? holding[0]!;
    const other = released.find((r) => !r.untracked?.length) ?? released[0]!;
    out.push({ map, held, released: other, acquire: onPath(held, 'acquire'), release: onPath(other, 'release') });
  }
  return out;
}
