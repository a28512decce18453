// The real-bug set (test/history/bugs.ts): every fix reproduced as a fixture
// is detected with the annotations exact, and every reintroduction mutant on
// the Debian sources is detected. The recall is printed at the end.
import { afterAll, describe, expect, test } from 'vitest';
import { type BugResult, FIXTURE_BUGS, evaluate, recallTable } from './history/evaluate.js';
import { needKernel, skipUnless } from './needs.js';

const results: BugResult[] = [];

describe('real notifier bugs from kernel history', () => {
  for (const bug of FIXTURE_BUGS) {
    test(`${bug.id}: ${bug.fix}`, async (ctx) => {
      const m = bug.mutant ?? { none: '' };
      skipUnless(ctx, 'none' in m ? null : needKernel(m.kernel));
      const r = await evaluate(bug);
      results.push(r);
      expect(r.mismatches).toEqual([]);
      expect(r.fixtureDetected).toBe(true);
      if (r.mutantDetected !== null) expect(r.mutantDetected, 'the reintroduced bug is reported').toBe(true);
    });
  }
  afterAll(() => {
    console.log(recallTable(results));
  });
});
