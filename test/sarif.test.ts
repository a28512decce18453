// SARIF 2.1.0, checked against the official schema (shipped by @microsoft/jest-sarif)
// with ajv, which implements its formats (`uri-reference` allows the relative
// paths SARIF uses with uriBaseId; zod's converter would demand absolute URLs),
// and reviewdog's rdjsonl.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import Ajv from 'ajv';
import { RULES } from '../src/rules/index.js';
import { REPO, runCli } from './helpers.js';
import { kernelDir } from './kernel-trees.js';
import { needKernel, skipUnless } from './needs.js';

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
    expect(first.partialFingerprints['mnlint/v2']).toMatch(/^[0-9a-f]{32}$/);
    expect(run.tool.driver.rules[0].help.text).toContain('## Why is this bad?');
  });

  test('fingerprints do not move with the line, and two equal messages in one function keep two', async () => {
    const { fingerprints } = await import('../src/report/sarif.js');
    const one = (f: Parameters<typeof fingerprints>[0][number]): string => fingerprints([f]).get(f)!;
    const f = { rule: 'r', messageId: 'm', severity: 'error' as const, invariant: null, file: 'a.c', line: 10, column: 1, endLine: 10, function: 'f', message: 'returns -EAGAIN at a.c:12', steps: [] };
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
    const prints = (JSON.parse(r.stdout) as { runs: Array<{ results: Array<{ partialFingerprints: Record<string, string> }> }> }).runs[0]!.results.map((x) => x.partialFingerprints['mnlint/v2']);
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
  expect(
    r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l)),
  ).toEqual([
    {
      message: 'drv_start() returns -EBUSY: invalidate_range_start may only fail with -EAGAIN, in a non-blockable range',
      location: { path: 'fixtures/rules/start-error-not-eagain/bad.c', range: { start: { line: 8, column: 3 }, end: { line: 8 } } },
      severity: 'ERROR',
      source: { name: 'mnlint' },
      code: { value: 'start-error-not-eagain' },
    },
  ]);
});

describe("Microsoft's SARIF multitool (@microsoft/sarif-multitool) with GitHub's rules", () => {
  const BIN = join(REPO, 'node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool');
  /** errors and warnings the multitool reports for a SARIF file (its own SARIF output, read back) */
  function validate(sarif: string): string[] {
    if (!existsSync(BIN)) throw new Error('the SARIF multitool is missing: npm ci installs it (@microsoft/sarif-multitool)');
    // npm may skip the package's chmod: the binary must be executable
    chmodSync(BIN, 0o755);
    const dir = mkdtempSync(join(tmpdir(), 'mnlint-smt-'));
    writeFileSync(join(dir, 'in.sarif'), sarif);
    const r = spawnSync(BIN, ['validate', join(dir, 'in.sarif'), '--rule-kind', 'Gh', '--level', 'Error;Warning', '--output', join(dir, 'out.sarif'), '--log', 'ForceOverwrite'], {
      encoding: 'utf8',
      env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1' },
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const out = JSON.parse(readFileSync(join(dir, 'out.sarif'), 'utf8')) as { runs: Array<{ results?: Array<{ ruleId: string; level?: string; message: { arguments?: string[] } }> }> };
    return (out.runs[0]!.results ?? []).map((x) => `${x.level ?? 'warning'} ${x.ruleId} ${(x.message.arguments ?? []).join(' | ')}`);
  }

  test('check and patch output of the fixtures validate without an error or a warning', () => {
    expect(validate(runCli(['check', '--format', 'sarif', 'fixtures/rules']).stdout)).toEqual([]);
    expect(validate(runCli(['patch', '--tree', 'fixtures/trees/drv', '--format', 'sarif', 'fixtures/patches/drv-v2.mbox']).stdout)).toEqual([]);
  });

  test('a located trace is a code flow and related locations; a model line carries the driver place it ran', () => {
    type Loc = { id?: number; physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn?: number } }; message: { text: string } };
    type Result = { ruleId: string; codeFlows?: Array<{ threadFlows: Array<{ locations: Array<{ location: Loc }> }> }>; relatedLocations?: Loc[] };
    const place = (l: Loc): string => `${l.physicalLocation.artifactLocation.uri}:${l.physicalLocation.region.startLine}: ${l.message.text}`;
    const BAD = 'fixtures/rules/sleep-in-atomic-callback/bad.c';
    const sarif = runCli(['check', '--format', 'sarif', BAD]).stdout;
    const [first] = (JSON.parse(sarif) as { runs: Array<{ results: Result[] }> }).runs[0]!.results;
    // the remark "... never sleeps (I5)" has no place: not in the flow
    expect(first!.codeFlows![0]!.threadFlows[0]!.locations.map((x) => place(x.location))).toEqual([`${BAD}:30: drv_ops.arch_invalidate_secondary_tlbs = drv_tlbs`, `${BAD}:15: mutex_lock()`]);
    expect(first!.relatedLocations!.map((x) => [x.id, place(x)])).toEqual([
      [1, `${BAD}:30: drv_ops.arch_invalidate_secondary_tlbs = drv_tlbs`],
      [2, `${BAD}:15: mutex_lock()`],
    ]);
    expect(Sarif.safeParse(JSON.parse(sarif)).success).toBe(true);
    expect(validate(sarif)).toEqual([]);
    const MODEL = 'fixtures/rules/range-end-with-failing-start/bad.c';
    const model = (JSON.parse(runCli(['check', '--format', 'sarif', MODEL]).stdout) as { runs: Array<{ results: Result[] }> }).runs[0]!.results.find((x) => x.ruleId === 'range-end-with-failing-start')!;
    const flow = model.codeFlows![0]!.threadFlows[0]!.locations.map((x) => x.location);
    expect(flow[0]!.physicalLocation.region.startLine).toBe(20);
    expect(flow[0]!.message.text).toMatch(/^drv_mn_ops\.invalidate_range_start\(\) -> -11 \[/);
  });

  test('one directory scanned inside a repository: URIs start at the repository top, as code scanning matches them', () => {
    const top = mkdtempSync(join(tmpdir(), 'mnlint-sarif-repo-'));
    mkdirSync(join(top, '.git'));
    mkdirSync(join(top, 'drivers/gpu/drm/drv'), { recursive: true });
    writeFileSync(join(top, 'drivers/gpu/drm/drv/drv.c'), readFileSync(join(REPO, 'fixtures/examples/drv_userptr.c')));
    const r = runCli(['check', '--format', 'sarif', 'drivers/gpu/drm'], { cwd: top });
    const run = (
      JSON.parse(r.stdout) as { runs: Array<{ originalUriBaseIds: Record<string, { uri: string }>; results: Array<{ locations: Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId: string } } }> }> }> }
    ).runs[0]!;
    expect(run.originalUriBaseIds['%SRCROOT%']!.uri).toBe(`file://${top}/`);
    expect(new Set(run.results.map((x) => x.locations[0]!.physicalLocation.artifactLocation.uri))).toEqual(new Set(['drivers/gpu/drm/drv/drv.c']));
  });

  test('check of Linux 6.12 drivers/gpu/drm validates too, URIs from the repository root', (ctx) => {
    skipUnless(ctx, needKernel('6.12'));
    const k = kernelDir('6.12');
    const r = runCli(['check', '--format', 'sarif', '--sarif-root', k, join(k, 'drivers/gpu/drm')]);
    const log = JSON.parse(r.stdout) as { runs: Array<{ originalUriBaseIds: Record<string, { uri: string }>; results: Array<{ locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }> }> };
    expect(log.runs[0]!.originalUriBaseIds['%SRCROOT%']!.uri).toBe(`file://${k}/`);
    expect(log.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toMatch(/^drivers\/gpu\/drm\//);
    expect(validate(r.stdout)).toEqual([]);
  });
});
