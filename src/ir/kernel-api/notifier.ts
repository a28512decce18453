// The notifier API (include/linux/mmu_notifier.h) and mm/mmu_notifier.c's own
// function names, with the interval tree's (include/linux/interval_tree.h):
// the calls the parser records, the functions that make a file the core, the
// calls that wait for an invalidation, those that begin or end a notifier's
// life, and the prefilter's test.

/** mm/mmu_notifier.c's own functions, and the interval tree's, as the core steps name them. */
export const CORE = {
  itreeInvEnd: 'mn_itree_inv_end',
  itreeInvStartRange: 'mn_itree_inv_start_range',
  itreeInvalidate: 'mn_itree_invalidate',
  itreeRelease: 'mn_itree_release',
  itreeFinishPass: 'mn_itree_finish_pass',
  hlistInvalidateRangeStart: 'mn_hlist_invalidate_range_start',
  hlistInvalidateEnd: 'mn_hlist_invalidate_end',
  invalidateRangeStart: '__mmu_notifier_invalidate_range_start',
  invalidateRangeEnd: '__mmu_notifier_invalidate_range_end',
  intervalInsert: '__mmu_interval_notifier_insert',
  register: '__mmu_notifier_register',
  treeInsert: 'interval_tree_insert',
  treeRemove: 'interval_tree_remove',
  treeIterFirst: 'interval_tree_iter_first',
} as const;

// The notifier API (include/linux/mmu_notifier.h)
export const SET_SEQ = 'mmu_interval_set_seq';
export const READ_BEGIN = 'mmu_interval_read_begin';
export const READ_RETRY = 'mmu_interval_read_retry';
export const CHECK_RETRY = 'mmu_interval_check_retry';
export const INSERT = 'mmu_interval_notifier_insert';
export const INSERT_LOCKED = 'mmu_interval_notifier_insert_locked';
export const REMOVE = 'mmu_interval_notifier_remove';
export const REGISTER = 'mmu_notifier_register';
export const UNREGISTER = 'mmu_notifier_unregister';
export const GET = 'mmu_notifier_get';
export const GET_LOCKED = 'mmu_notifier_get_locked';
export const PUT = 'mmu_notifier_put';
export const SYNCHRONIZE = 'mmu_notifier_synchronize';
export const SEQ_RELEASED = 'mmu_interval_seq_released';
export const RANGE_BLOCKABLE = 'mmu_notifier_range_blockable';
export const HMM_RANGE_FAULT = 'hmm_range_fault';
export const INTERVAL_INSERTS: ReadonlySet<string> = new Set([INSERT, INSERT_LOCKED]);
/** A read side that can miss an invalidation: one that retries (read_begin alone only waits). */
export const RETRY_CALLS: ReadonlySet<string> = new Set([READ_RETRY, CHECK_RETRY]);

/** The notifier API functions whose calls the parser records with their arguments. */
export const API_FUNCTIONS: readonly string[] = [
  READ_BEGIN,
  READ_RETRY,
  CHECK_RETRY,
  SET_SEQ,
  INSERT,
  INSERT_LOCKED,
  REMOVE,
  REGISTER,
  CORE.register,
  UNREGISTER,
  GET,
  GET_LOCKED,
  PUT,
  SYNCHRONIZE,
  'migrate_vma_setup',
  'mmap_read_lock',
  'mmap_write_lock',
  'mmap_read_unlock',
  'mmap_write_unlock',
  HMM_RANGE_FAULT,
];

/**
 * API calls whose enclosing function is walked too: the rules ask about its
 * locks and parameters, and the typestate checkers follow the notifier's life
 * (insert, remove) and its read sections there.
 */
export const WALKED_API_USERS: ReadonlySet<string> = new Set([READ_RETRY, CHECK_RETRY, READ_BEGIN, INSERT, INSERT_LOCKED, REMOVE]);

/** The functions of mm/mmu_notifier.c whose paths the core rules check. */
export const CORE_FUNCTIONS: readonly string[] = [
  CORE.itreeInvStartRange,
  READ_BEGIN,
  CORE.itreeInvalidate,
  CORE.itreeRelease,
  CORE.itreeFinishPass,
  CORE.itreeInvEnd,
  CORE.hlistInvalidateRangeStart,
  CORE.hlistInvalidateEnd,
  CORE.invalidateRangeStart,
  CORE.invalidateRangeEnd,
  CORE.intervalInsert,
  INSERT,
  INSERT_LOCKED,
  REMOVE,
  SEQ_RELEASED,
  CORE.register,
];

/** Calls that mark a file as the core (or a patch to it): the state machine's own functions. */
export const CORE_MARKERS: readonly string[] = [CORE.itreeInvalidate, CORE.hlistInvalidateRangeStart, CORE.itreeInvStartRange, CORE.itreeInvEnd, CORE.invalidateRangeStart, READ_BEGIN, REMOVE];

/**
 * Calls that wait for the invalidation a callback is part of. Not
 * mmu_notifier_put(): it frees asynchronously, and mm/mmu_notifier.c says it
 * "can be called from the ops->release callback" (SGX and amdkfd do).
 */
export const SELF_WAITING_CALLS: ReadonlySet<string> = new Set(['mmu_interval_notifier_remove', 'mmu_notifier_unregister', 'mmu_notifier_synchronize']);

/** Calls that begin or end a notifier's life, with the ops kind they take and the word the survey prints. */
export const LIFETIME_CALLS: Readonly<Record<string, { interval: boolean; step: 'setup' | 'teardown'; word: string }>> = {
  mmu_interval_notifier_insert: { interval: true, step: 'setup', word: 'insert' },
  mmu_interval_notifier_insert_locked: { interval: true, step: 'setup', word: 'insert_locked' },
  mmu_interval_notifier_remove: { interval: true, step: 'teardown', word: 'remove' },
  mmu_notifier_register: { interval: false, step: 'setup', word: 'register' },
  __mmu_notifier_register: { interval: false, step: 'setup', word: 'register' },
  mmu_notifier_get: { interval: false, step: 'setup', word: 'get' },
  mmu_notifier_get_locked: { interval: false, step: 'setup', word: 'get' },
  mmu_notifier_unregister: { interval: false, step: 'teardown', word: 'unregister' },
  mmu_notifier_put: { interval: false, step: 'teardown', word: 'put' },
  mmu_notifier_synchronize: { interval: false, step: 'teardown', word: 'synchronize' },
};

/** Whether a text names the notifier API at all: the prefilter's test (grep's `mmu_(interval_)?notifier`). */
export function mentionsNotifierApi(text: string): boolean {
  return text.includes('mmu_notifier') || text.includes('mmu_interval_notifier');
}

/**
 * The parameter types of invalidate_range_start in Linux 4.19 and 4.20
 * (93065ac753e4 "mm, oom: distinguish blockable mode for mmu notifiers",
 * before 5.0's struct mmu_notifier_range): `struct mmu_notifier *mn, struct
 * mm_struct *mm, unsigned long start, unsigned long end, bool blockable`.
 */
const START_4_19_PARAMS: readonly RegExp[] = [/\bstruct\s+mmu_notifier\b/, /\bstruct\s+mm_struct\b/, /^\s*unsigned\s+long\s*$/, /^\s*unsigned\s+long\s*$/, /^\s*bool\s*$/];

/** The name of the `bool blockable` parameter of a function with 4.19's invalidate_range_start signature. */
export function blockableArgumentOf(params: readonly { name: string; type: string }[]): string | undefined {
  if (params.length !== START_4_19_PARAMS.length || !params.every((p, i) => START_4_19_PARAMS[i]!.test(p.type))) return undefined;
  return params[params.length - 1]!.name || undefined;
}
