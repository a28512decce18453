// The built CLI (dist/cli.js, made by `npm test` before vitest runs).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CheckReportSchema, InventorySchema } from '../src/report/schema.js';
import { CLI, REPO, runCli } from './helpers.js';
import { needProgram, skipUnless } from './needs.js';
import { RULES } from '../src/rules/index.js';
import { API_LEVELS } from '../src/model/api.js';
import { USAGE } from '../src/cli/usage.js';
import { apiOfTree } from '../src/input/tree.js';

/** The note of a run that read notifier code and found no header at or above `tree`: checked at the newest level. */
const newestNote = (tree: string): string => `mnlint: note: no include/linux/mmu_notifier.h at or above ${tree}: checked at API level 7.1, the newest (--kernel or --api names another)\n`;

const BAD = 'fixtures/rules/range-end-with-failing-start/bad.c';
const GOOD = 'fixtures/rules/range-end-with-failing-start/good.c';

describe('mnlint check', () => {
  test('text: checkpatch-like block, quoted line, trace, total', () => {
    const r = runCli(['check', 'fixtures/rules/start-error-not-eagain/bad.c']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      'ERROR:start-error-not-eagain: drv_start() returns -EBUSY: invalidate_range_start may only fail with -EAGAIN, in a non-blockable range\n' +
        '#fixtures/rules/start-error-not-eagain/bad.c:8:\n' +
        '+\t\treturn -EBUSY;\n' +
        '  fixtures/rules/start-error-not-eagain/bad.c:13: drv_ops.invalidate_range_start = drv_start\n' +
        '  fixtures/rules/start-error-not-eagain/bad.c:8: returns -EBUSY when the range is not blockable\n' +
        '  the core WARNs: WARN_ON(mmu_notifier_range_blockable(range) || _ret != -EAGAIN) (I4)\n' +
        '\n' +
        'total: 1 errors, 0 warnings, 0 infos, 1 ops tables, 1 callbacks, 1 files parsed of 1\n' +
        'api: 7.1, the newest: no include/linux/mmu_notifier.h at or above the tree\n',
    );
    expect(r.stderr).toBe(newestNote('fixtures/rules/start-error-not-eagain'));
  });

  test("the trace of a finding the model reached is the model's counterexample", () => {
    const r = runCli(['check', '--format', 'json', BAD]);
    const report = CheckReportSchema.parse(JSON.parse(r.stdout));
    const i2 = report.findings.find((f) => f.rule === 'range-end-with-failing-start')!;
    expect(i2.trace).toEqual([
      'model (API 7.1): a non-blockable invalidation (the OOM reaper)',
      'mmu_notifier_register(drv_mn_ops)',
      'invalidate_range_start([0, 1048576), non-blockable)',
      '  drv_mn_ops.invalidate_range_start() -> -11 [fixtures/rules/range-end-with-failing-start/bad.c:20: return -EAGAIN when the range is not blockable and trylock of d->lock failed]',
      '  WARN_ON(ops->invalidate_range_end): drv_mn_ops can fail start and has end',
      '  a start failed: invalidate_range_end on every notifier that has one (c2655835fd8c)',
      '  drv_mn_ops.invalidate_range_end() -> 0, sleeps [fixtures/rules/range-end-with-failing-start/bad.c:36: return (end)]',
      'violates I1: drv_mn_ops got invalidate_range_end without a successful invalidate_range_start (its start failed): I2, a start that can fail must not have end',
    ]);
    // the same trace as steps: the model's lines, those that ran the driver with its place
    expect(i2.steps.every((s) => s.role === 'model')).toBe(true);
    expect(i2.steps.filter((s) => s.file !== undefined).map((s) => [s.file, s.line])).toEqual([
      ['fixtures/rules/range-end-with-failing-start/bad.c', 20],
      ['fixtures/rules/range-end-with-failing-start/bad.c', 36],
    ]);
    // on a kernel before c2655835fd8c the core never calls end after a failure:
    // a start that can fail beside an end is no defect of this notifier there
    const old = CheckReportSchema.parse(JSON.parse(runCli(['check', '--format', 'json', '--kernel', '5.11', BAD]).stdout));
    expect(old.findings.filter((f) => f.rule === 'range-end-with-failing-start')).toEqual([]);
    expect(old.findings.filter((f) => f.rule === 'sleep-in-non-blockable-range')).toHaveLength(1);
  });

  test('terse and json; json validates against the exported schema and is sorted', () => {
    const terse = runCli(['check', '--format', 'terse', 'fixtures/rules/range-end-with-failing-start']);
    expect(
      terse.stdout
        .trim()
        .split('\n')
        .map((l) => `${l.split(': ').slice(0, 2).join(': ')} ${l.slice(l.lastIndexOf('['))}`),
    ).toEqual([
      'bad.c:33: error [sleep-in-non-blockable-range]',
      'bad.c:41: error [range-end-with-failing-start]',
      'helper.c:39: error [range-end-with-failing-start]',
      'unknown-result.c:27: warning [range-end-with-failing-start]',
    ]);
    const json = runCli(['check', '--format', 'json', 'fixtures/rules/range-end-with-failing-start']);
    expect(json.code).toBe(1);
    const report = CheckReportSchema.parse(JSON.parse(json.stdout));
    expect(report.tool).toBe('mnlint');
    expect(report.findings[1]).toMatchObject({ rule: 'range-end-with-failing-start', messageId: 'startCanFail', severity: 'error', invariant: 'I2', file: 'bad.c', line: 41, column: 2, function: null });
    expect(report.stats).toEqual({ files: 4, parsedFiles: 4, tables: 5, callbacks: 9, parseErrors: 0 });
  });

  test('same input, same bytes out (also with more threads)', () => {
    const a = runCli(['check', '--format', 'json', '--jobs', '1', 'fixtures']);
    const b = runCli(['check', '--format', 'json', '--jobs', '2', 'fixtures']);
    expect(a.stdout).toBe(b.stdout);
  });

  test('exit status follows --fail-on', () => {
    expect(runCli(['check', GOOD]).code).toBe(0);
    expect(runCli(['check', 'fixtures/rules/read-begin-result-unused/bad.c']).code).toBe(0);
    expect(runCli(['check', '--fail-on', 'warning', 'fixtures/rules/read-begin-result-unused/bad.c']).code).toBe(1);
    expect(runCli(['check', '--fail-on', 'never', BAD]).code).toBe(0);
    expect(runCli(['check', '--rule', 'two-pass-start-without-finish', BAD]).code).toBe(0);
  });

  test('usage errors exit 2 with one line', () => {
    for (const args of [['check', '--format', 'xml', GOOD], ['check', '--fail-on', 'fatal', GOOD], ['frobnicate'], ['check', '--rule', 'nope', GOOD], ['explain', 'nope'], ['check', '--jobs', '0', GOOD]]) {
      const r = runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')[0]).toMatch(/^mnlint: /);
    }
  });
});

describe('check on a core tree: the level from its Makefile, the core checked against the model', () => {
  test('a 5.11 core has the c2655835fd8c imbalance, with the model trace; a 5.12 core has not', () => {
    const old = runCli(['check', 'fixtures/trees/core-5.11', '--format', 'json']);
    expect(old.code).toBe(1);
    const findings = CheckReportSchema.parse(JSON.parse(old.stdout)).findings;
    expect(findings.map((f) => `${f.severity} ${f.rule} ${f.file}:${f.line} ${f.function}`)).toEqual(['error core-end-after-failed-start mm/mmu_notifier.c:27 mn_hlist_invalidate_range_start']);
    expect(findings[0]!.message).toContain('as every core before c2655835fd8c (5.12) did; the tree is API 5.11');
    expect(findings[0]!.trace).toContain('  failing.invalidate_range_start() -> -11 [probe: -EAGAIN in a non-blockable range]');
    expect(findings[0]!.trace[findings[0]!.trace.length - 1]).toBe('I1: counter got 1 successful invalidate_range_start without a matching invalidate_range_end');
    const fixed = runCli(['check', 'fixtures/trees/core-5.12']);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain('total: 0 errors, 0 warnings');
  });
});

describe('bad input: one clear line naming it, exit 2, other results kept', () => {
  test('a FIFO, a dangling symlink and a symlink loop are named and skipped, in a directory and alone; no hang', () => {
    const d = mkdtempSync(join(tmpdir(), 'mnlint-special-'));
    copyFileSync(join(REPO, 'fixtures/examples/drv_userptr.c'), join(d, 'ok.c'));
    expect(spawnSync('mkfifo', [join(d, 'fifo.c')]).status).toBe(0);
    symlinkSync('nowhere.c', join(d, 'dangling.c'));
    symlinkSync('loop.c', join(d, 'loop.c'));
    const dir = runCli(['check', '--format', 'terse', '.'], { cwd: d });
    expect(dir.code).toBe(2);
    expect(dir.stdout).toMatch(/^ok\.c:\d+: error: /m);
    expect(dir.stderr.split('\n').filter(Boolean).sort()).toEqual([
      'mnlint: dangling.c: a dangling symbolic link',
      'mnlint: fifo.c: a FIFO, not a regular file',
      'mnlint: loop.c: too many levels of symbolic links',
      newestNote('.').trim(),
    ]);
    for (const [name, why] of [
      ['fifo.c', 'a FIFO, not a regular file'],
      ['loop.c', 'too many levels of symbolic links'],
      ['dangling.c', 'a dangling symbolic link'],
    ]) {
      const r = runCli(['check', name!], { cwd: d });
      expect([r.code, r.stderr]).toEqual([2, `mnlint: ${name}: ${why}\n`]);
    }
  });

  test('valid C nested thousands deep is read: the callback kept, a note naming it, never refused', () => {
    const d = mkdtempSync(join(tmpdir(), 'mnlint-deep-'));
    const fn = (body: string): string =>
      `static bool drv_inv(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range, unsigned long cur_seq)\n{\n\tint x = 0;\n${body}\n\tmmu_interval_set_seq(mni, cur_seq);\n\treturn true;\n}\nstatic const struct mmu_interval_notifier_ops drv_ops = { .invalidate = drv_inv };\n`;
    writeFileSync(join(d, 'braces.c'), fn(`${'{'.repeat(2000)}x++;${'}'.repeat(2000)}`));
    writeFileSync(join(d, 'parens.c'), fn(`\tx = ${'('.repeat(5000)}1${')'.repeat(5000)};`));
    writeFileSync(join(d, 'elseif.c'), fn(`\tif (x == 0) x = 1;\n${Array.from({ length: 4000 }, (_, i) => `\telse if (x == ${i + 1}) x = ${i + 2};`).join('\n')}`));
    for (const name of ['braces.c', 'parens.c', 'elseif.c']) {
      const r = runCli(['check', name], { cwd: d });
      expect(r.code, name).toBe(0);
      expect(r.stdout).toContain('1 ops tables, 1 callbacks, 1 files parsed of 1');
      expect(r.stderr).toBe(`${name === 'elseif.c' ? '' : `mnlint: note: ${name}:1: drv_inv() nests deeper than mnlint walks; it has no facts, and nothing is proved absent from it\n`}${newestNote('.')}`);
    }
  });

  test('kernel versions are checked against the known levels; CR-only line ends read as lines', () => {
    expect(runCli(['check', '--kernel', '99.99', 'fixtures/examples']).stderr).toBe('mnlint: --kernel 99.99: not a version mnlint models (4.19 or later, like 6.12)\n');
    expect(runCli(['check', '--kernel', '6.12.38', 'fixtures/examples']).code).toBe(1);
    const d = mkdtempSync(join(tmpdir(), 'mnlint-cr-'));
    const src = readFileSync(join(REPO, 'fixtures/examples/drv_userptr.c'), 'utf8');
    writeFileSync(join(d, 'lf.c'), src);
    writeFileSync(join(d, 'cr.c'), src.replaceAll('\n', '\r'));
    const lines = (name: string): string => runCli(['check', '--format', 'terse', name], { cwd: d }).stdout.replaceAll(name, 'X');
    expect(lines('cr.c')).toBe(lines('lf.c'));
    expect(lines('lf.c')).not.toBe('');
  });

  const dir = mkdtempSync(join(tmpdir(), 'mnlint-bad-'));
  writeFileSync(join(dir, 'binary.c'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]));
  writeFileSync(join(dir, 'latin1.c'), Buffer.from('/* caf\xe9 */\nint x;\n', 'latin1'));
  writeFileSync(join(dir, 'oneline.c'), 'x'.repeat(10 * 1024 * 1024));
  symlinkSync(join(dir, 'gone.c'), join(dir, 'dangling.c'));
  copyFileSync(join(REPO, BAD), join(dir, 'bad.c'));

  const cases: Array<[string, RegExp]> = [
    ['missing.c', /^mnlint: missing\.c: no such file or directory$/],
    ['binary.c', /^mnlint: binary\.c: binary file \(contains NUL bytes\), not C source$/],
    ['latin1.c', /^mnlint: latin1\.c: not valid UTF-8$/],
    ['oneline.c', /^mnlint: oneline\.c: too large \(10485760 bytes; limit 8388608\)$/],
    ['dangling.c', /^mnlint: dangling\.c: a dangling symbolic link$/],
  ];
  for (const [name, message] of cases) {
    test(name, () => {
      const r = runCli(['check', '--format', 'terse', name, 'bad.c'], { cwd: dir });
      expect(r.code).toBe(2);
      // the input named, then the level assumed for bad.c
      const [line, note, ...rest] = r.stderr.split('\n');
      expect([`${note}\n`, rest]).toEqual([newestNote('.'), ['']]);
      expect(line).toMatch(message);
      // the good input's finding is still printed
      expect(r.stdout).toMatch(/^bad\.c:41: error: .*\[range-end-with-failing-start\]$/m);
    });
  }

  test('a single 1 MB line is refused by its line length', () => {
    const d = mkdtempSync(join(tmpdir(), 'mnlint-line-'));
    writeFileSync(join(d, 'long.c'), `int x = ${'1 +'.repeat(400_000)} 1;\n`);
    const r = runCli(['check', 'long.c'], { cwd: d });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^mnlint: long\.c: line 1 is 1200011 characters long \(limit 65536\), not C source mnlint can analyze$/);
  });

  test('a file that cannot be opened (a socket) is named', async () => {
    const d = mkdtempSync(join(tmpdir(), 'mnlint-sock-'));
    const server = createServer().listen(join(d, 'sock.c'));
    await new Promise((r) => server.once('listening', r));
    try {
      const r = runCli(['check', 'sock.c'], { cwd: d });
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toMatch(/^mnlint: sock\.c: a socket, not a regular file$/);
    } finally {
      server.close();
    }
  });

  test('inside a directory scan, a bad file is named and counted, the scan goes on', () => {
    const d = mkdtempSync(join(tmpdir(), 'mnlint-dir-'));
    mkdirSync(join(d, 'drv'));
    copyFileSync(join(REPO, BAD), join(d, 'drv', 'bad.c'));
    writeFileSync(join(d, 'drv', 'odd.c'), Buffer.concat([Buffer.from('struct mmu_notifier_ops x;\n'), Buffer.from([0xff, 0xfe, 0x0a])]));
    const r = runCli(['check', '--format', 'terse', '.'], { cwd: d });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`mnlint: drv/odd.c: not valid UTF-8\n${newestNote('.')}`);
    expect(r.stdout).toMatch(/^drv\/bad\.c:41: error: .*\[range-end-with-failing-start\]$/m);
  });
});

describe('other commands', () => {
  test('inventory json validates and names every field', () => {
    const r = runCli(['inventory', '--format', 'json', 'fixtures/rules/sleeping-gfp-in-first-pass/good.c']);
    expect(r.code).toBe(0);
    const inv = InventorySchema.parse(JSON.parse(r.stdout));
    expect(inv.tables.map((t) => [t.name, t.kind, t.fields])).toEqual([
      ['drv_mni_ops', 'mmu_interval_notifier_ops', { invalidate: 'drv_invalidate' }],
      ['drv_mn_ops', 'mmu_notifier_ops', { invalidate_range_start: 'drv_range_start', alloc_notifier: 'drv_alloc_notifier' }],
    ]);
    const start = inv.tables[1]!.callbacks[0]!;
    expect(start.summary).toMatchObject({ allocations: [{ call: 'kmalloc', mask: 'blockable ? GFP_ATOMIC : GFP_NOWAIT', class: 'atomic' }], unresolvedCallees: ['drv_queue'] });
  });

  test('rules and explain', () => {
    const rules = runCli(['rules']);
    expect(rules.stdout.split('\n').filter(Boolean)).toHaveLength(RULES.length);
    expect(runCli(['rules', '--levels']).stdout).toMatch(/^two-pass-v2 +series on 6\.12-7\.0 +interval ops gain invalidate_start/m);
    const explain = runCli(['explain', 'two-pass-start-without-finish']);
    expect(explain.code).toBe(0);
    for (const h of ['## What it does', '## Why is this bad?', '## Example', '## Use instead', '## References']) expect(explain.stdout).toContain(h);
    // each rule's status (docs/rules/README.md says how it is decided) and the release it came in
    const rule = RULES.find((r) => r.id === 'two-pass-start-without-finish')!;
    expect(explain.stdout.split('\n')[1]).toBe(`severity: ${rule.severity}   invariant: ${rule.invariant}   status: ${rule.status} (since ${rule.since})`);
    expect(rules.stdout).toMatch(/^lock-held-at-return +error +API +stable +/m);
    const json = JSON.parse(runCli(['rules', '--format', 'json']).stdout) as Array<{ id: string; status: string; since: string }>;
    expect(json.every((r) => (r.status === 'stable' || r.status === 'preview') && /^\d+\.\d+\.\d+$/.test(r.since))).toBe(true);
  });
});

describe('API levels: rules --levels, and the level of a tree from its header', () => {
  test('rules --levels: every level once, oldest first, with its kernels, change and commits; the same text every run', () => {
    const text = runCli(['rules', '--levels']);
    expect(text.code).toBe(0);
    expect(runCli(['rules', '--levels']).stdout).toBe(text.stdout);
    const ids = text.stdout
      .split('\n')
      .filter((l) => /^\S/.test(l))
      .map((l) => l.split(/\s+/)[0]);
    expect(ids).toEqual(API_LEVELS.map((l) => l.id));
    expect(text.stdout).toMatch(/^5\.4 +5\.4 +mmu_notifier_get\/put and ops->alloc_notifier\/->free_notifier.*\n +commit 2c7933f53f6b \("mm\/mmu_notifiers: add a get\/put scheme for the registration"\)$/m);
    expect(text.stdout).toMatch(/^6\.10 +6\.10-6\.11 +ops->change_pte removed.*\n +commit 997308f9ae72 /m);
    const json = JSON.parse(runCli(['rules', '--levels', '--format', 'json']).stdout) as { id: string; kernels: string; commits: { id: string; verified: string }[] }[];
    expect(json.map((l) => l.id)).toEqual(ids);
    expect(json.find((l) => l.id === '5.12')!.commits.map((c) => c.id)).toEqual(['c2655835fd8c']);
    // every commit says how its id was checked
    for (const l of json) for (const c of l.commits) expect(c.verified).not.toBe('');
    expect(USAGE).toContain('rules [--levels]');
    // the copy of the usage in docs/commands-and-options.md is the table's
    expect(readFileSync(join(REPO, 'docs', 'commands-and-options.md'), 'utf8')).toContain(`\n\`\`\`\n${USAGE}\n\`\`\`\n`);
  });

  test('a 5.4 tree: its header names 5.4, where alloc_notifier/free_notifier and get/put exist; 5.2 has neither', () => {
    const TREE = 'fixtures/trees/drv-5.4';
    const json = (args: string[]) => CheckReportSchema.parse(JSON.parse(runCli(['check', '--format', 'json', ...args, TREE]).stdout));
    const detected = json([]);
    expect(detected.findings).toEqual([]);
    expect(detected.stats.tables).toBe(1);
    expect(json(['--kernel', '5.4']).findings).toEqual([]);
    const at52 = json(['--api', '5.2']).findings;
    expect(at52.map((f) => [f.rule, f.message.split(' at ')[0]])).toEqual([
      ['field-not-in-api', 'struct mmu_notifier_ops has no member alloc_notifier'],
      ['field-not-in-api', 'struct mmu_notifier_ops has no member free_notifier'],
    ]);
    // without the Makefile the header alone names 5.4
    const d = mkdtempSync(join(tmpdir(), 'mnlint-54-'));
    cpSync(join(REPO, TREE), d, { recursive: true });
    rmSync(join(d, 'Makefile'));
    expect(CheckReportSchema.parse(JSON.parse(runCli(['check', '--format', 'json', '.'], { cwd: d }).stdout)).findings).toEqual([]);
  });

  test("a driver directory or file checked inside a 5.4 tree takes the tree's level, not the newest", () => {
    const TREE = 'fixtures/trees/drv-5.4';
    expect(apiOfTree(join(REPO, TREE, 'drivers/misc/drv')).id).toBe('5.4');
    expect(apiOfTree(join(REPO, TREE, 'drivers/misc/drv/drv_mn.c')).id).toBe('5.4');
    // the same driver in a 5.2 tree (its header without get/put): the tree's level reports the 5.4 members
    const d52 = mkdtempSync(join(tmpdir(), 'mnlint-52-'));
    cpSync(join(REPO, TREE), d52, { recursive: true });
    const header = join(d52, 'include/linux/mmu_notifier.h');
    writeFileSync(header, readFileSync(header, 'utf8').replace(/\tstruct mmu_notifier \*\(\*alloc_notifier\)[^;]*;\n\tvoid \(\*free_notifier\)[^;]*;\n/, ''));
    writeFileSync(join(d52, 'Makefile'), readFileSync(join(d52, 'Makefile'), 'utf8').replace('PATCHLEVEL = 4', 'PATCHLEVEL = 2'));
    for (const target of ['drivers/misc/drv', 'drivers/misc/drv/drv_mn.c']) {
      const rules = (cwd: string) => CheckReportSchema.parse(JSON.parse(runCli(['check', '--format', 'json', target], { cwd }).stdout)).findings.map((f) => f.rule);
      expect(rules(join(REPO, TREE)), target).toEqual([]);
      expect(rules(d52), target).toEqual(['field-not-in-api', 'field-not-in-api']);
    }
    // outside any kernel tree: the newest level, where the 5.4 members are gone
    const d = mkdtempSync(join(tmpdir(), 'mnlint-54-alone-'));
    cpSync(join(REPO, TREE, 'drivers/misc/drv/drv_mn.c'), join(d, 'drv_mn.c'));
    expect(apiOfTree(d).id).toBe('7.1');
  });

  test("a 4.19 tree: the level from a header without a range; start's bool blockable argument is the flag", () => {
    expect(apiOfTree(join(REPO, 'fixtures/trees/drv-4.19')).id).toBe('4.19');
    expect(apiOfTree(join(REPO, 'fixtures/trees/drv-5.4')).id).toBe('5.4');
    const TREE = 'fixtures/trees/drv-4.19';
    const rules = (cwd: string) =>
      CheckReportSchema.parse(JSON.parse(runCli(['check', '--no-cache', '--format', 'json', '.'], { cwd }).stdout))
        .findings.map((f) => f.rule)
        .sort();
    expect(rules(join(REPO, TREE))).toEqual([]);
    // the same driver testing something else than the flag: it sleeps and fails in blockable ranges
    const d = mkdtempSync(join(tmpdir(), 'mnlint-419-'));
    cpSync(join(REPO, TREE), d, { recursive: true });
    const file = join(d, 'drivers/misc/drv/drv_mn.c');
    writeFileSync(file, readFileSync(file, 'utf8').replace('\tif (blockable)\n', '\tif (d->gen)\n'));
    expect(rules(d)).toContain('sleep-in-non-blockable-range');
  });

  test('a 4.19 end that sleeps: a warning at 4.19, whose header has no rule for end; an error from 5.0, whose header has', () => {
    const d = mkdtempSync(join(tmpdir(), 'mnlint-419-end-'));
    cpSync(join(REPO, 'fixtures/trees/drv-4.19'), d, { recursive: true });
    const file = join(d, 'drivers/misc/drv/drv_mn.c');
    const end =
      'static void drv_range_end(struct mmu_notifier *mn, struct mm_struct *mm,\n\t\t\t unsigned long start, unsigned long end)\n{\n\tstruct drv_mm *d = container_of(mn, struct drv_mm, mn);\n\n\tmutex_lock(&d->lock);\n\td->gen++;\n\tmutex_unlock(&d->lock);\n}\n\nstatic const struct mmu_notifier_ops';
    writeFileSync(
      file,
      readFileSync(file, 'utf8')
        .replace('static const struct mmu_notifier_ops', end)
        .replace('.invalidate_range_start = drv_range_start,', '.invalidate_range_start = drv_range_start,\n\t.invalidate_range_end = drv_range_end,'),
    );
    const sleeps = (args: string[]) =>
      CheckReportSchema.parse(JSON.parse(runCli(['check', '--no-cache', '--format', 'json', ...args, '.'], { cwd: d }).stdout))
        .findings.filter((f) => f.rule === 'sleep-in-non-blockable-range')
        .map((f) => [f.severity, f.function]);
    expect(sleeps([])).toEqual([['warning', 'drv_range_end']]);
    expect(sleeps(['--api', '5.0'])).toEqual([['error', 'drv_range_end']]);
  });
});

describe('--config FILE', () => {
  const EXAMPLE = 'fixtures/examples/drv_userptr.c';
  function config(json: unknown): string {
    const dir = mkdtempSync(join(tmpdir(), 'mnlint-config-'));
    const path = join(dir, 'mnlint.json');
    writeFileSync(path, typeof json === 'string' ? json : JSON.stringify(json));
    return path;
  }
  const rulesOf = (stdout: string): string[] =>
    stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => /: (\w+): .*\[([\w-]+)\]$/.exec(l)!.slice(1).join(' '));

  test('rules turned off or re-graded; paths excluded', () => {
    const plain = runCli(['check', '--format', 'terse', EXAMPLE]);
    expect(rulesOf(plain.stdout)).toEqual(['error sleeping-gfp-in-first-pass', 'error sleep-in-non-blockable-range', 'error range-end-with-failing-start']);
    const r = runCli(['check', '--format', 'terse', '--config', config({ rules: { 'sleeping-gfp-in-first-pass': 'off', 'sleep-in-non-blockable-range': 'warning' } }), EXAMPLE]);
    expect(rulesOf(r.stdout)).toEqual(['warning sleep-in-non-blockable-range', 'error range-end-with-failing-start']);
    expect(r.code).toBe(1);
    const none = runCli(['check', '--format', 'terse', '--config', config({ exclude: ['fixtures/examples/'] }), EXAMPLE]);
    expect([none.code, none.stdout]).toEqual([0, '']);
  });

  test('.mnlint.json found as checkpatch finds .checkpatch.conf: ., the repository top, $HOME; --config wins', () => {
    const top = mkdtempSync(join(tmpdir(), 'mnlint-conf-'));
    mkdirSync(join(top, '.git'));
    mkdirSync(join(top, 'drivers'));
    copyFileSync(join(REPO, EXAMPLE), join(top, 'drivers', 'drv.c'));
    const off = JSON.stringify({ rules: { 'sleeping-gfp-in-first-pass': 'off', 'sleep-in-non-blockable-range': 'off', 'range-end-with-failing-start': 'off' } });
    writeFileSync(join(top, '.mnlint.json'), off);
    // from a subdirectory: the repository's top has it
    expect(runCli(['check', '--format', 'terse', 'drv.c'], { cwd: join(top, 'drivers') }).stdout).toBe('');
    // --config wins over the one found
    const explicit = join(top, 'explicit.json');
    writeFileSync(explicit, '{}');
    expect(rulesOf(runCli(['check', '--format', 'terse', '--config', explicit, 'drv.c'], { cwd: join(top, 'drivers') }).stdout)).toHaveLength(3);
  });

  test('a bad configuration: one line naming it, exit 2, before any scan', () => {
    const cases: Array<[unknown, RegExp]> = [
      ['{ "rules": ', /: not JSON \(/],
      [{ rules: { 'no-such-rule': 'off' } }, /: rules: no rule no-such-rule \(see `mnlint rules`\)$/],
      [{ rules: { 'range-end-with-failing-start': 'fatal' } }, /: rules\.range-end-with-failing-start: Invalid option: expected one of "off"\|"error"\|"warning"\|"info"$/],
      [{ color: true }, /: Unrecognized key: "color"$/],
      [{ kernel: '99.99' }, /: kernel 99\.99: not a version mnlint models \(4\.19 or later, like 6\.12\)$/],
    ];
    for (const [json, message] of cases) {
      const r = runCli(['check', '--config', config(json), EXAMPLE]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(message);
    }
    const missing = runCli(['check', '--config', '/nonexistent/mnlint.json', EXAMPLE]);
    expect([missing.code, missing.stderr.trim()]).toEqual([2, 'mnlint: --config /nonexistent/mnlint.json: no such file or directory']);
  });
});

describe('the progress line', () => {
  // util-linux's script(1) gives the CLI a terminal, as a user's shell does
  const onTty = (args: string[]): string => {
    const out = join(mkdtempSync(join(tmpdir(), 'mnlint-tty-')), 'typescript');
    const cmd = [process.execPath, CLI, ...args].map((a) => `'${a}'`).join(' ');
    spawnSync('script', ['-qec', `${cmd} >/dev/null`, out], { cwd: REPO, encoding: 'utf8' });
    return readFileSync(out, 'latin1');
  };

  test('on a terminal: files read and parsed on stderr, erased at the end', (ctx) => {
    skipUnless(ctx, needProgram('script', 'util-linux'));
    const shown = onTty(['check', 'fixtures/rules']);
    const ESC = String.fromCharCode(27);
    expect(shown).toMatch(new RegExp(`\\rmnlint: \\d+ files read, \\d+ parsed, \\d+\\.\\d s${ESC}\\[K`));
    expect(shown).toContain('\r\x1b[K');
  });

  test('--quiet, a list of files, or no terminal: none', (ctx) => {
    skipUnless(ctx, needProgram('script', 'util-linux'));
    expect(onTty(['check', '--quiet', 'fixtures/rules'])).not.toContain('files read');
    expect(onTty(['check', 'fixtures/examples/drv_userptr.c'])).not.toContain('files read');
    expect(runCli(['check', 'fixtures/rules']).stderr).not.toContain('files read');
  });
});

describe('the IR cache', () => {
  const checkIn = (dir: string, cache: string, ...args: string[]): { stdout: string; hits: number; parses: number } => {
    const r = spawnSync(process.execPath, [CLI, 'check', '--format', 'json', ...args, '.'], { cwd: dir, encoding: 'utf8', env: { ...process.env, MNLINT_CACHE_DIR: cache, MNLINT_PROFILE: '1' } });
    const m = /scanned: \d+ files walked, (\d+) parses of (\d+) bytes(?: \((\d+) parses and text facts from the IR cache\))?/.exec(r.stderr);
    return { stdout: r.stdout, hits: Number(m?.[3] ?? 0), parses: Number(m?.[1] ?? -1) - Number(m?.[3] ?? 0) };
  };

  test('a second run reads every parse from it and prints the same bytes; an edit or a damaged entry is a miss', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnlint-cache-tree-'));
    const cache = mkdtempSync(join(tmpdir(), 'mnlint-cache-'));
    const src = join(REPO, 'fixtures/rules/sleep-under-spinlock');
    for (const f of ['bad.c', 'good.c']) copyFileSync(join(src, f), join(dir, f));
    const first = checkIn(dir, cache);
    expect(first.hits).toBe(0);
    expect(first.parses).toBeGreaterThan(0);
    const second = checkIn(dir, cache);
    expect(second.hits).toBe(first.parses);
    expect(second.parses).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    // the fix of bad.c: its text changed, so it is parsed again and its findings go
    const bad = readFileSync(join(dir, 'bad.c'), 'utf8');
    writeFileSync(join(dir, 'bad.c'), bad.replace('\tdown_write(&d->mm->mmap_lock);', '\t/* nothing */'));
    const edited = checkIn(dir, cache);
    expect(edited.parses).toBe(1);
    expect(JSON.parse(edited.stdout).findings.length).toBeLessThan(JSON.parse(first.stdout).findings.length);
    // every entry damaged: all misses, the same result as a fresh parse
    for (const f of readdirSync(join(cache, 'ir'))) writeFileSync(join(cache, 'ir', f), 'garbage');
    const damaged = checkIn(dir, cache);
    expect(damaged.hits).toBe(0);
    expect(damaged.stdout).toBe(checkIn(dir, cache, '--no-cache').stdout);
    expect(checkIn(dir, cache, '--no-cache').hits).toBe(0);
  });
});
