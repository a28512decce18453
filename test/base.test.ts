// The patch's own base (issue 22, item 2): a series `git format-patch --base`
// wrote in a repository the test builds, reviewed with --repo after the
// repository's HEAD moved on to a commit the series no longer applies to.
// The base commit's files (with the prerequisite patch from the inputs laid
// in first), else the index lines' blobs, else the work tree; the user's work
// tree and index are left as they were; the send-email hook and b4's review
// hook take the same base for a mail that is not a commit of the repository.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { PatchReportSchema } from '../src/report/patch.js';
import { gitIn, REPO, replaceIn, runCli, withoutNewestNote } from './helpers.js';
import { needSendEmail, skipUnless } from './needs.js';

const FILE = 'drivers/gpu/drm/drv/drv_mn.c';
const RULE = 'range-end-with-failing-start';
let dir = '';
let repo = '';
let base = '';
let prereq = '';
/** the state of the user's repository that no review may change */
let status = '';

const git = (...args: string[]): string => gitIn(repo, ...args);
const edit = (from: string, to: string): void => replaceIn(join(repo, FILE), from, to);
const write = (name: string, text: string): string => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mnlint-base-'));
  repo = join(dir, 'repo');
  cpSync(join(REPO, 'fixtures/trees/drv'), repo, { recursive: true });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'drm/drv: initial');
  base = git('rev-parse', 'HEAD').trim();
  // Y: a commit the series is written on top of, never sent (format-patch names it by patch-id)
  edit('\tspin_lock(&d->lock);\n\td->active++;', '\t/* counted until the end */\n\tspin_lock(&d->lock);\n\td->active++;');
  git('commit', '-qam', 'drm/drv: comment the count');
  prereq = git('rev-parse', 'HEAD').trim();
  // the series: a start that fails on a non-blockable range while drv_mm_ops has an end (the bug), then a harmless patch
  edit('\t/* counted until the end */\n\tspin_lock(&d->lock);', '\t/* counted until the end */\n\tif (!mmu_notifier_range_blockable(range))\n\t\treturn -EAGAIN;\n\tspin_lock(&d->lock);');
  git('commit', '-qam', 'drm/drv: bail out of non-blockable invalidations');
  edit('\tmutex_unlock(&bo->lock);\n\treturn true;', '\tmutex_unlock(&bo->lock);\n\tdrv_bo_note(bo);\n\treturn true;');
  git('commit', '-qam', 'drm/drv: note invalidations');
  // real format-patch output: on the base with Y below the series (prerequisite-patch-id), on Y itself, and Y alone
  write('with-prereq.mbox', git('format-patch', `--base=${base}`, '-2', '--cover-letter', '--stdout'));
  write('on-y.mbox', git('format-patch', `--base=${prereq}`, '-2', '--cover-letter', '--stdout'));
  write('no-base.mbox', git('format-patch', '-2', '--stdout'));
  write('no-cover-on-y.mbox', git('format-patch', `--base=${prereq}`, '-2', '--stdout'));
  write('y.patch', git('format-patch', '-1', '--stdout', prereq));
  // the repository moves on: HEAD is a later commit that changes the touched lines, so the series no longer applies to it
  git('reset', '-q', '--hard', base);
  edit('\td->active++;', '\td->active += 1;');
  git('commit', '-qam', 'drm/drv: count differently');
  // the user's own state: an untracked file, a staged one, an unstaged edit
  writeFileSync(join(repo, 'WIP'), 'work in progress\n');
  writeFileSync(join(repo, 'STAGED'), 'staged\n');
  git('add', 'STAGED');
  edit('/* A small GPU driver tree', '/* A small (edited) GPU driver tree');
  status = git('status', '--porcelain');
});

const review = (...args: string[]) => {
  const r = runCli(['patch', '--format', 'json', ...args]);
  return { ...r, report: PatchReportSchema.parse(JSON.parse(r.stdout)) };
};
const findings = (s: { patches: Array<{ findings: Array<{ rule: string; file: string; line: number }> }> }): string[][] => s.patches.map((p) => p.findings.map((f) => `${f.rule} ${f.file}:${f.line}`));

describe('git format-patch --base', () => {
  test('the mails carry the base lines git writes', () => {
    const mbox = readFileSync(join(dir, 'with-prereq.mbox'), 'utf8');
    expect(mbox).toContain(`base-commit: ${base}\n`);
    expect(mbox).toMatch(/^prerequisite-patch-id: [0-9a-f]{40}$/m);
    expect(readFileSync(join(dir, 'on-y.mbox'), 'utf8')).not.toContain('prerequisite-patch-id');
  });

  test('the series does not apply to the moved HEAD', () => {
    const r = review('--tree', repo, join(dir, 'on-y.mbox'));
    expect(r.stderr).toMatch(/hunk 1 \(@@ -20,6 \+20,8 @@\) of drivers\/gpu\/drm\/drv\/drv_mn.c does not apply/);
    expect(r.report.series[0]!.base).toBe(`the tree ${repo} (the mail names base-commit ${prereq.slice(0, 12)}; --repo DIR reviews against it)`);
  });

  test('--repo: the base commit the cover letter names, the bug found, the work tree and index untouched', () => {
    const r = review('--repo', repo, join(dir, 'on-y.mbox'));
    expect(withoutNewestNote(r.stderr)).toBe('');
    expect(r.code).toBe(1);
    const s = r.report.series[0]!;
    expect(s.base).toBe(`base-commit ${prereq.slice(0, 12)} (from the mail)`);
    expect(s.patches.map((p) => p.problems)).toEqual([[], []]);
    expect(findings(s)).toEqual([[`${RULE} ${FILE}:24`], []]);
    expect(git('status', '--porcelain')).toBe(status);
    expect(git('rev-parse', 'HEAD')).not.toContain(prereq);
    // the text output says it in one line
    const text = runCli(['patch', '--repo', repo, join(dir, 'on-y.mbox')]);
    expect(text.stdout.split('\n').slice(0, 2)).toEqual([`base: base-commit ${prereq.slice(0, 12)} (from the mail)`, 'api: 7.1, the newest: no include/linux/mmu_notifier.h at or above the tree']);
    // the note names the base, not its private copy
    expect(text.stderr).toBe(`mnlint: note: no include/linux/mmu_notifier.h at or above base-commit ${prereq.slice(0, 12)}: checked at API level 7.1, the newest (--kernel or --api names another)\n`);
    // and SARIF in the run's properties, with the level the base gave
    const sarif = JSON.parse(runCli(['patch', '--repo', repo, '--format', 'sarif', join(dir, 'on-y.mbox')]).stdout) as { runs: Array<{ properties?: unknown }> };
    expect(sarif.runs[0]!.properties).toEqual({
      bases: [{ source: join(dir, 'on-y.mbox'), base: `base-commit ${prereq.slice(0, 12)} (from the mail)`, api: { level: '7.1', source: 'newest', from: 'no include/linux/mmu_notifier.h at or above the tree' } }],
    });
  });

  test('a prerequisite the inputs lack is named in one line, and the review goes on', () => {
    const r = review('--repo', repo, join(dir, 'with-prereq.mbox'));
    const missing = r.stderr.split('\n').filter((l) => l.includes('prerequisite-patch-id'));
    expect(missing).toHaveLength(1);
    expect(missing[0]).toMatch(/^mnlint: .*with-prereq\.mbox: prerequisite-patch-id [0-9a-f]{12} not among the inputs nor the repository's commits: the series is reviewed without that patch/);
    const s = r.report.series[0]!;
    expect(s.base).toBe(`base-commit ${base.slice(0, 12)} (from the mail)`);
    expect(s.baseProblems).toEqual([missing[0]!.slice('mnlint: '.length)]);
    // without Y, patch 1's context is not in the base: named against the base commit, patch 2 still reviewed
    expect(s.patches[0]!.problems).toEqual([
      expect.stringMatching(new RegExp(`hunk 1 \\(@@ -20,6 \\+20,8 @@\\) of drivers\\/gpu\\/drm\\/drv\\/drv_mn.c does not apply to base-commit ${base.slice(0, 12)}: context not found$`)),
    ]);
    expect(s.patches[1]!.problems).toEqual([]);
    expect(git('status', '--porcelain')).toBe(status);
  });

  test('the prerequisite found among the inputs by its patch-id is applied first', () => {
    // the id git wrote is the one `git patch-id --stable` gives Y's mail
    const id = spawnSync('git', ['patch-id', '--stable'], { input: readFileSync(join(dir, 'y.patch')), encoding: 'utf8' }).stdout.split(' ')[0]!;
    expect(readFileSync(join(dir, 'with-prereq.mbox'), 'utf8')).toContain(`prerequisite-patch-id: ${id}\n`);
    const r = review('--repo', repo, join(dir, 'y.patch'), join(dir, 'with-prereq.mbox'));
    expect(withoutNewestNote(r.stderr)).toBe('');
    // the series that named it (the inputs may be read as one series or as two)
    const s = r.report.series.find((x) => x.base?.includes('prerequisite'))!;
    expect(s.base).toBe(`base-commit ${base.slice(0, 12)} (from the mail), with 1 prerequisite patch from the inputs applied first`);
    expect(s.baseProblems).toBeUndefined();
    expect(findings(s)).toEqual([[`${RULE} ${FILE}:24`], []]);
    expect(git('status', '--porcelain')).toBe(status);
  });

  test("a prerequisite on one of the repository's branches is found there by its patch-id", () => {
    git('branch', 'has-y', prereq);
    try {
      const r = review('--repo', repo, join(dir, 'with-prereq.mbox'));
      expect(withoutNewestNote(r.stderr)).toBe('');
      const s = r.report.series[0]!;
      expect(s.base).toBe(`base-commit ${base.slice(0, 12)} (from the mail), with 1 prerequisite patch from the repository applied first`);
      expect(findings(s)).toEqual([[`${RULE} ${FILE}:24`], []]);
    } finally {
      git('branch', '-D', 'has-y');
    }
    expect(git('status', '--porcelain')).toBe(status);
  });
});

describe('without the base commit', () => {
  test('no base-commit line: the pre-image blobs of the index lines', () => {
    const r = review('--repo', repo, join(dir, 'no-base.mbox'));
    expect(withoutNewestNote(r.stderr)).toBe('');
    const s = r.report.series[0]!;
    expect(s.base).toBe('the blobs of the index lines (1 of 1 file; the mail names no base)');
    expect(findings(s)).toEqual([[`${RULE} ${FILE}:24`], []]);
    expect(git('status', '--porcelain')).toBe(status);
  });

  test('a base commit the repository lacks: the blobs, and the label says why', () => {
    const gone = write('gone-base.mbox', readFileSync(join(dir, 'on-y.mbox'), 'utf8').replace(`base-commit: ${prereq}`, `base-commit: ${'1234567'.padEnd(40, '0')}`));
    const s = review('--repo', repo, gone).report.series[0]!;
    expect(s.base).toBe(`the blobs of the index lines (1 of 1 file; base-commit 123456700000 is not in ${repo})`);
    expect(findings(s)).toEqual([[`${RULE} ${FILE}:24`], []]);
  });

  test('format-patch without a cover letter: the base lines after patch 1', () => {
    const mails = readFileSync(join(dir, 'no-cover-on-y.mbox'), 'utf8').split(/^(?=From [0-9a-f]{40} )/m);
    expect(mails.map((m) => m.includes(`base-commit: ${prereq}`))).toEqual([true, false]);
    const s = review('--repo', repo, join(dir, 'no-cover-on-y.mbox')).report.series[0]!;
    expect(s.base).toBe(`base-commit ${prereq.slice(0, 12)} (from the mail)`);
    expect(findings(s)).toEqual([[`${RULE} ${FILE}:24`], []]);
  });

  test('an input that starts at patch 2: base-commit is the base of patch 1, the blobs are its own', () => {
    // the cover letter and patch 2 of the series, patch 1 left out
    const mails = readFileSync(join(dir, 'on-y.mbox'), 'utf8').split(/^(?=From [0-9a-f]{40} )/m);
    expect(mails).toHaveLength(3);
    const s = review('--repo', repo, write('cover-and-2.mbox', mails[0]! + mails[2]!)).report.series[0]!;
    expect(s.base).toBe(`the blobs of the index lines (1 of 1 file; base-commit ${prereq.slice(0, 12)} is the base of patch 1, the input starts at patch 2 of 2)`);
    expect(s.patches.map((p) => p.problems)).toEqual([[]]);
  });

  test('neither base nor blobs: the work tree, said so', () => {
    const text = readFileSync(join(dir, 'no-base.mbox'), 'utf8').replace(/^index [0-9a-f]+\.\./gm, 'index 0abcdef..');
    const r = review('--repo', repo, write('no-blobs.mbox', text));
    expect(r.report.series[0]!.base).toBe(`the work tree of ${repo} (the mail names no base; ${repo} has none of the blobs its index lines name)`);
    expect(r.report.series[0]!.patches[0]!.problems).toEqual([expect.stringMatching(/does not apply to /)]);
  });
});

describe('the hooks, for a mail written in another clone', () => {
  // a clone that has the base but not the patch's commit: its `From <sha>` is not a commit here
  let mail = '';
  beforeAll(() => {
    const other = join(dir, 'other');
    gitIn(dir, 'clone', '-q', repo, other);
    gitIn(other, 'checkout', '-q', prereq);
    replaceIn(join(other, FILE), '\t/* counted until the end */\n\tspin_lock(&d->lock);', '\t/* counted until the end */\n\tif (!mmu_notifier_range_blockable(range))\n\t\treturn -EBUSY;\n\tspin_lock(&d->lock);');
    gitIn(other, 'commit', '-qam', 'drm/drv: give up on non-blockable ranges\n\nSigned-off-by: Ann Dev <ann@example.org>');
    mail = write('other.patch', gitIn(other, 'format-patch', `--base=${prereq}`, '-1', '--stdout'));
    expect(spawnSync('git', ['-C', repo, 'cat-file', '-e', `${gitIn(other, 'rev-parse', 'HEAD').trim()}^{commit}`]).status).not.toBe(0);
  });

  test("b4 review's check command (checklist - --format b4 --repo .): the base the mail names", () => {
    const r = spawnSync(process.execPath, [join(REPO, 'dist/cli.js'), 'checklist', '-', '--format', 'b4', '--repo', '.'], { cwd: repo, input: readFileSync(mail), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const entries = JSON.parse(r.stdout) as Array<{ tool: string; status: string; summary: string; details: string | null }>;
    expect(entries.find((e) => e.tool === 'mnlint base')).toMatchObject({ status: 'pass', summary: `reviewed against base-commit ${prereq.slice(0, 12)} (from the mail)` });
    expect(entries.find((e) => e.tool === 'mnlint mnlint')).toMatchObject({ status: 'fail' });
    expect(entries.find((e) => e.tool === 'mnlint mnlint')!.details).toContain(RULE);
    expect(git('status', '--porcelain')).toBe(status);
  });

  test('the send-email hook refuses the patch, reviewed against its base-commit', (ctx) => {
    skipUnless(ctx, needSendEmail());
    expect(runCli(['hook', 'install', '--repo', repo]).code).toBe(0);
    const r = spawnSync('git', ['-C', repo, '-c', 'sendemail.smtpServer=/bin/true', 'send-email', '--dry-run', '--validate', '--confirm=never', '--to=ann.m@example.org', '--8bit-encoding=UTF-8', mail], {
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_NAME: 'Ann Dev', GIT_AUTHOR_EMAIL: 'ann@example.org', GIT_COMMITTER_NAME: 'Ann Dev', GIT_COMMITTER_EMAIL: 'ann@example.org' },
    });
    const out = r.stdout + r.stderr;
    expect(out).toContain(`reviewed against base-commit ${prereq.slice(0, 12)} (from the mail)`);
    expect(out).toContain(RULE);
    expect(out).not.toContain('Dry-OK');
    expect(r.status).not.toBe(0);
    expect(git('status', '--porcelain')).toBe(status);
  });
});
