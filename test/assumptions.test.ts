// What a run assumed, in every format: the API level and where it came from,
// the functions seen in part, the base of a patch; and the one stderr note
// of a run that fell back to the newest level (the built CLI, dist/cli.js).
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { levelOfTree } from '../src/input/tree.js';
import { CheckReportSchema } from '../src/report/schema.js';
import { PatchReportSchema } from '../src/report/patch.js';
import { gitIn, REPO, runCli } from './helpers.js';

const NOTE = (tree: string): string => `mnlint: note: no include/linux/mmu_notifier.h at or above ${tree}: checked at API level 7.1, the newest (--kernel or --api names another)\n`;
const NEWEST = { level: '7.1', source: 'newest', from: 'no include/linux/mmu_notifier.h at or above the tree' };
const DRV54 = 'fixtures/trees/drv-5.4';

describe('where the level comes from', () => {
  test('the header alone, the header narrowed by the Makefile, else the newest', () => {
    const of = (tree: string) => {
      const c = levelOfTree(join(REPO, tree));
      return [c.level.id, c.source, c.from];
    };
    expect(of(DRV54)).toEqual(['5.4', 'header', 'include/linux/mmu_notifier.h']);
    // 5.9, 5.11 and 5.12 share a header: the Makefile's version chose
    expect(of('fixtures/trees/core-5.11')).toEqual(['5.11', 'makefile', 'include/linux/mmu_notifier.h and Makefile (5.11)']);
    // the Makefile says what the header alone says: the header is the source
    expect(of('fixtures/trees/core-5.12')).toEqual(['5.12', 'header', 'include/linux/mmu_notifier.h']);
    expect(of('fixtures/trees/drv')).toEqual(['7.1', 'newest', NEWEST.from]);
  });

  test('--api, --kernel and the configuration file are named as the source', () => {
    const json = (...args: string[]) => CheckReportSchema.parse(JSON.parse(runCli(['check', '--format', 'json', ...args, DRV54]).stdout)).assumptions?.api;
    expect(json('--api', '5.2')).toEqual({ level: '5.2', source: 'api', from: '--api 5.2' });
    expect(json('--kernel', '6.1.50')).toEqual({ level: '6.1', source: 'kernel', from: '--kernel 6.1.50' });
    const d = mkdtempSync(join(tmpdir(), 'mnlint-assume-config-'));
    writeFileSync(join(d, 'c.json'), '{ "kernel": "6.12" }\n');
    expect(json('--config', join(d, 'c.json'))).toEqual({ level: '6.12', source: 'config', from: `kernel 6.12 of --config ${join(d, 'c.json')}` });
    // --kernel wins over the file, as it did
    expect(json('--config', join(d, 'c.json'), '--kernel', '6.1')?.source).toBe('kernel');
  });

  test('a file of a kernel tree named from outside it takes the tree level, silently', () => {
    const r = runCli(['check', `${DRV54}/drivers/misc/drv/drv_mn.c`]);
    expect(r.stdout.split('\n').at(-2)).toBe('api: 5.4, from include/linux/mmu_notifier.h');
    expect(r.stderr).toBe('');
  });
});

describe('check: every format', () => {
  test('text: a line under the total; terse and rdjsonl keep a line a finding', () => {
    const text = runCli(['check', DRV54]);
    expect(text.stdout).toMatch(/(^|\n)total: [^\n]*\napi: 5\.4, from include\/linux\/mmu_notifier\.h\n$/);
    expect(text.stderr).toBe('');
    const bad = 'fixtures/rules/start-error-not-eagain/bad.c';
    const terse = runCli(['check', '--format', 'terse', bad]);
    expect(
      terse.stdout
        .split('\n')
        .filter(Boolean)
        .every((l) => l.startsWith(`${bad}:`)),
    ).toBe(true);
    // the fallback is on stderr, once, naming where the header was looked for
    expect(terse.stderr).toBe(NOTE('fixtures/rules/start-error-not-eagain'));
    const rd = runCli(['check', '--format', 'rdjsonl', bad]);
    expect(
      rd.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { code: { value: string } }).code.value),
    ).toEqual(['start-error-not-eagain']);
  });

  test('JSON and SARIF: the assumptions, with the functions seen in part; HTML: the header', () => {
    const d = mkdtempSync(join(tmpdir(), 'mnlint-assume-deep-'));
    writeFileSync(
      join(d, 'deep.c'),
      `static bool drv_inv(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range, unsigned long cur_seq)\n{\n\tint x = 0;\n${'{'.repeat(2000)}x++;${'}'.repeat(2000)}\n\tmmu_interval_set_seq(mni, cur_seq);\n\treturn true;\n}\nstatic const struct mmu_interval_notifier_ops drv_ops = { .invalidate = drv_inv };\n`,
    );
    const partial = [{ file: 'deep.c', line: 1, function: 'drv_inv', why: 'nests deeper than mnlint walks' }];
    const json = runCli(['check', '--format', 'json', 'deep.c'], { cwd: d });
    expect(CheckReportSchema.parse(JSON.parse(json.stdout)).assumptions).toEqual({ api: NEWEST, partial });
    // the note of the partial function, then the level's, once each
    expect(json.stderr.split('\n').filter(Boolean)).toEqual([expect.stringMatching(/^mnlint: note: deep\.c:1: drv_inv\(\) nests deeper/), NOTE('.').trim()]);
    expect(runCli(['check', 'deep.c'], { cwd: d }).stdout).toMatch(/\napi: 7\.1, the newest: no include\/linux\/mmu_notifier\.h at or above the tree\npartial: deep\.c:1: drv_inv\(\) nests deeper than mnlint walks\n$/);
    const sarif = JSON.parse(runCli(['check', '--format', 'sarif', 'deep.c'], { cwd: d }).stdout) as { runs: Array<{ properties?: unknown }> };
    expect(sarif.runs[0]!.properties).toEqual({ assumptions: { api: NEWEST, partial } });
    const html = runCli(['check', '--format', 'html', 'deep.c'], { cwd: d }).stdout;
    const head = html.slice(html.indexOf('<h1>'), html.indexOf('<main>'));
    expect(head).toContain('<p class="assumed">api: 7.1, the newest: no include/linux/mmu_notifier.h at or above the tree</p>');
    expect(head).toContain('<p class="assumed">partial: deep.c:1: drv_inv() nests deeper than mnlint walks</p>');
  });

  test('a tree with the header: no note; a directory with no notifier code: no note', () => {
    expect(runCli(['check', '--format', 'sarif', DRV54]).stderr).toBe('');
    const d = mkdtempSync(join(tmpdir(), 'mnlint-assume-none-'));
    writeFileSync(join(d, 'plain.c'), 'int add(int a, int b) { return a + b; }\n');
    // a directory scan parses only the files that use the notifier API: here none
    const r = runCli(['check', '.'], { cwd: d });
    expect([r.code, r.stderr]).toEqual([0, '']);
    // the output still says which level it would have used
    expect(r.stdout).toContain('\napi: 7.1, the newest: ');
  });
});

describe('patch, git, checklist: the base and the level', () => {
  const tree = mkdtempSync(join(tmpdir(), 'mnlint-assume-patch-'));
  cpSync(join(REPO, DRV54), tree, { recursive: true });
  const mbox = join(REPO, 'fixtures/patches/drv-v2.mbox');

  test('patch: text, JSON, SARIF per series; the checkpatch shapes b4 reads stay as they were', () => {
    const text = runCli(['patch', mbox]);
    expect(text.stdout.split('\n').slice(0, 2)).toEqual(['base: none, the hunks alone', 'api: 7.1, the newest: no include/linux/mmu_notifier.h at or above the tree']);
    expect(text.stderr.split('\n').filter((l) => l.includes('API level'))).toEqual([NOTE('.').trim()]);
    const json = PatchReportSchema.parse(JSON.parse(runCli(['patch', '--format', 'json', '--kernel', '6.1', mbox]).stdout));
    expect(json.series.map((s) => [s.base, s.api])).toEqual([['none, the hunks alone', { level: '6.1', source: 'kernel', from: '--kernel 6.1' }]]);
    const sarif = JSON.parse(runCli(['patch', '--format', 'sarif', '--tree', tree, mbox]).stdout) as { runs: Array<{ properties: { bases: Array<{ api: unknown }> } }> };
    expect(sarif.runs[0]!.properties.bases.map((b) => b.api)).toEqual([{ level: '5.4', source: 'header', from: 'include/linux/mmu_notifier.h' }]);
    for (const shape of [['--format', 'checkpatch'], ['--terse']]) {
      const r = runCli(['patch', ...shape, mbox]);
      expect(r.stdout).not.toMatch(/^(api|base):/m);
      expect(r.stderr).not.toContain('API level');
    }
  });

  test('email: the reply says the level above its footer, without local paths', () => {
    const mails = (...args: string[]) =>
      runCli(['patch', '--tree', 'fixtures/trees/drv', '--format', 'email', ...args, mbox])
        .stdout.split(/^From mnlint /m)
        .filter(Boolean);
    const newest = mails();
    expect(newest.length).toBeGreaterThan(0);
    for (const m of newest) expect(m).toContain('\nChecked at API level 7.1, the newest level mnlint models: no include/linux/mmu_notifier.h was found.\n\n-- \n');
    const d = mkdtempSync(join(tmpdir(), 'mnlint-assume-mail-'));
    writeFileSync(join(d, 'c.json'), '{ "kernel": "6.12" }\n');
    for (const m of mails('--config', join(d, 'c.json'))) {
      expect(m).toContain("\nChecked at API level 6.12, from the configuration's kernel 6.12.\n");
      expect(m.slice(0, m.indexOf('\n-- \n'))).not.toContain(d);
    }
  });

  test('git: each commit at its parent level, the note once for the range', () => {
    const repo = mkdtempSync(join(tmpdir(), 'mnlint-assume-git-'));
    cpSync(join(REPO, 'fixtures/trees/drv'), repo, { recursive: true });
    gitIn(repo, 'init', '-q');
    gitIn(repo, 'add', '-A');
    gitIn(repo, 'commit', '-qm', 'initial');
    for (const n of [1, 2]) {
      writeFileSync(join(repo, `note${n}.c`), `int note${n};\n`);
      gitIn(repo, 'add', '-A');
      gitIn(repo, 'commit', '-qm', `note ${n}`);
    }
    const r = runCli(['git', '--format', 'json', 'HEAD~2..HEAD'], { cwd: repo });
    const report = PatchReportSchema.parse(JSON.parse(r.stdout));
    expect(report.series.map((s) => s.api)).toEqual([NEWEST, NEWEST]);
    expect(r.stderr.split('\n').filter((l) => l.includes('API level'))).toEqual([
      expect.stringMatching(/^mnlint: note: no include\/linux\/mmu_notifier\.h at or above the parent of [0-9a-f]{12}: checked at API level 7\.1/),
    ]);
  });

  test('checklist: an api item (a warning when the newest was taken for want of a header), in every format', () => {
    const md = runCli(['checklist', '--tree', tree, mbox]).stdout;
    expect(md).toContain('- [x] `api`: checked at API level 5.4, from include/linux/mmu_notifier.h\n');
    const b4 = runCli(['checklist', '--format', 'b4', mbox]);
    const entries = JSON.parse(b4.stdout) as Array<{ tool: string; status: string; summary: string }>;
    expect(entries.find((e) => e.tool === 'mnlint api')).toMatchObject({ status: 'warn', summary: expect.stringMatching(/^checked at API level 7\.1, the newest: .*--api names the tree's\)$/) });
    // b4 takes every stderr line for a failed check: the level is in the entries, not on stderr
    expect(b4.stderr).not.toContain('API level');
    const json = JSON.parse(runCli(['checklist', '--format', 'json', '--api', '6.12', mbox]).stdout) as { checklists: Array<{ series: Array<{ id: string; status: string; summary: string }> }> };
    expect(json.checklists[0]!.series.find((i) => i.id === 'api')).toMatchObject({ status: 'pass', summary: 'checked at API level 6.12, from --api 6.12' });
  });
});
