// Writes the rule table of docs/checks.md from the registry (npm run rules-table; new-rule runs it).
//   tsx scripts/rules-table.ts [--check]   --check: exit 1 when the page differs
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatRulesMarkdown } from '../src/report/rules.js';
import { RULES } from '../src/rules/index.js';

const PAGE = join(import.meta.dirname, '..', 'docs', 'checks.md');
const START = /<!-- rules:start[^\n]*-->\n/;
const END = '<!-- rules:end -->';

const text = readFileSync(PAGE, 'utf8');
const start = START.exec(text);
const end = text.indexOf(END);
if (!start || end < start.index) {
  process.stderr.write(`rules-table: ${PAGE}: no rules:start / rules:end markers\n`);
  process.exit(2);
}
const next = text.slice(0, start.index + start[0].length) + formatRulesMarkdown(RULES) + text.slice(end);
if (process.argv.includes('--check')) {
  if (next !== text) process.stderr.write('rules-table: docs/checks.md is not the registry: run npm run rules-table\n');
  process.exit(next === text ? 0 : 1);
}
writeFileSync(PAGE, next);
