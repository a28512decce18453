// The rule registry. Adding a rule: one file in this folder, one line here,
// fixtures in fixtures/rules/<id>/ (see `npm run new-rule`).
import type { Rule } from './rule.js';
import sleepUnderSpinlock from './sleep-under-spinlock.js';
import helperFailureSwallowed from './helper-failure-swallowed.js';
import reclaimInInvalidation from './reclaim-in-invalidation.js';
import failedStartLeavesState from './failed-start-leaves-state.js';
import lockHeldAtReturn from './lock-held-at-return.js';
import opsMemberUndocumented from './ops-member-undocumented.js';
import coreInsertChecksFinish from './core-insert-checks-finish.js';
import coreEndAfterFailedStart from './core-end-after-failed-start.js';
import coreFinishPass from './core-finish-pass.js';
import coreSequenceState from './core-sequence-state.js';
import finishNeverFreed from './finish-never-freed.js';
import insertUnderMmapLock from './insert-under-mmap-lock.js';
import readBeginResultUnused from './read-begin-result-unused.js';
import readRetryWithoutLock from './read-retry-without-lock.js';
import setSeqLockMismatch from './set-seq-lock-mismatch.js';
import migrateWithoutOwnerSkip from './migrate-without-owner-skip.js';
import putWithoutFreeNotifier from './put-without-free-notifier.js';
import pageLockUnderNotifierLock from './page-lock-under-notifier-lock.js';
import pfnsUsedBeforeRetry from './pfns-used-before-retry.js';
import getWithoutAllocNotifier from './get-without-alloc-notifier.js';
import fieldNotInApi from './field-not-in-api.js';
import sharedFinishUnguarded from './shared-finish-unguarded.js';
import sharedStateInInvalidation from './shared-state-in-invalidation.js';
import driverWritesFinishNotifier from './driver-writes-finish-notifier.js';
import finishAllocFailureReturnsFalse from './finish-alloc-failure-returns-false.js';
import finishLeakOnFalse from './finish-leak-on-false.js';
import invalidateAndInvalidateStart from './invalidate-and-invalidate-start.js';
import finishWithoutStart from './finish-without-start.js';
import invalidateWithoutSetSeq from './invalidate-without-set-seq.js';
import removeFromCallback from './remove-from-callback.js';
import sleepInAtomicCallback from './sleep-in-atomic-callback.js';
import sleepInNonBlockableRange from './sleep-in-non-blockable-range.js';
import startErrorNotEagain from './start-error-not-eagain.js';
import falseReturnInBlockableRange from './false-return-in-blockable-range.js';
import rangeEndWithFailingStart from './range-end-with-failing-start.js';
import sleepingGfpInFirstPass from './sleeping-gfp-in-first-pass.js';
import twoPassStartWithoutFinish from './two-pass-start-without-finish.js';
import intervalNotifierNotInserted from './interval-notifier-not-inserted.js';
import intervalInsertNotUndone from './interval-insert-not-undone.js';
import readSequenceOverwritten from './read-sequence-overwritten.js';
import readRetryResultIgnored from './read-retry-result-ignored.js';
import pagesCommittedAfterFailedRetry from './pages-committed-after-failed-retry.js';

export const RULES: readonly Rule[] = [
  sleepUnderSpinlock,
  helperFailureSwallowed,
  reclaimInInvalidation,
  failedStartLeavesState,
  lockHeldAtReturn,
  opsMemberUndocumented,
  coreInsertChecksFinish,
  coreEndAfterFailedStart,
  coreFinishPass,
  coreSequenceState,
  finishNeverFreed,
  insertUnderMmapLock,
  readBeginResultUnused,
  readRetryWithoutLock,
  setSeqLockMismatch,
  migrateWithoutOwnerSkip,
  putWithoutFreeNotifier,
  pageLockUnderNotifierLock,
  pfnsUsedBeforeRetry,
  getWithoutAllocNotifier,
  fieldNotInApi,
  sharedFinishUnguarded,
  sharedStateInInvalidation,
  driverWritesFinishNotifier,
  finishAllocFailureReturnsFalse,
  finishLeakOnFalse,
  invalidateAndInvalidateStart,
  finishWithoutStart,
  invalidateWithoutSetSeq,
  removeFromCallback,
  sleepInAtomicCallback,
  sleepInNonBlockableRange,
  startErrorNotEagain,
  falseReturnInBlockableRange,
  rangeEndWithFailingStart,
  sleepingGfpInFirstPass,
  twoPassStartWithoutFinish,
  intervalNotifierNotInserted,
  intervalInsertNotUndone,
  readSequenceOverwritten,
  readRetryResultIgnored,
  pagesCommittedAfterFailedRetry,
].sort((a, b) => a.id.localeCompare(b.id));

export function findRule(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}

export type { Rule, Finding, Severity, Invariant } from './rule.js';
