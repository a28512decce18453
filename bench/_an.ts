import { scan } from '/work/main/src/engine/scan.js';
import { analyze } from '/work/main/src/engine/analyze.js';
const root = '/work/main/.cache/kernels/linux-6.12';
let t = performance.now();
const r = await scan({ paths: [root], jobs: 2 });
console.log('scan', (performance.now() - t).toFixed(0));
for (let i = 0; i < 3; i++) {
  t = performance.now();
  const f = analyze(r.files, r.index);
  console.log('analyze', (performance.now() - t).toFixed(0), f.length);
}
