// Whether a driver runs the read side of its interval notifiers, across the files of its area.
import { filesBeside } from './files.js';
import { INTERVAL_INSERTS, RETRY_CALLS } from './kernel-api/notifier.js';
import type { FileIR, OpsTable } from './types.js';

const norm = (arg: string): string => arg.replace(/\s+/g, '').replace(/^\(|\)$/g, '');
const isIdentifier = (arg: string): boolean => /^[A-Za-z_]\w*$/.test(arg);

/**
 * Whether the driver runs the read side on this table's notifiers.
 *
 * The notifier objects: an insert binding the table (`insert(&obj->notifier,
 * ..., &table)`) in the table's directory, or an insert of an ops pointer
 * (`insert(&umem->notifier, ..., ops)`) in the file defining a helper the
 * table is handed to (`ib_umem_odp_get(..., &mlx5_mn_ops)`).
 *
 * The read side: a read_retry/check_retry beside either insert on that object
 * or on a pointer that may be it (`range->notifier`), or one inside a wrapper
 * the table's directory calls (`amdgpu_hmm_range_get_pages_done()` from
 * amdkfd) on a pointer it was handed. A driver calling read_begin alone
 * (gntdev, radeon) only waits; it cannot miss an invalidation.
 */
export function readSideOf(files: readonly FileIR[], table: OpsTable): boolean {
  const near = filesBeside(files, table.file);
  const objects = new Set(
    near
      .flatMap((f) => f.apiCalls)
      .filter((c) => INTERVAL_INSERTS.has(c.name) && norm(c.args[c.args.length - 1] ?? '') === `&${table.name}`)
      .map((c) => norm(c.args[0] ?? '')),
  );
  const retryFiles = new Set(near);
  // the table handed to a helper: that helper's file inserts an ops pointer
  const helpers = new Set(
    near
      .flatMap((f) => f.tableArgCalls ?? [])
      .filter((c) => c.args[0] === table.name)
      .map((c) => c.name),
  );
  for (const f of files) {
    if (!f.defined.some((d) => helpers.has(d.name))) continue;
    const inserts = f.apiCalls.filter((c) => INTERVAL_INSERTS.has(c.name) && isIdentifier(norm(c.args[c.args.length - 1] ?? '')));
    if (!inserts.length) continue;
    for (const c of inserts) objects.add(norm(c.args[0] ?? ''));
    for (const g of filesBeside(files, f.file)) retryFiles.add(g);
  }
  if (objects.size === 0) return false;
  const retries = (f: FileIR) => f.apiCalls.filter((c) => RETRY_CALLS.has(c.name));
  const direct = [...retryFiles].flatMap(retries).some((c) => {
    const arg = norm(c.args[0] ?? '');
    return objects.has(arg) || !arg.startsWith('&');
  });
  if (direct) return true;
  // a wrapper elsewhere in the scan retrying on a pointer it was handed
  const called = new Set(near.flatMap((f) => f.calledNames ?? []));
  return files.some((f) => !retryFiles.has(f) && retries(f).some((c) => c.function !== null && called.has(c.function) && !norm(c.args[0] ?? '').startsWith('&')));
}
