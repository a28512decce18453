// docs/rules/ is the registry's: each page and the index as scripts/rule-docs.ts
// writes them, no page without a rule, every invariant link lands on a heading
// of docs/invariants.md, and each rule's status follows the evidence in the repo.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { anchorOf, INVARIANT_HEADINGS, ruleDocFiles } from '../scripts/rule-docs.js';
import { RULES } from '../src/rules/index.js';
import { BUGS } from './history/bugs.js';
import { OUTCOME } from './history/outcomes.js';

const REPO = join(import.meta.dirname, '..');
const DOCS = join(REPO, 'docs', 'rules');
const read = (...p: string[]): string => readFileSync(join(REPO, ...p), 'utf8');

describe('docs/rules is generated from the registry', () => {
  const wanted = ruleDocFiles(RULES);

  test('one page per rule and the index, nothing else', () => {
    const present = readdirSync(DOCS)
      .filter((f) => f.endsWith('.md'))
      .sort();
    expect(present, 'docs/rules/ holds a page of no rule, or lacks one: npm run rule-docs').toEqual([...wanted.keys()].sort());
  });

  for (const [file, text] of wanted) {
    test(`docs/rules/${file} is what the registry writes`, () => {
      // line by line, so that a failure shows the lines that differ
      expect(readFileSync(join(DOCS, file), 'utf8').split('\n'), `docs/rules/${file} differs from the registry: npm run rule-docs`).toEqual(text.split('\n'));
    });
  }

  test("a page carries the rule's meta, docs and messages", () => {
    const rule = RULES.find((r) => r.id === 'finish-without-start')!;
    const page = wanted.get('finish-without-start.md')!;
    expect(page).toContain(`| ${rule.severity} | [I3](../invariants.md#i3-every-finish-runs-once) | ${rule.status} | ${rule.since} |`);
    for (const heading of ['## What it does', '## Why is this bad?', '## Example', '## Use instead', '## Messages', '## References']) expect(page).toContain(heading);
    expect(page).toContain(rule.docs.bad.trimEnd());
    expect(page).toContain('- `finishWithoutStart`: *table* sets .invalidate_finish');
  });

  test('the index lists every rule with its page', () => {
    const index = wanted.get('README.md')!;
    for (const r of RULES) expect(index).toContain(`| [\`${r.id}\`](${r.id}.md) | ${r.severity} |`);
  });
});

describe('docs/invariants.md', () => {
  const text = read('docs', 'invariants.md');
  const anchors = new Set([...text.matchAll(/^#{2,3} (.+)$/gm)].map((m) => anchorOf(m[1]!.trim())));

  test('has a heading for every invariant a rule links to', () => {
    expect(anchorOf('I1: start and end are paired')).toBe('i1-start-and-end-are-paired');
    const links = [...[...ruleDocFiles(RULES).values()].join('\n').matchAll(/\]\(\.\.\/invariants\.md#([^)]+)\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(RULES.length);
    expect([...new Set(links)].filter((a) => !anchors.has(a))).toEqual([]);
    for (const heading of Object.values(INVARIANT_HEADINGS)) expect(anchors, heading).toContain(anchorOf(heading));
  });

  test("lists each rule once, under its own invariant's heading", () => {
    const listed = new Map<string, string[]>();
    for (const section of text.split(/^## /m).slice(1)) {
      const inv = /^(I[1-8]|API):/.exec(section)?.[1];
      for (const m of section.matchAll(/\]\(rules\/([a-z0-9-]+)\.md\)/g)) listed.set(m[1]!, [...(listed.get(m[1]!) ?? []), inv ?? 'no invariant']);
    }
    expect(
      [...listed.keys()].filter((id) => !RULES.some((r) => r.id === id)),
      'a rule page that does not exist',
    ).toEqual([]);
    expect(RULES.filter((r) => JSON.stringify(listed.get(r.id)) !== JSON.stringify([r.invariant])).map((r) => `${r.id} (${r.invariant}): listed under ${listed.get(r.id) ?? 'none'}`)).toEqual([]);
  });
});

/** The rules of the errors bench/releases/triage.md triages as true defects of a release. */
function sweepTrue(): Set<string> {
  const rows = read('bench', 'releases', 'triage.md')
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .map((l) => l.split('|').map((c) => c.trim()));
  const out = new Set<string>();
  let rule = -1;
  let verdict = -1;
  for (const cells of rows) {
    if (cells.includes('rule') && cells.includes('verdict')) {
      rule = cells.indexOf('rule');
      verdict = cells.indexOf('verdict');
    } else if (rule >= 0 && /^true defect/.test(cells[verdict] ?? '')) out.add(cells[rule]!);
  }
  return out;
}

/** The rules bench/history.ts found on a real pre-fix file as released. */
function historyFound(): Set<string> {
  return new Set(BUGS.filter((b) => b.rule !== null && OUTCOME[b.id] === 'found').map((b) => b.rule!));
}

/**
 * The rules that reported a Fixes target of the traffic bench (a posting a
 * later commit repaired): those bench/traffic/triage.md names, and A10, which
 * it counts as found without naming the rule (`npx tsx bench/traffic/run.ts
 * A10`, 2026-12-08: interval-notifier-not-inserted, a warning in gntdev_mmap()).
 */
function trafficFound(): Set<string> {
  const named = [...read('bench', 'traffic', 'triage.md').matchAll(/\*\*found\*\* \((?:error|warning) `([a-z0-9-]+)`\)/g)].map((m) => m[1]!);
  return new Set([...named, 'interval-notifier-not-inserted']);
}

describe('status follows the evidence', () => {
  const sweep = sweepTrue();
  const history = historyFound();
  const traffic = trafficFound();

  test('the evidence is read', () => {
    // the sweep's 52 errors are 8 rules' findings; the history bench 11 rules'
    expect(sweep.size).toBeGreaterThanOrEqual(8);
    expect(history.size).toBeGreaterThanOrEqual(11);
    expect(traffic.size).toBeGreaterThanOrEqual(4);
    for (const id of [...sweep, ...history, ...traffic]) expect(RULES.map((r) => r.id)).toContain(id);
  });

  test('stable exactly when a rule reported a true defect on real kernel code', () => {
    const proven = new Set([...sweep, ...history, ...traffic]);
    const wrong = RULES.filter((r) => (r.status === 'stable') !== proven.has(r.id)).map((r) => `${r.id}: ${r.status}, ${proven.has(r.id) ? 'has' : 'has no'} real-code evidence`);
    expect(wrong).toEqual([]);
  });

  test('since is a version no newer than the package', () => {
    const version = (v: string): number[] => v.split('.').map(Number);
    const pkg = version(JSON.parse(read('package.json')).version);
    for (const r of RULES) {
      expect(r.since, r.id).toMatch(/^\d+\.\d+\.\d+$/);
      const since = version(r.since);
      const cmp = since.map((n, i) => n - pkg[i]!).find((d) => d !== 0) ?? 0;
      expect(cmp, `${r.id} since ${r.since}`).toBeLessThanOrEqual(0);
    }
  });
});
