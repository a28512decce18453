// The interval notifier's protocols as typestate tables (ir/typestate.ts),
// read from include/linux/mmu_notifier.h, mm/mmu_notifier.c and
// Documentation/mm/hmm.rst ("Address space mirroring implementation and
// API"). The path engine's typestate checker runs each along every path.
import type { Protocol } from '../typestate.js';
import { CHECK_RETRY, HMM_RANGE_FAULT, INSERT, INSERT_LOCKED, READ_BEGIN, READ_RETRY, REMOVE } from './notifier.js';
import { PAGE_LOOKUP_OUTPUT } from './pages.js';

const NOTIFIER = [{ arg: 0 }] as const;
/** What needs an inserted notifier: a read section on it, or its removal. */
const NEEDS_INSERTED = { object: NOTIFIER, forbidden: ['fresh', 'failed', 'removed'] } as const;

/**
 * The life of a `struct mmu_interval_notifier`: inserted by
 * mmu_interval_notifier_insert*() when it returns 0 (on failure nothing is
 * set up: mm/mmu_notifier.c returns before `interval_sub->mm` is set), removed
 * by mmu_interval_notifier_remove(). A read section or a remove needs it
 * inserted; an error return after a successful insert leaves it in the mm's
 * interval tree, and freeing its container then is a use after free.
 */
export const INTERVAL_NOTIFIER: Protocol = {
  name: 'interval-notifier',
  states: ['fresh', 'inserting', 'inserted', 'failed', 'removed'],
  fresh: 'fresh',
  moves: {
    [INSERT]: { object: NOTIFIER, to: { pending: 'inserting', ok: 'inserted', fail: 'failed' } },
    [INSERT_LOCKED]: { object: NOTIFIER, to: { pending: 'inserting', ok: 'inserted', fail: 'failed' } },
    [REMOVE]: { object: NOTIFIER, to: 'removed' },
  },
  uses: { [READ_BEGIN]: NEEDS_INSERTED, [READ_RETRY]: NEEDS_INSERTED, [CHECK_RETRY]: NEEDS_INSERTED, [REMOVE]: NEEDS_INSERTED },
  live: ['inserted'],
};

const FAULT_SECTION = [{ member: 0, field: 'notifier_seq' }, 'open'] as const;
const BEFORE_RETRY = ['begun', 'faulted'];

/**
 * A read section, named by where its sequence is kept (`seq`,
 * `range.notifier_seq`): begun by mmu_interval_read_begin(), pages produced
 * (hmm_range_fault() when it returns 0, the gup and pin calls), then checked
 * by mmu_interval_read_retry() on that sequence: valid when it returns false,
 * invalidated otherwise (mmu_interval_check_retry() only says invalidated).
 * Beginning again where a section with pages is kept, before its retry,
 * loses the sequence those pages were read under; a retry whose result is
 * thrown away checks nothing; the range or pages handed to a helper after
 * the retry said invalidated are committed stale.
 */
export const READ_SECTION: Protocol = {
  name: 'read-section',
  states: ['begun', 'faulting', 'faulted', 'retrying', 'valid', 'invalid'],
  moves: {
    [READ_BEGIN]: { object: ['stored'], to: 'begun', forbidden: ['faulted'] },
    // `int hmm_range_fault(range)`: 0 or an error (mm/hmm.c of 5.10 on); 5.6 had `long hmm_range_fault(range, flags)`, a page count
    [HMM_RANGE_FAULT]: { object: FAULT_SECTION, from: BEFORE_RETRY, to: { pending: 'faulting', ok: 'faulted', fail: null }, resultArity: 1, data: 0 },
    ...Object.fromEntries(Object.entries(PAGE_LOOKUP_OUTPUT).map(([n, pages]) => [n, { object: ['open'], from: BEFORE_RETRY, to: 'faulted', data: pages }])),
    [READ_RETRY]: { object: [{ mentions: 1 }], to: { pending: 'retrying', ok: 'valid', fail: 'invalid' }, mustTest: true },
    [CHECK_RETRY]: { object: [{ mentions: 1 }], to: { pending: 'retrying', ok: null, fail: 'invalid' }, mustTest: true },
  },
  roundLeaves: ['faulted'],
  // the range or the pages handed on after the retry said invalidated: committed stale;
  // after it said valid, only under the lock it ran under (hmm.rst: "under the update lock")
  dataUse: { forbidden: ['invalid'], underLocks: ['valid'] },
};

/** The protocols the walk follows. */
export const PROTOCOLS: readonly Protocol[] = [INTERVAL_NOTIFIER, READ_SECTION];
