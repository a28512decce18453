// The pages of docs/rules/ as the registry writes them: one per rule
// (docs/rules/<id>.md) and the index (docs/rules/README.md). Pure: the writer
// is scripts/gen-rule-docs.ts, and test/rule-docs.test.ts compares these with
// the committed files.
import type { Invariant, Rule } from '../src/rules/rule.js';

/** Each invariant's heading in docs/invariants.md, which a rule page links to. */
export const INVARIANT_HEADINGS: Readonly<Record<Invariant, string>> = {
  I1: 'I1: start and end are paired',
  I2: 'I2: a start that can fail has no end',
  I3: 'I3: every finish runs once',
  I4: 'I4: callbacks fail only where they may not sleep',
  I5: 'I5: nothing sleeps where it must not',
  I6: 'I6: the sequence is set under the user lock',
  I7: 'I7: finish objects are private',
  I8: 'I8: the sequence is odd exactly while invalidating',
  API: 'API: the kernel interface itself',
};

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

const GENERATED = (source: string): string => `<!-- generated from ${source} by \`npm run rule-docs\`: edit the rule, not this page; test/rule-docs.test.ts checks it -->`;

const STATUS_TEXT: Readonly<Record<Rule['status'], string>> = {
  stable: 'stable: it has reported true defects on real kernel code',
  preview: 'preview: shown so far only on reduced examples, not yet on a real defect',
};

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const invariantLink = (inv: Invariant, prefix: string): string => `[${inv}](${prefix}invariants.md#${anchorOf(INVARIANT_HEADINGS[inv])})`;
const fence = (code: string): string => ['```c', code.replace(/^\n+/, '').trimEnd(), '```'].join('\n');
const reference = (ref: string): string => (/^https?:\/\/\S+$/.test(ref) ? `<${ref}>` : ref);

/** docs/rules/<id>.md: ruff's headings, the rule's meta, its messages. */
export function rulePage(rule: Rule): string {
  const messages = Object.entries<string>(rule.messages).map(([id, text]) => `- \`${id}\`: ${text.replace(/\{\{(\w+)\}\}/g, '*$1*')}`);
  return [
    GENERATED(`src/rules/${rule.id}.ts`),
    '',
    `# ${rule.id}`,
    '',
    rule.title,
    '',
    '| severity | invariant | status | since |',
    '| --- | --- | --- | --- |',
    `| ${rule.severity} | ${invariantLink(rule.invariant, '../')} | ${rule.status} | ${rule.since} |`,
    '',
    `Status ${STATUS_TEXT[rule.status]} (see [the index](README.md#status)).`,
    ...(rule.severity === 'error' ? ['', 'An error is reported only where the analysis proves it; where a path depends on something mnlint does not track, the finding is a warning that says what.'] : []),
    '',
    '## What it does',
    '',
    rule.docs.what,
    '',
    '## Why is this bad?',
    '',
    rule.docs.why,
    '',
    '## Example',
    '',
    fence(rule.docs.bad),
    '',
    '## Use instead',
    '',
    fence(rule.docs.good),
    '',
    '## Messages',
    '',
    ...messages,
    '',
    '## References',
    '',
    ...rule.docs.references.map((r) => `- ${reference(r)}`),
    '',
    `\`mnlint explain ${rule.id}\` prints the same docs in the terminal.`,
    '',
  ].join('\n');
}

/** docs/rules/README.md: every rule, its severity, invariant, status and since. */
export function rulesIndex(rules: readonly Rule[]): string {
  const rows = rules.map((r) => `| [\`${r.id}\`](${r.id}.md) | ${r.severity} | ${invariantLink(r.invariant, '../')} | ${r.status} | ${r.since} | ${cell(r.title)} |`);
  const stable = rules.filter((r) => r.status === 'stable').length;
  return [
    GENERATED('src/rules/index.ts'),
    '',
    '# Rules',
    '',
    `mnlint has ${rules.length} rules, ${stable} stable and ${rules.length - stable} preview. Each one protects an invariant of the notifier API ([the invariants](../invariants.md)); every finding names its rule and its invariant. \`mnlint rules\` lists them, \`mnlint explain RULE\` prints a rule's docs in the terminal.`,
    '',
    '| rule | severity | invariant | status | since | what |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    '## Severity',
    '',
    '- **error**: the analysis proves the defect on a path of the code. A path that depends on data mnlint does not track (a flag the function computes, a GFP mask in a variable) turns the error into a warning whose message names the test it could not decide.',
    '- **warning**: a hazard, or a defect mnlint cannot prove; the message says why it is unsure.',
    '- **info**: a note, not a defect: something the code could do better (for example, work it makes for itself).',
    '',
    'A run exits 1 on errors only, unless `--fail-on warning` (or `info`) asks for more.',
    '',
    '## Status',
    '',
    '- **stable**: the rule has reported a true defect on real kernel code, triaged as such, and no false error of it is open. The evidence is one of: an error triaged as a true defect in the release sweep (`bench/releases/triage.md`), a historic fix whose pre-fix file, as released, the rule reports (`test/history/bugs.ts`, outcome `found` in `test/history/outcomes.ts`), or a posting that a later `Fixes:` commit repaired, reported with this rule by the traffic bench (`bench/traffic/triage.md`).',
    '- **preview**: the rule is shown only on examples written for mnlint: its fixtures, the reduced history fixtures, bugs put back by hand into a release tree. Its findings are reported like any other, but it has not met a real defect yet, so its precision on real code rests on the whole-tree runs alone: in the release sweep every error comes from a stable rule, and a preview rule is quiet there or reports warnings.',
    '',
    "A rule moves from preview to stable when it meets its first real defect; test/rule-docs.test.ts fails when a rule's status does not follow that evidence.",
    '',
    '`since` is the mnlint version that first shipped the rule.',
    '',
    '## Adding a rule',
    '',
    '`npm run new-rule -- RULE-ID INVARIANT` writes the rule file (status `preview`), its fixtures and its registry line; `npm run rule-docs` then writes its page and this index.',
    '',
  ].join('\n');
}

/** Every generated file, by its path under docs/rules/. */
export function ruleDocFiles(rules: readonly Rule[]): Map<string, string> {
  const files = new Map<string, string>([['README.md', rulesIndex(rules)]]);
  for (const rule of rules) files.set(`${rule.id}.md`, rulePage(rule));
  return files;
}
