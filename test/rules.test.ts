import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { RULES } from '../src/rules/index.js';
import { REPO, check, expectations } from './helpers.js';

const FIXTURES = join(REPO, 'fixtures', 'rules');

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
    for (const file of files) {
      test(`${rule.id}/${file}`, async () => {
        const path = join(dir, file);
        const rel = relative(REPO, path);
        const findings = (await check([rel])).filter((f) => f.file === rel);
        const exp = expectations(path);
        const got = findings.map((f) => `${f.line} ${f.rule} ${f.severity}`).sort();
        const want = exp
          .filter((e) => e.kind === 'expect')
          .map((e) => `${e.line} ${e.rule} ${e.severity ?? findings.find((f) => f.line === e.line && f.rule === e.rule)?.severity ?? 'error'}`)
          .sort();
        expect(got).toEqual(want);
        for (const ok of exp.filter((e) => e.kind === 'ok')) {
          expect(findings.filter((f) => f.line === ok.line && f.rule === ok.rule)).toEqual([]);
        }
      });
    }
  }
});

describe('rule catalogue', () => {
  test('the README lists every rule, with its severity and invariant', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('<!-- rules:start'), readme.indexOf('<!-- rules:end'));
    const rows = [...table.matchAll(/^\| `([a-z0-9-]+)` \| (\w+) \| (\w+) \|/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
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
