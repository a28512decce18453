// Recall on the real-bug set (test/history/bugs.ts), in two parts:
// 1. the REAL pre-fix and post-fix files of every fix inside their release
//    trees (.cache/releases, the Debian trees), each directory scanned as a
//    user would: does the bug's rule fire at the fix before it, and stay
//    quiet (no error) after it? Entries whose tree is not cached are skipped
//    and named.
// 2. apart: the reduced fixtures and the reintroduction mutants on the Debian
//    sources.
//   npx tsx bench/history.ts [--real-only]
import { FIXTURE_BUGS, evaluate, recallTable } from '../test/history/evaluate.js';
import { evaluateAllReal, realTable } from '../test/history/real.js';

console.log(realTable(await evaluateAllReal()));
if (!process.argv.includes('--real-only')) {
  const results = [];
  for (const bug of FIXTURE_BUGS) results.push(await evaluate(bug));
  console.log('');
  console.log(recallTable(results));
  for (const r of results) {
    for (const m of r.mismatches) console.log(`  ${r.bug.id}: ${m}`);
    if (r.mutantSkipped) console.log(`  ${r.bug.id}: no mutant: ${r.mutantSkipped}`);
  }
}
