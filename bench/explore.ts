// Issue 3 figure: exploring all scenarios of one driver file stays under 200 ms.
// The tree is scanned once (the callees need it); then, for each of the files
// defining notifier ops tables, the model explores that file's notifiers,
// timed in-process over several runs (median per file).
//   npx tsx bench/explore.ts [KERNEL_DIR]
import { scan } from '../src/engine/scan.js';
import { exploreFiles } from '../src/engine/explore-files.js';
import { apiOfTree } from '../src/input/tree.js';
import { kernelDir } from '../test/kernel-trees.js';

const root = process.argv[2] ?? kernelDir('6.12');
const RUNS = 9;
const result = await scan({ paths: [root], jobs: 1 });
const api = apiOfTree(root);
const rows: Array<{ file: string; ms: number; runs: number; violations: number }> = [];
for (const f of result.files.filter((x) => x.tables.length)) {
  const times: number[] = [];
  let last = exploreFiles([f], result.index, api); // warm-up
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    last = exploreFiles([f], result.index, api);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  rows.push({ file: f.file, ms: times[RUNS >> 1]!, runs: last[0]!.runs, violations: last[0]!.violations.length });
}
rows.sort((a, b) => b.ms - a.ms);
console.log(`explorer, API ${api.id}, median of ${RUNS} runs per file (${rows.length} files with ops tables)`);
for (const r of rows) console.log(`  ${r.ms.toFixed(2).padStart(8)} ms  ${String(r.runs).padStart(4)} runs  ${r.violations} violations  ${r.file}`);
const worst = rows[0]!;
console.log(`goal < 200 ms per file: worst ${worst.ms.toFixed(2)} ms (${worst.file}) ${worst.ms < 200 ? 'met' : 'NOT met'}`);
