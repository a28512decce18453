// The outcome bench/history.ts measured for each real fix on its real files
// (release trees are fetched, so CI cannot run it: the bench checks these,
// the catalogue test only that every measurable fix has one).
/** What the benchmark measured (bench/history.ts): a change here is a change of recall, to be explained. */
export const OUTCOME: Record<string, 'found' | 'missed'> = {
  'hmm-notifiers-count': 'found',
  'hmm-shadowed-ret': 'found',
  'odp-umem-rwsem': 'found',
  'amdkfd-mmput': 'found',
  'core-remove-race': 'found',
  'core-range-end-pairing': 'found',
  'xe-pages-before-retry': 'found',
  'xe-folio-deadlock': 'found',
  'odp-missed-unlock': 'found',
  'odp-nested-mmput': 'found',
  'i915-flush-cancel-worker': 'missed',
  'hfi1-cover-invalidate': 'found',
  'amdkfd-userptr-notifier-lock': 'missed',
  'kvm-arm64-resched-nonblock': 'found',
  'hmm-range-end-sleep': 'found',
  'hmm-mirrors-sem-nonblock': 'found',
  'odp-notifier-count-eagain': 'found',
  'kfd-release-cancels-restore-work': 'found',
  'i915-userptr-mm-lock': 'found',
};
