// `mnlint rules` and `mnlint explain`: the catalogue and each rule's docs.
import type { ApiLevel } from '../model/api.js';
import type { Rule } from '../rules/rule.js';

export function formatRules(rules: readonly Rule[]): string {
  const width = Math.max(...rules.map((r) => r.id.length));
  return rules.map((r) => `${r.id.padEnd(width)}  ${r.severity.padEnd(7)}  ${r.invariant.padEnd(3)}  ${r.status.padEnd(7)}  ${r.title}\n`).join('');
}

/** The rule table of docs/checks.md (between its rules:start and rules:end markers), from the registry. */
export function formatRulesMarkdown(rules: readonly Rule[]): string {
  const rows = rules.map((r) => `| \`${r.id}\` | ${r.severity} | ${r.invariant} | ${r.title.replace(/\|/g, '\\|')} |`);
  return ['| rule | severity | invariant | what |', '| --- | --- | --- | --- |', ...rows, ''].join('\n');
}

export function formatRulesJson(rules: readonly Rule[]): string {
  return `${JSON.stringify(
    rules.map((r) => ({ id: r.id, title: r.title, severity: r.severity, invariant: r.invariant, status: r.status, since: r.since })),
    null,
    2,
  )}\n`;
}

const indent = (text: string): string =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => (l ? `    ${l}` : ''))
    .join('\n');

/** ruff's headings: What it does, Why is this bad?, Example, Use instead, References. */
export function formatExplain(rule: Rule): string {
  return [
    `# ${rule.id}: ${rule.title}`,
    `severity: ${rule.severity}   invariant: ${rule.invariant}   status: ${rule.status} (since ${rule.since})`,
    '',
    '## What it does',
    rule.docs.what,
    '',
    '## Why is this bad?',
    rule.docs.why,
    '',
    '## Example',
    indent(rule.docs.bad),
    '',
    '## Use instead',
    indent(rule.docs.good),
    '',
    '## References',
    ...rule.docs.references.map((r) => `- ${r}`),
    '',
  ].join('\n');
}

/** `mnlint rules --levels`: each API level, the releases it stands for, what changed and the commits that changed it. */
export function formatLevels(levels: readonly ApiLevel[]): string {
  const id = Math.max(...levels.map((l) => l.id.length));
  const kernels = Math.max(...levels.map((l) => l.kernels.length));
  const pad = ' '.repeat(id + kernels + 4);
  return levels
    .map((l) => {
      const commits = l.commits.map((c) => `${pad}${c.id ? `commit ${c.id}` : 'commit (id not verified)'} ("${c.subject}")\n`).join('');
      return `${l.id.padEnd(id)}  ${l.kernels.padEnd(kernels)}  ${l.change}\n${commits}`;
    })
    .join('');
}

export function formatLevelsJson(levels: readonly ApiLevel[]): string {
  return `${JSON.stringify(
    levels.map((l) => ({ id: l.id, kernels: l.kernels, description: l.description, change: l.change, commits: l.commits })),
    null,
    2,
  )}\n`;
}
