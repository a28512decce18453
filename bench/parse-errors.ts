// Measures the kernel-macro pre-pass: how many of a fixed sample of 1,002
// Linux 6.12 .c files parse with ERROR/MISSING nodes, without and with it.
//   npx tsx bench/parse-errors.ts [KERNEL_DIR]
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createCParser } from '../src/parser/load.js';
import { prepass } from '../src/parser/prepass.js';
import { kernelDir } from '../test/kernel-trees.js';

const root = process.argv[2] ?? kernelDir('6.12');
const all = execFileSync('find', ['.', '-name', '*.c', '-type', 'f'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 })
  .split('\n')
  .filter(Boolean)
  .sort();
const SAMPLE = 1002;
const step = all.length / SAMPLE;
const sample = Array.from({ length: SAMPLE }, (_, i) => all[Math.floor(i * step)]!);

const parser = await createCParser();
let rawErr = 0;
let preErr = 0;
const causes = new Map<string, number>();
for (const rel of sample) {
  const src = readFileSync(`${root}/${rel}`, 'latin1');
  const raw = parser.parse(src)!;
  if (raw.rootNode.hasError) rawErr++;
  raw.delete();
  const pre = parser.parse(prepass(src).text)!;
  if (pre.rootNode.hasError) {
    preErr++;
    if (process.env.SHOW) {
      const first = findError(pre.rootNode);
      if (first) {
        const line = src.split('\n')[first.startPosition.row] ?? '';
        const key = line.trim().slice(0, 100);
        causes.set(`${rel}:${first.startPosition.row + 1}: ${key}`, 1);
      }
    }
  }
  pre.delete();
}
type N = { hasError: boolean; isError: boolean; isMissing: boolean; children: Array<N | null>; startPosition: { row: number } };
function findError(n: N): N | null {
  if (n.isError || n.isMissing) return n;
  for (const c of n.children)
    if (c?.hasError) {
      const f = findError(c);
      if (f) return f;
    }
  return null;
}
console.log(`sample ${SAMPLE} files of ${all.length} in ${root}`);
console.log(`files with ERROR/MISSING nodes: without pre-pass ${rawErr}, with pre-pass ${preErr}`);
if (process.env.SHOW) for (const k of [...causes.keys()].slice(0, Number(process.env.SHOW))) console.log(k);
