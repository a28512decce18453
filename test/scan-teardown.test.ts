// mmput() under a lock whose class a teardown callback takes, where the
// callback lives in another directory of the area than the one scanned (a
// core library and the driver passing it its ops table): the scan looks the
// callback up, for that lookup only (commit 85eaeb5058f0, "IB/core: Fix a
// nested dead lock as part of ODP flow").
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { analyze } from '../src/engine/analyze.js';
import { scan } from '../src/engine/scan.js';
import { REPO } from './helpers.js';

const TREE = join(REPO, 'fixtures/trees/teardown');

async function findingsOf(dirs: string[]): Promise<string[]> {
  const result = await scan({ paths: dirs.map((d) => join(TREE, d)), root: TREE, jobs: 1 });
  return analyze(result.files, result.index).map((f) => `${f.severity} ${f.rule} ${f.file}:${f.line}`);
}

describe('teardown callbacks looked up in the area', () => {
  test('the core scanned alone: the mmput() under the mutex the driver callback takes, nothing of the driver itself', async () => {
    expect(await findingsOf(['drivers/toy/core'])).toEqual(['warning remove-from-callback drivers/toy/core/umem.c:44']);
  });

  test('both directories scanned: the same finding, and the driver checked as well', async () => {
    expect(await findingsOf(['drivers/toy/core', 'drivers/toy/hw'])).toEqual(['warning remove-from-callback drivers/toy/core/umem.c:44', 'error reclaim-in-invalidation drivers/toy/hw/acme/odp.c:22']);
  });
});
