// Writes docs/rules/ from the rule registry: one page per rule and the index
// (npm run rule-docs; new-rule runs it).
//   tsx scripts/gen-rule-docs.ts [--check]   --check: exit 1 when docs/rules/ differs
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES } from '../src/rules/index.js';
import { ruleDocFiles } from './rule-docs.js';

const DIR = join(import.meta.dirname, '..', 'docs', 'rules');
const wanted = ruleDocFiles(RULES);
mkdirSync(DIR, { recursive: true });
const present = readdirSync(DIR).filter((f) => f.endsWith('.md'));
const stale = present.filter((f) => !wanted.has(f));
const differ = [...wanted].filter(([f, text]) => !present.includes(f) || readFileSync(join(DIR, f), 'utf8') !== text).map(([f]) => f);

if (process.argv.includes('--check')) {
  for (const f of differ) process.stderr.write(`rule-docs: docs/rules/${f} is not the registry's\n`);
  for (const f of stale) process.stderr.write(`rule-docs: docs/rules/${f} names no rule of the registry\n`);
  if (differ.length || stale.length) process.stderr.write('rule-docs: run npm run rule-docs\n');
  process.exit(differ.length || stale.length ? 1 : 0);
}
for (const f of differ) writeFileSync(join(DIR, f), wanted.get(f)!);
for (const f of stale) rmSync(join(DIR, f));
process.stdout.write(`rule-docs: ${differ.length} written, ${stale.length} removed, ${wanted.size - differ.length} unchanged\n`);
