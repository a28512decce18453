#!/usr/bin/env node
// Scaffolds a rule: src/rules/<id>.ts, fixtures/rules/<id>/{bad,good}.c, and
// its line in src/rules/index.ts.   npm run new-rule -- <id> <I1..I8|API>
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const [id, invariant = 'API'] = process.argv.slice(2);
if (!id || !/^[a-z][a-z0-9-]+$/.test(id) || !/^(I[1-8]|API)$/.test(invariant)) {
  process.stderr.write('usage: npm run new-rule -- <rule-id> <I1..I8|API>\n');
  process.exit(2);
}
const file = `src/rules/${id}.ts`;
if (existsSync(file)) {
  process.stderr.write(`new-rule: ${file} exists\n`);
  process.exit(2);
}
// a new rule is preview until it reports a true defect on real kernel code (docs/rules/README.md)
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
const ident = id.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
writeFileSync(
  file,
  `import { defineRule } from './rule.js';

export default defineRule({
  id: '${id}',
  title: 'TODO: one line',
  severity: 'error',
  invariant: '${invariant}',
  status: 'preview',
  since: '${version}',
  docs: {
    what: 'TODO: what the rule flags.',
    why: 'TODO: the kernel reason, with the header, commit or review thread.',
    bad: \`TODO: C that gives exactly one finding of this rule\`,
    good: \`TODO: C that gives none\`,
    references: ['TODO'],
  },
  messages: {
    // one per kind of finding; {{name}} is filled from a report's data
    found: 'TODO: what is wrong in {{fn}}(), and what to do instead',
  },
  checkTable(table, ctx) {
    // TODO: the check. Ask the IR through ctx (callback, summary, model, core),
    // report at the line the finding is about (support.ts: atEvent, atReturn,
    // atField, atLoc, atLine), e.g.
    //   ctx.report({ ...atReturn(r), function: cb.fn.name, messageId: 'found', data: { fn: cb.fn.name },
    //                steps: [bindingStep(table, cb.field, cb.fn.name), step(r, \`returns \${r.text}\`, 'return')] });
    // the trace is steps (support.ts: step, bindingStep, note; describe.ts:
    // describeVia), never strings with a file:line: prefix
    const cb = ctx.callback(table, 'invalidate');
    if (!cb?.fn) return;
  },
});
`,
);
mkdirSync(`fixtures/rules/${id}`, { recursive: true });
writeFileSync(`fixtures/rules/${id}/bad.c`, `// SPDX-License-Identifier: GPL-2.0\n/* TODO: the defect */\n\n// expect: ${id}\n`);
writeFileSync(`fixtures/rules/${id}/good.c`, `// SPDX-License-Identifier: GPL-2.0\n/* TODO: the correct twin */\n\n// ok: ${id}\n`);
const index = 'src/rules/index.ts';
let text = readFileSync(index, 'utf8');
text = text.replace(/(import type \{ Rule \} from '\.\/rule\.js';\n)/, `$1import ${ident} from './${id}.js';\n`);
text = text.replace(/(export const RULES: readonly Rule\[\] = \[\n)/, `$1  ${ident},\n`);
writeFileSync(index, text);
// the rule table of docs/checks.md is the registry's
const table = spawnSync('npx', ['tsx', 'scripts/rules-table.ts'], { stdio: 'inherit' });
if (table.status !== 0) process.exit(2);
// and its page in docs/rules/, with the index
const pages = spawnSync('npx', ['tsx', 'scripts/gen-rule-docs.ts'], { stdio: 'inherit' });
if (pages.status !== 0) process.exit(2);
process.stdout.write(`wrote ${file}, fixtures/rules/${id}/bad.c, good.c; registered in ${index}; docs/checks.md table and docs/rules/ rewritten\n`);
