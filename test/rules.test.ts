import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { RULES } from '../src/rules/index.js';
import { formatRulesMarkdown } from '../src/report/rules.js';
import { REPO, check, expectations } from './helpers.js';
import { analyze } from '../src/engine/analyze.js';
import { scan } from '../src/engine/scan.js';
import { renderFindings } from '../src/report/formats.js';

const FIXTURES = join(REPO, 'fixtures', 'rules');

function severityOf(id: string): string {
  const rule = RULES.find((r) => r.id === id);
  if (!rule) throw new Error(`an annotation names no rule: ${id}`);
  return rule.severity;
}

describe('bundled examples (strict annotations)', () => {
  const dir = join(REPO, 'fixtures', 'examples');
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.c'))
    .sort()) {
    test(file, async () => {
      const rel = relative(REPO, join(dir, file));
      const findings = await check([rel]);
      const want = expectations(join(dir, file))
        .filter((e) => e.kind === 'expect')
        .map((e) => `${e.line} ${e.rule}`);
      expect(findings.map((f) => `${f.line} ${f.rule}`).sort()).toEqual(want.sort());
    });
  }
});

describe('rule fixtures (strict: every finding annotated, every expect found)', () => {
  for (const rule of RULES) {
    const dir = join(FIXTURES, rule.id);
    const files = existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith('.c') || f.endsWith('.h'))
          .sort()
      : [];
    test(`${rule.id} has fixtures that fire and that stay quiet`, () => {
      const all = files.flatMap((f) => expectations(join(dir, f)).filter((e) => e.rule === rule.id));
      expect(all.some((e) => e.kind === 'expect')).toBe(true);
      expect(all.some((e) => e.kind === 'ok')).toBe(true);
    });
    test(`${rule.id}: every message is given by one of its fixtures`, async () => {
      const given = new Set<string>();
      for (const file of files) for (const f of await check([relative(REPO, join(dir, file))])) if (f.rule === rule.id) given.add(f.messageId);
      expect(Object.keys(rule.messages).filter((m) => !given.has(m))).toEqual([]);
    });
    for (const file of files) {
      // known misses are listed in the test output as todo
      for (const todo of expectations(join(dir, file)).filter((e) => e.kind === 'todo-expect')) test.todo(`${rule.id}/${file}:${todo.line}: ${todo.rule} not found yet`);
      test(`${rule.id}/${file}`, async () => {
        const path = join(dir, file);
        const rel = relative(REPO, path);
        const findings = (await check([rel])).filter((f) => f.file === rel);
        const exp = expectations(path);
        const got = findings.map((f) => `${f.line} ${f.rule} ${f.severity}`).sort();
        const want = exp
          .filter((e) => e.kind === 'expect')
          // no severity written: the rule's own
          .map((e) => `${e.line} ${e.rule} ${e.severity ?? severityOf(e.rule)}`)
          .sort();
        expect(got).toEqual(want);
        // a known miss still missed; once found it must become an expect
        for (const todo of exp.filter((e) => e.kind === 'todo-expect')) {
          expect(
            findings.filter((f) => f.line === todo.line && f.rule === todo.rule),
            `${rel}:${todo.line}: todo-expect ${todo.rule} is found now: make it an expect`,
          ).toEqual([]);
        }
        for (const ok of exp.filter((e) => e.kind === 'ok')) {
          expect(findings.filter((f) => f.line === ok.line && f.rule === ok.rule)).toEqual([]);
        }
      });
    }
  }
});

describe('text output per fixture folder (file snapshots: fixtures/rules/<id>/expected.txt)', () => {
  for (const rule of RULES) {
    const dir = join(FIXTURES, rule.id);
    if (!existsSync(dir)) continue;
    test(rule.id, async () => {
      const rel = relative(REPO, dir);
      const result = await scan({ paths: [rel], cwd: REPO, jobs: 1 });
      const findings = analyze(result.files, result.index);
      const text = renderFindings('text', { findings, stats: result.stats, rules: RULES, version: 'test', lineText: (file, line) => readFileSync(resolve(REPO, result.root, file), 'utf8').split('\n')[line - 1] });
      await expect(text).toMatchFileSnapshot(join(dir, 'expected.txt'));
    });
  }
});

describe('rule catalogue', () => {
  test('docs/checks.md lists every rule, with its severity and invariant: the table the registry writes', () => {
    const page = readFileSync(join(REPO, 'docs', 'checks.md'), 'utf8');
    const start = page.indexOf('\n', page.indexOf('<!-- rules:start')) + 1;
    expect(page.slice(start, page.indexOf('<!-- rules:end')), 'the table of docs/checks.md is not the registry: npm run rules-table').toBe(formatRulesMarkdown(RULES));
    const rows = [...formatRulesMarkdown(RULES).matchAll(/^\| `([a-z0-9-]+)` \| (\w+) \| (\w+) \|/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
    expect(rows).toEqual(RULES.map((r) => `${r.id} ${r.severity} ${r.invariant}`));
  });
});

describe('rule docs', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'mnlint-docs-'));
  for (const rule of RULES) {
    test(`${rule.id}: metadata and docs are complete`, () => {
      expect(rule.id).toMatch(/^[a-z0-9-]+$/);
      expect(existsSync(join(REPO, 'src', 'rules', `${rule.id}.ts`))).toBe(true);
      expect(rule.invariant).toMatch(/^(I[1-8]|API)$/);
      for (const key of ['what', 'why', 'bad', 'good'] as const) expect(rule.docs[key].length).toBeGreaterThan(20);
      expect(rule.docs.references.length).toBeGreaterThan(0);
      // the scaffold's placeholders (npm run new-rule) are not docs
      expect(Object.keys(rule.messages).length).toBeGreaterThan(0);
      const placeholders = [rule.title, rule.docs.what, rule.docs.why, rule.docs.bad, rule.docs.good, ...rule.docs.references, ...Object.values<string>(rule.messages)].filter((t) => /\bTODO\b/.test(t));
      expect(placeholders, 'a TODO placeholder left in the metadata or docs').toEqual([]);
    });
    test(`${rule.id}: the bad example gives exactly one finding of the rule, the good one none`, async () => {
      // a rule about the header itself gets its examples as headers
      const ext = rule.id === 'ops-member-undocumented' ? 'h' : 'c';
      writeFileSync(join(tmp, `${rule.id}-bad.${ext}`), rule.docs.bad);
      writeFileSync(join(tmp, `${rule.id}-good.${ext}`), rule.docs.good);
      const bad = await check([`${rule.id}-bad.${ext}`], tmp);
      const good = await check([`${rule.id}-good.${ext}`], tmp);
      expect(bad.map((f) => f.rule)).toEqual([rule.id]);
      expect(good).toEqual([]);
    });
  }
});
