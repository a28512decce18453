// lock-held-at-return and the start -> end lock hand-off (RDMA ODP's
// umem_rwsem on 5.0 to 5.4): a lock invalidate_range_start keeps for
// invalidate_range_end to drop is handed off wherever the core calls end
// after the start; before 5.12 it calls none after a failed start, so a
// failing start that keeps the lock leaks it.
import { describe, expect, test } from 'vitest';
import { analyze } from '../src/engine/analyze.js';
import { scan } from '../src/engine/scan.js';
import { apiById } from '../src/model/api.js';
import { RULES } from '../src/rules/index.js';
import { REPO } from './helpers.js';

const FILE = 'fixtures/rules/lock-held-at-return/handoff.c';
const rule = RULES.filter((r) => r.id === 'lock-held-at-return');

async function findingsAt(level: string) {
  const result = await scan({ paths: [FILE], cwd: REPO, jobs: 1 });
  return analyze(result.files, result.index, rule, apiById(level)!).map((f) => `${f.line} ${f.severity} ${f.function}: ${f.message}`);
}

describe('start -> end lock hand-off', () => {
  test('since 5.12 every return of the start is followed by end: nothing leaks', async () => {
    expect(await findingsAt('5.12')).toEqual([]);
    expect(await findingsAt('7.1')).toEqual([]);
  });

  test('before 5.12 the failing start that keeps the lock leaks it; the successful one hands it off', async () => {
    const got = await findingsAt('5.2');
    expect(got).toEqual([expect.stringMatching(/^33 error drv_handoff_start: drv_handoff_start\(\) returns -EAGAIN with d->sem still held/)]);
  });
});
