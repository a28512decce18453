// Writes the facts derived from a full kernel tree (parser/derive-facts.ts) as
// the table a scan falls back to when its tree lacks the kernel's core:
//   tsx scripts/derive-facts.ts [TREE] [OUT]
// TREE defaults to .cache/kernels/linux-6.12 (Debian's linux-source-6.12, see
// npm run fetch-kernels), OUT to src/ir/kernel-api/derived-6.12.json. Run it
// again when the derivation changes; a test checks the table is current.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deriveTree, derivedSources } from '../src/engine/derived-facts.js';

const repo = join(import.meta.dirname, '..');
const tree = process.argv[2] ?? join(repo, '.cache/kernels/linux-6.12');
const out = process.argv[3] ?? join(repo, 'src/ir/kernel-api/derived-6.12.json');
const t0 = performance.now();
const files = derivedSources(tree);
const table = deriveTree(tree, 'linux-6.12 (Debian linux-source-6.12)', files);
const ms = performance.now() - t0;
// as biome formats JSON: two-space indent, a [arg, why] pair on one line
const text = `${JSON.stringify(table, null, 2).replace(/\[\n\s*(\d+),\n\s*("[^"]*")\n\s*\]/g, '[$1, $2]')}\n`;
writeFileSync(out, text);
process.stderr.write(`${files.length} files, ${Object.keys(table.sleeps).length} sleep, ${Object.keys(table.reclaims).length} reclaim per their gfp; ${text.length} bytes; ${ms.toFixed(0)} ms\n`);
