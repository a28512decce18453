// `mnlint git RANGE`: each commit against its parent, in a repository the test
// builds from the fixture tree. The work tree is left as it was.
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { PatchReportSchema } from '../src/report/patch.js';
import { gitIn, REPO, replaceIn, runCli, withoutNewestNote } from './helpers.js';

const FILE = 'drivers/gpu/drm/drv/drv_mn.c';
let repo = '';

const git = (...args: string[]): string => gitIn(repo, ...args);
const edit = (from: string, to: string): void => replaceIn(join(repo, FILE), from, to);

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), 'mnlint-repo-'));
  cpSync(join(REPO, 'fixtures/trees/drv'), repo, { recursive: true });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'drm/drv: initial');
  edit('\tspin_lock(&d->lock);\n\td->active++;', '\tif (!mmu_notifier_range_blockable(range))\n\t\treturn -EAGAIN;\n\tspin_lock(&d->lock);\n\td->active++;');
  git('commit', '-qam', 'drm/drv: bail out of non-blockable invalidations');
  edit('\tmutex_unlock(&bo->lock);\n\treturn true;', '\tmutex_unlock(&bo->lock);\n\tdrv_bo_note(bo);\n\treturn true;');
  git('commit', '-qam', 'drm/drv: note invalidations');
  // a change the user has not committed: must survive the review
  writeFileSync(join(repo, 'WIP'), 'work in progress\n');
});

describe('mnlint git', () => {
  test('each commit of the range, against its parent', () => {
    const r = runCli(['git', '--repo', repo, '--format', 'json', 'HEAD~2..HEAD']);
    expect(r.code).toBe(1);
    const report = PatchReportSchema.parse(JSON.parse(r.stdout));
    expect(report.series.map((s) => s.patches[0]!.findings.map((f) => `${f.rule} ${f.file}:${f.line}`))).toEqual([[`range-end-with-failing-start ${FILE}:23`], []]);
    expect(report.series[0]!.patches[0]!.label).toMatch(/^[0-9a-f]{12} \("drm\/drv: bail out of non-blockable invalidations"\)$/);
  });

  test('one commit alone, and the work tree is left as it was', () => {
    const clean = runCli(['git', '--repo', repo, '--format', 'terse', 'HEAD']);
    expect(clean.code).toBe(0);
    // checkpatch's --terse: no finding line, the total only
    expect(clean.stdout).toMatch(/^total: 0 errors, 0 warnings, \d+ lines checked\n$/);
    expect(git('status', '--porcelain')).toBe('?? WIP\n');
  });

  test("a repository's first commit: reviewed against the empty tree, its lines as the file has them", () => {
    const first = mkdtempSync(join(tmpdir(), 'mnlint-root-'));
    cpSync(join(REPO, 'fixtures/examples/drv_userptr.c'), join(first, 'drv_userptr.c'));
    gitIn(first, 'init', '-q');
    gitIn(first, 'add', '-A');
    gitIn(first, 'commit', '-qm', 'drv: add the userptr driver');
    const r = runCli(['git', '--repo', first, '--format', 'json', 'HEAD']);
    expect(withoutNewestNote(r.stderr)).toBe('');
    expect(r.code).toBe(1);
    const findings = PatchReportSchema.parse(JSON.parse(r.stdout)).series[0]!.patches[0]!.findings;
    // the same lines as `check` gives on the file (the return -EAGAIN is line 56)
    const check = JSON.parse(runCli(['check', '--format', 'json', 'drv_userptr.c'], { cwd: first }).stdout) as { findings: Array<{ rule: string; line: number; message: string }> };
    expect(findings.map((f) => `${f.rule}:${f.line}:${f.message}`)).toEqual(check.findings.map((f) => `${f.rule}:${f.line}:${f.message}`));
    expect(findings.find((f) => f.rule === 'range-end-with-failing-start')?.message).toContain('drv_userptr.c:56');
  });

  test('a range that is not one: one line, exit 2', () => {
    const r = runCli(['git', '--repo', repo, 'nope..HEAD']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toMatch(/^mnlint: nope\.\.HEAD: not a revision range of /);
  });
});

describe('mnlint git with the new filter (the default)', () => {
  test('a commit that only deletes mmu_interval_set_seq is reported on the line after the deletion', () => {
    const r2 = mkdtempSync(join(tmpdir(), 'mnlint-repo-'));
    cpSync(join(REPO, 'fixtures/trees/drv'), r2, { recursive: true });
    gitIn(r2, 'init', '-q');
    gitIn(r2, 'add', '-A');
    gitIn(r2, 'commit', '-qm', 'drm/drv: initial');
    replaceIn(join(r2, FILE), '\t\treturn false;\n\tmmu_interval_set_seq(mni, cur_seq);\n', '\t\treturn false;\n');
    gitIn(r2, 'commit', '-qam', 'drm/drv: drop the sequence update');
    const r = runCli(['git', '--repo', r2, '--format', 'json', 'HEAD']);
    expect(r.code).toBe(1);
    const [p] = PatchReportSchema.parse(JSON.parse(r.stdout)).series[0]!.patches;
    expect(p!.findings.map((f) => `${f.severity} ${f.rule} ${f.file}:${f.line}`)).toEqual([`error invalidate-without-set-seq ${FILE}:47`]);
    expect(runCli(['git', '--repo', r2, '--format', 'json', '--filter', 'added', 'HEAD']).code).toBe(0);
    // the checklist of the same commit fails on it
    const list = runCli(['checklist', '--repo', r2, '--format', 'json', 'HEAD']);
    expect(list.code).toBe(1);
    expect(list.stdout).toContain('invalidate-without-set-seq');
  });
});
