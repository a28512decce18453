// Recall on the real-bug set: fixtures of fix commits and reintroduction
// mutants on the Debian kernel sources (test/history/bugs.ts).
//   npx tsx bench/history.ts
import { BUGS, evaluate, recallTable } from '../test/history/evaluate.js';

const results = [];
for (const bug of BUGS) results.push(await evaluate(bug));
console.log(recallTable(results));
for (const r of results) {
  for (const m of r.mismatches) console.log(`  ${r.bug.id}: ${m}`);
  if (r.mutantSkipped) console.log(`  ${r.bug.id}: no mutant: ${r.mutantSkipped}`);
}
