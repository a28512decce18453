// SARIF 2.1.0, checked against the official schema (shipped by @microsoft/jest-sarif)
// with ajv, which implements its formats (`uri-reference` allows the relative
// paths SARIF uses with uriBaseId; zod's converter would demand absolute URLs),
// and reviewdog's rdjsonl.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import Ajv from 'ajv';
import { RULES } from '../src/rules/index.js';
import { runCli } from './helpers.js';

const require = createRequire(import.meta.url);
const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
// the official schema is draft-04 (`id`, not `$id`)
const ajv = new Ajv({ allErrors: true, schemaId: 'auto' });
ajv.addMetaSchema(JSON.parse(readFileSync(require.resolve('ajv/lib/refs/json-schema-draft-04.json'), 'utf8')));
const validate = ajv.compile(schema);
const Sarif = {
  safeParse(log: unknown): { success: boolean; error?: { issues?: unknown[] } } {
    const success = validate(log) as boolean;
    return success ? { success } : { success, error: { issues: validate.errors ?? [] } };
  },
};

describe('--format sarif', () => {
  test('check output validates against the SARIF 2.1.0 schema', () => {
    const r = runCli(['check', '--format', 'sarif', 'fixtures/rules']);
    const log = JSON.parse(r.stdout);
    const v = Sarif.safeParse(log);
    expect(v.success, JSON.stringify(v.error?.issues?.slice(0, 3))).toBe(true);
    const run = log.runs[0];
    expect(run.tool.driver.rules.map((x: { id: string }) => x.id)).toEqual(RULES.map((x) => x.id));
    expect(run.results.length).toBeGreaterThan(20);
    const first = run.results[0];
    expect(first).toMatchObject({ ruleId: expect.any(String), level: expect.stringMatching(/^(error|warning|note)$/) });
    expect(run.tool.driver.rules[first.ruleIndex].id).toBe(first.ruleId);
    expect(first.partialFingerprints['mnlint/v1']).toMatch(/^[0-9a-f]{32}$/);
    expect(run.tool.driver.rules[0].help.text).toContain('## Why is this bad?');
  });

  test('fingerprints do not move with the line, and two equal messages in one function keep two', async () => {
    const { fingerprints } = await import('../src/report/sarif.js');
    const one = (f: Parameters<typeof fingerprints>[0][number]): string => fingerprints([f]).get(f)!;
    const f = { rule: 'r', severity: 'error' as const, invariant: null, file: 'a.c', line: 10, column: 1, endLine: 10, function: 'f', message: 'returns -EAGAIN at a.c:12', trace: [] };
    expect(one({ ...f, line: 40, message: 'returns -EAGAIN at a.c:42' })).toBe(one(f));
    expect(one({ ...f, function: 'g' })).not.toBe(one(f));
    // kfd_svm.c:1985 and :2027 on 6.12: one rule, one message, one function
    const a = { ...f, line: 1985 };
    const b = { ...f, line: 2027 };
    const both = fingerprints([b, a]);
    expect(both.get(a)).not.toBe(both.get(b));
    // moving both keeps each its own
    const a2 = { ...a, line: 1990 };
    const b2 = { ...b, line: 2032 };
    const moved = fingerprints([a2, b2]);
    expect([moved.get(a2), moved.get(b2)]).toEqual([both.get(a), both.get(b)]);
    const r = runCli(['check', '--format', 'sarif', 'fixtures/rules/sleep-in-non-blockable-range']);
    const prints = (JSON.parse(r.stdout) as { runs: Array<{ results: Array<{ partialFingerprints: Record<string, string> }> }> }).runs[0]!.results.map((x) => x.partialFingerprints['mnlint/v1']);
    expect(new Set(prints).size).toBe(prints.length);
  });

  test('patch output validates too', () => {
    const r = runCli(['patch', '--tree', 'fixtures/trees/drv', '--format', 'sarif', 'fixtures/patches/drv-v2.mbox']);
    expect(Sarif.safeParse(JSON.parse(r.stdout)).success).toBe(true);
    expect(JSON.parse(r.stdout).runs[0].results.map((x: { ruleId: string }) => x.ruleId)).toEqual(['range-end-with-failing-start', 'sleeping-gfp-in-first-pass']);
  });
});

test('--format rdjsonl: one reviewdog diagnostic a line', () => {
  const r = runCli(['check', '--format', 'rdjsonl', 'fixtures/rules/start-error-not-eagain/bad.c']);
  expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([{
    message: 'drv_start() returns -EBUSY: invalidate_range_start may only fail with -EAGAIN, in a non-blockable range',
    location: { path: 'fixtures/rules/start-error-not-eagain/bad.c', range: { start: { line: 8, column: 3 }, end: { line: 8 } } },
    severity: 'ERROR',
    source: { name: 'mnlint' },
    code: { value: 'start-error-not-eagain' },
  }]);
});
