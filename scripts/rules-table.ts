// Writes the README's rule table from the registry (npm run rules-table; new-rule runs it).
//   tsx scripts/rules-table.ts [--check]   --check: exit 1 when the README differs
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatRulesMarkdown } from '../src/report/rules.js';
import { RULES } from '../src/rules/index.js';

const README = join(import.meta.dirname, '..', 'README.md');
const START = /<!-- rules:start[^\n]*-->\n/;
const END = '<!-- rules:end -->';

const text = readFileSync(README, 'utf8');
const start = START.exec(text);
const end = text.indexOf(END);
if (!start || end < start.index) {
  process.stderr.write(`rules-table: ${README}: no rules:start / rules:end markers\n`);
  process.exit(2);
}
const next = text.slice(0, start.index + start[0].length) + formatRulesMarkdown(RULES) + text.slice(end);
if (process.argv.includes('--check')) {
  if (next !== text) process.stderr.write('rules-table: README.md is not the registry: run npm run rules-table\n');
  process.exit(next === text ? 0 : 1);
}
writeFileSync(README, next);
