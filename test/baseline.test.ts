// Baselines (check --baseline FILE, --write-baseline FILE, the Action's
// `baseline` input): entries keyed as the SARIF fingerprints are, counted,
// sorted; a line move changes nothing, an added finding is reported alone, a
// fixed one is listed. In-process on the bundled example, through the built
// CLI and the bundled Action, and on the whole Linux 6.12 tree.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Ajv from 'ajv';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { NO_CONFIG } from '../src/engine/config.js';
import { BaselineError, BaselineSchema, buildBaseline, compareBaseline, entryKey, formatBaseline, inScopeOf, readBaseline, type Baseline } from '../src/report/baseline.js';
import { RULES } from '../src/rules/index.js';
import { occurrenceKeys, type Finding } from '../src/rules/rule.js';
import { check, CLI, REPO, replaceIn, withoutNewestNote } from './helpers.js';
import { kernelDir } from './kernel-trees.js';
import { needKernel, skipUnless } from './needs.js';

const EXAMPLE = join(REPO, 'fixtures/examples/drv_userptr.c');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mnlint-baseline-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A fresh copy of the example in its own directory. */
function example(name: string): string {
  const d = join(dir, name);
  mkdirSync(d);
  copyFileSync(EXAMPLE, join(d, 'drv.c'));
  return d;
}

function cli(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  // HOME: no .mnlint.json of the user's is found
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 600_000, maxBuffer: 1 << 26, env: { ...process.env, HOME: cwd } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// the added defect: drv_mm_start takes its mutex before it knows the range may block
const ADD_DEFECT: [string, string] = [
  '\tif (!mmu_notifier_range_blockable(range))\n\t\treturn -EAGAIN;\n\tmutex_lock(&d->lock);',
  '\tmutex_lock(&d->lock);\n\tif (!mmu_notifier_range_blockable(range)) {\n\t\tmutex_unlock(&d->lock);\n\t\treturn -EAGAIN;\n\t}',
];
// the fix: the invalidate callback's allocation no longer sleeps
const FIX: [string, string] = ['kzalloc(sizeof(*cb), GFP_KERNEL)', 'kzalloc(sizeof(*cb), GFP_NOWAIT)'];
// a line move: the whole file shifts down
const MOVE: [string, string] = ['static int drv_mm_start(', '/* a comment\n * of three lines\n */\nstatic int drv_mm_start('];

describe('the baseline of a run', () => {
  test('one entry per finding, keyed as the SARIF fingerprints are (their occurrence key less the occurrence)', async () => {
    const findings = await check(['drv.c'], example('keys'));
    expect(findings.length).toBe(3);
    const baseline = buildBaseline(findings);
    expect(baseline.entries.map((e) => e.count)).toEqual([1, 1, 1]);
    const keys = occurrenceKeys(findings);
    for (const f of findings) expect(entryKey(buildBaseline([f]).entries[0]!)).toBe(keys.get(f)!.replace(/\0\d+$/, ''));
    // a callback finding names its table's member, not the C function's line
    expect(baseline.entries.map((e) => [e.rule, e.callback ?? e.function])).toEqual([
      ['range-end-with-failing-start', 'drv_mm_ops'],
      ['sleep-in-non-blockable-range', 'drv_mm_ops.invalidate_range_end'],
      ['sleeping-gfp-in-first-pass', 'drv_userptr_ops.invalidate'],
    ]);
    expect(BaselineSchema.safeParse(JSON.parse(formatBaseline(baseline))).success).toBe(true);
  });

  test('the file is the same whatever the order of the findings and after lines move', async () => {
    const d = example('order');
    const before = await check(['drv.c'], d);
    replaceIn(join(d, 'drv.c'), ...MOVE);
    const after = await check(['drv.c'], d);
    expect(after.map((f) => f.line)).not.toEqual(before.map((f) => f.line));
    expect(formatBaseline(buildBaseline(after))).toBe(formatBaseline(buildBaseline([...before].reverse())));
    const c = compareBaseline(after, buildBaseline(before));
    expect([c.new.length, c.unchanged.length, c.fixed.length]).toEqual([0, 3, 0]);
  });

  test('two findings with one key are one entry counted twice; a third is the new one, the last in line order', async () => {
    const [f] = (await check(['drv.c'], example('dup'))).filter((x) => x.rule === 'sleeping-gfp-in-first-pass');
    const at = (line: number): Finding => ({ ...f!, line });
    const baseline = buildBaseline([at(10), at(20)]);
    expect(baseline.entries).toHaveLength(1);
    expect(baseline.entries[0]!.count).toBe(2);
    const c = compareBaseline([at(30), at(5), at(25)], baseline);
    expect(c.new.map((x) => x.line)).toEqual([30]);
    expect(c.unchanged.map((x) => x.line).sort()).toEqual([25, 5]);
    // one of two gone: the entry is listed as fixed once
    const gone = compareBaseline([at(7)], baseline);
    expect(gone.new).toEqual([]);
    expect(gone.fixed.map((e) => e.count)).toEqual([1]);
  });

  test('an entry the run could not have found (its rule not run, turned off, its file excluded) is not fixed', async () => {
    const findings = await check(['drv.c'], example('scope'));
    const baseline = buildBaseline(findings);
    const one = RULES.filter((r) => r.id === 'range-end-with-failing-start');
    const only = findings.filter((f) => f.rule === 'range-end-with-failing-start');
    expect(compareBaseline(only, baseline, inScopeOf(one, NO_CONFIG)).fixed).toEqual([]);
    expect(compareBaseline([], baseline, inScopeOf(RULES, { ...NO_CONFIG, exclude: [baseline.entries[0]!.file] })).fixed).toEqual([]);
    expect(compareBaseline([], baseline, inScopeOf(RULES, { ...NO_CONFIG, rules: new Map([['sleep-in-non-blockable-range', 'off' as const]]) })).fixed.map((e) => e.rule)).toEqual([
      'range-end-with-failing-start',
      'sleeping-gfp-in-first-pass',
    ]);
  });

  test('a file that is no baseline is named, one line', () => {
    const write = (name: string, text: string): string => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    };
    const entry = { rule: 'r', messageId: 'm', file: 'a.c', function: 'f', count: 1 };
    const cases: Array<[string, RegExp]> = [
      ['{', /^b: not JSON \(/],
      ['[]', /^b: Invalid input: expected object, received array$/],
      [JSON.stringify({ tool: 'mnlint', baseline: 2, entries: [] }), /^b: baseline: .*write it again with --write-baseline\)$/],
      [JSON.stringify({ tool: 'mnlint', baseline: 1, entries: [{ ...entry, count: 0 }] }), /^b: entries\.0\.count: /],
      [JSON.stringify({ tool: 'mnlint', baseline: 1, entries: [{ ...entry, line: 3 }] }), /^b: .*line/],
      [JSON.stringify({ tool: 'mnlint', baseline: 1, entries: [entry, { ...entry, message: 'other words' }] }), /^b: entries\.0 and entries\.1 have the same key/],
    ];
    for (const [text, message] of cases) {
      const p = write('bad.json', text);
      expect(() => readBaseline(p, 'b')).toThrow(BaselineError);
      expect(() => readBaseline(p, 'b')).toThrow(message);
    }
    // a byte order mark is no error
    const ok: Baseline = { tool: 'mnlint', baseline: 1, entries: [entry] };
    expect(readBaseline(write('bom.json', `\uFEFF${JSON.stringify(ok)}`))).toEqual(ok);
  });
});

const require = createRequire(import.meta.url);
const sarifSchema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
const ajv = new Ajv({ allErrors: true, schemaId: 'auto' });
ajv.addMetaSchema(JSON.parse(readFileSync(require.resolve('ajv/lib/refs/json-schema-draft-04.json'), 'utf8')));
const validSarif = ajv.compile(sarifSchema);

describe('check --baseline and --write-baseline (the built CLI)', () => {
  test('written, then a clean run; lines moved, still clean; a defect added is reported alone, a fixed one listed', () => {
    const d = example('cli');
    const w = cli(['check', '--write-baseline', 'base.json', '.'], d);
    expect(w.code).toBe(0);
    expect(withoutNewestNote(w.stderr)).toBe('mnlint: note: wrote baseline base.json: 3 entries for 3 findings\n');
    expect(w.stdout).toContain('total: 3 errors');
    const written = readFileSync(join(d, 'base.json'), 'utf8');
    expect(written).toBe(formatBaseline(BaselineSchema.parse(JSON.parse(written))));

    const clean = cli(['check', '--baseline', 'base.json', '.'], d);
    expect([clean.code, clean.stdout.trim()]).toEqual([0, expect.stringMatching(/^total: 0 errors, 0 warnings, 0 infos, /)]);
    expect(withoutNewestNote(clean.stderr)).toBe('mnlint: note: baseline base.json: 3 findings in it not shown, 0 new\n');

    replaceIn(join(d, 'drv.c'), ...MOVE);
    expect(cli(['check', '--baseline', 'base.json', '.'], d).code).toBe(0);

    replaceIn(join(d, 'drv.c'), ...ADD_DEFECT);
    replaceIn(join(d, 'drv.c'), ...FIX);
    const text = cli(['check', '--baseline', 'base.json', '.'], d);
    expect(text.code).toBe(1);
    expect(text.stdout.match(/^(ERROR|WARNING|INFO):[\w-]+/gm)).toEqual(['ERROR:sleep-in-non-blockable-range']);
    expect(text.stdout).toContain('drv_mm_start()');
    expect(withoutNewestNote(text.stderr)).toBe(
      [
        'mnlint: note: baseline base.json: 2 findings in it not shown, 1 new, 1 fixed (in it, no longer found; --write-baseline drops them):',
        'mnlint: note:   fixed: sleeping-gfp-in-first-pass: drv.c: drv_userptr_ops.invalidate [kzalloc]',
        '',
      ].join('\n'),
    );

    const json = JSON.parse(cli(['check', '--format', 'json', '--baseline', 'base.json', '.'], d).stdout);
    expect(json.findings.map((f: Finding) => f.rule)).toEqual(['sleep-in-non-blockable-range']);
    expect(json.baseline).toMatchObject({ file: 'base.json', new: 1, unchanged: 2, fixed: [{ rule: 'sleeping-gfp-in-first-pass', callback: 'drv_userptr_ops.invalidate', count: 1 }] });

    const sarif = JSON.parse(cli(['check', '--format', 'sarif', '--baseline', 'base.json', '.'], d).stdout);
    expect(validSarif(sarif), JSON.stringify(validSarif.errors?.slice(0, 3))).toBe(true);
    const run = sarif.runs[0];
    expect(run.results.map((r: { ruleId: string; baselineState: string }) => [r.ruleId, r.baselineState])).toEqual([['sleep-in-non-blockable-range', 'new']]);
    expect(run.properties.baseline).toMatchObject({ new: 1, unchanged: 2, fixed: [{ rule: 'sleeping-gfp-in-first-pass' }] });

    // written again (over the one read): the fixed entry is gone, the new finding in
    const again = cli(['check', '--baseline', 'base.json', '--write-baseline', 'base.json', '.'], d);
    expect(again.code).toBe(0);
    const rules = (JSON.parse(readFileSync(join(d, 'base.json'), 'utf8')) as Baseline).entries.map((e) => e.rule);
    expect(rules.sort()).toEqual(['range-end-with-failing-start', 'sleep-in-non-blockable-range', 'sleep-in-non-blockable-range']);
    expect(cli(['check', '--baseline', 'base.json', '.'], d).code).toBe(0);
  });

  test('a bad --baseline or --write-baseline is one line before the scan, exit 2; json prints its failure document', () => {
    const d = example('bad');
    expect(spawnSync('mkfifo', [join(d, 'fifo')]).status).toBe(0);
    mkdirSync(join(d, 'adir'));
    writeFileSync(join(d, 'notjson'), 'x');
    const cases: Array<[string[], string]> = [
      [['--baseline', 'missing.json'], 'mnlint: --baseline missing.json: no such file or directory'],
      [['--baseline', 'fifo'], 'mnlint: --baseline fifo: a FIFO, not a regular file'],
      [['--baseline', 'adir'], 'mnlint: --baseline adir: a directory, not a regular file'],
      [['--baseline', 'notjson'], expect.stringMatching(/^mnlint: --baseline notjson: not JSON \(/) as unknown as string],
      [['--write-baseline', 'fifo'], 'mnlint: --write-baseline fifo: a FIFO, not a regular file'],
      [['--write-baseline', 'adir'], 'mnlint: --write-baseline adir: a directory, not a regular file'],
      [['--write-baseline', 'nowhere/b.json'], 'mnlint: --write-baseline nowhere/b.json: no such file or directory'],
      [['--write-baseline', '/dev/null'], 'mnlint: --write-baseline /dev/null: a device, not a regular file'],
    ];
    for (const [opts, line] of cases) {
      const r = cli(['check', ...opts, 'drv.c'], d);
      expect([r.code, r.stdout, r.stderr.trimEnd()]).toEqual([2, '', line]);
    }
    const doc = cli(['check', '--format', 'json', '--baseline', 'missing.json', 'drv.c'], d);
    expect(doc.code).toBe(2);
    expect(JSON.parse(doc.stdout)).toMatchObject({ tool: 'mnlint', findings: [], errors: ['--baseline missing.json: no such file or directory'] });
    // only check takes them
    const patch = cli(['patch', '--baseline', 'b.json', 'drv.c'], d);
    expect([patch.code, patch.stderr]).toEqual([2, expect.stringMatching(/^mnlint: patch takes no --baseline /)]);
  });

  test('an input that cannot be read: exit 2 and no baseline written', () => {
    const d = example('unread');
    symlinkLoop(join(d, 'loop.c'));
    const r = cli(['check', '--write-baseline', 'b.json', '.'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('mnlint: --write-baseline b.json: not written: 1 input could not be read\n');
    expect(spawnSync('test', ['-e', join(d, 'b.json')]).status).toBe(1);
  });
});

function symlinkLoop(path: string): void {
  expect(spawnSync('ln', ['-s', path, path]).status).toBe(0);
}

describe("the Action's baseline input", () => {
  const ACTION = resolve(REPO, 'dist', 'action.js');
  const action = (ws: string, env: Record<string, string>): { code: number | null; stdout: string } => {
    const r = spawnSync(process.execPath, [ACTION], {
      cwd: ws,
      encoding: 'utf8',
      timeout: 120_000,
      env: { PATH: process.env.PATH, HOME: ws, GITHUB_WORKSPACE: ws, GITHUB_EVENT_NAME: 'push', INPUT_PATH: '.', 'INPUT_FAIL-ON': 'error', INPUT_ANNOTATIONS: 'true', ...env },
    });
    return { code: r.status, stdout: r.stdout };
  };

  test('on push: the baselined findings are not annotated, the added one is, the fixed one is named; SARIF says new', () => {
    const ws = example('action');
    expect(cli(['check', '--write-baseline', '.mnlint-baseline.json', '.'], ws).code).toBe(0);
    const clean = action(ws, { INPUT_BASELINE: '.mnlint-baseline.json' });
    expect(clean.code).toBe(0);
    expect(clean.stdout).not.toContain('::error file=');
    expect(clean.stdout).toContain('mnlint: push: scanned 1 files, 0 new findings');

    replaceIn(join(ws, 'drv.c'), ...ADD_DEFECT);
    replaceIn(join(ws, 'drv.c'), ...FIX);
    const r = action(ws, { INPUT_BASELINE: '.mnlint-baseline.json', 'INPUT_SARIF-FILE': 'out.sarif' });
    expect(r.code).toBe(1);
    expect(
      r.stdout
        .split('\n')
        .filter((l) => l.startsWith('::error file='))
        .map((l) => /title=mnlint ([\w-]+)/.exec(l)![1]),
    ).toEqual(['sleep-in-non-blockable-range']);
    expect(r.stdout).toContain('mnlint: note:   fixed: sleeping-gfp-in-first-pass: drv.c: drv_userptr_ops.invalidate [kzalloc]');
    const sarif = JSON.parse(readFileSync(join(ws, 'out.sarif'), 'utf8'));
    expect(sarif.runs[0].results.map((x: { baselineState: string }) => x.baselineState)).toEqual(['new']);
  });

  test('a baseline input that cannot be read is one ::error:: line, exit 2', () => {
    const ws = example('action-bad');
    const r = action(ws, { INPUT_BASELINE: 'missing.json' });
    expect([r.code, r.stdout.trim()]).toEqual([2, `::error::mnlint: input baseline: missing.json: no such file or directory`]);
  });
});

describe('the whole Linux 6.12 tree', () => {
  test('a baseline written on it makes the next check exit 0 with 0 findings; an added defect is reported alone, a fixed one listed', (ctx) => {
    skipUnless(ctx, needKernel('6.12'));
    // the tree as links (the cache is shared and stays untouched); the two files edited are copies
    const tree = join(dir, 'linux-6.12');
    expect(spawnSync('cp', ['-rs', resolve(kernelDir('6.12')), tree]).status).toBe(0);
    const w = cli(['check', '--quiet', '--write-baseline', join(dir, 'linux.json'), '.'], tree);
    expect(w.code).toBe(0);
    const baseline = readBaseline(join(dir, 'linux.json'));
    const found = baseline.entries.reduce((n, e) => n + e.count, 0);
    expect(found).toBeGreaterThan(0);
    expect(baseline.entries.some((e) => e.severity === 'error')).toBe(true);

    const clean = cli(['check', '--quiet', '--format', 'json', '--baseline', join(dir, 'linux.json'), '.'], tree);
    expect(clean.code).toBe(0);
    const report = JSON.parse(clean.stdout);
    expect(report.findings).toEqual([]);
    expect(report.baseline).toMatchObject({ new: 0, unchanged: found, fixed: [] });

    const edit = (file: string, from: string, to: string): void => {
      const path = join(tree, file);
      const target = readlinkSync(path);
      rmSync(path);
      copyFileSync(target, path);
      replaceIn(path, from, to);
    };
    // fixed: radeon keeps the sequence it throws away no more (the statement goes)
    edit('drivers/gpu/drm/radeon/radeon_mn.c', '\tmmu_interval_read_begin(&bo->notifier);\n', '');
    // added: hfi1 throws its sequence away
    edit('drivers/infiniband/hw/hfi1/user_exp_rcv.c', 'mmu_seq = mmu_interval_read_begin(&tidbuf->notifier);', 'mmu_interval_read_begin(&tidbuf->notifier);');
    const r = cli(['check', '--quiet', '--format', 'json', '--fail-on', 'warning', '--baseline', join(dir, 'linux.json'), '.'], tree);
    expect(r.code).toBe(1);
    const after = JSON.parse(r.stdout);
    expect(after.findings.map((f: Finding) => [f.rule, f.file, f.function])).toEqual([['read-begin-result-unused', 'drivers/infiniband/hw/hfi1/user_exp_rcv.c', 'hfi1_user_exp_rcv_setup']]);
    expect(after.baseline.fixed.map((e: { rule: string; file: string; function: string }) => [e.rule, e.file, e.function])).toEqual([
      ['read-begin-result-unused', 'drivers/gpu/drm/radeon/radeon_mn.c', 'radeon_mn_register'],
    ]);
    expect(after.baseline.unchanged).toBe(found - 1);
    rmSync(tree, { recursive: true, force: true });
  }, 600_000);
});
