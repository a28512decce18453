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
import { OUTCOME } from '../test/history/outcomes.js';
import { evaluateAllReal, realTable } from '../test/history/real.js';

const real = await evaluateAllReal();
console.log(realTable(real));
// a measured outcome that moved, or a post-fix file with an error: explained in the
// change that moves it (test/history/outcomes.ts), or a regression
const changed = real.filter((r) => r.found !== undefined && ((r.found ? 'found' : 'missed') !== OUTCOME[r.bug.id] || !r.clean));
for (const r of changed) console.log(`  CHANGED ${r.bug.id}: ${r.found ? 'found' : 'missed'} (recorded ${OUTCOME[r.bug.id]}), post-fix ${r.clean ? 'clean' : 'NOT clean'}`);
if (changed.length) process.exitCode = 1;
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
