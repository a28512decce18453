// The pre-send checklist: on seed 004 against Linux 6.12, and on a repository
// the test builds (MAINTAINERS, a Fixes target, a history of subject
// prefixes, a two-version series whose v2 drops a Reviewed-by); b4's check
// protocol; the git send-email hook.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { buildChecklist } from '../src/app/checklist.js';
import type { Item, SeriesChecklist } from '../src/report/checklist.js';
import { reviewSeries } from '../src/engine/review.js';
import { readPatchInput } from '../src/input/patch.js';
import { apiById } from '../src/model/api.js';
import { gitIn, REPO, replaceIn, runCli } from './helpers.js';
import { kernelDir } from './kernel-trees.js';
import { seed004Mbox } from './seeds.js';
import { needKernel, needSeeds, needSendEmail, skipUnless } from './needs.js';

const FILE = 'drivers/gpu/drm/drv/drv_mn.c';
const status = (items: readonly Item[]): Record<string, string> => Object.fromEntries(items.map((i) => [i.id, i.status]));

describe('seed 004', () => {
  test('flags the missing registration check, passes its kernel-doc update', async (ctx) => {
    skipUnless(ctx, needKernel('6.12'), needSeeds());
    const series = await readPatchInput('seed-004.mbox', Buffer.from(seed004Mbox().mbox));
    const reviews = await reviewSeries(series, { tree: kernelDir('6.12'), filter: 'added', api: apiById('two-pass-v2')!, jobs: 1 });
    const list = await buildChecklist({ series, reviews });
    expect(status(list.series)).toEqual({ changelog: 'pass' });
    expect(status(list.patches[0]!.items)).toEqual({
      mnlint: 'warn',
      'kernel-doc': 'pass',
      'registration-check': 'warn',
      'header-docs': 'pass',
      'signed-off-by': 'pass',
      link: 'pass',
      'assisted-by': 'pass',
    });
    expect(list.patches[0]!.items.find((i) => i.id === 'signed-off-by')!.summary).toContain('Thomas Hellström');
  });
});

let repo = '';
let fixesTarget = '';
const MAINTAINERS = `List of maintainers

DRV GPU DRIVER
M:	Ann Maintainer <ann.m@example.org>
R:	Rita Reviewer <rita@example.org>
L:	dri-devel@lists.example.org
S:	Maintained
F:	drivers/gpu/drm/drv/
X:	drivers/gpu/drm/drv/README

MEMORY MANAGEMENT
M:	Mo Mm <mo@example.org>
L:	linux-mm@example.org
F:	mm/

THE REST
M:	Linus <linus@example.org>
L:	linux-kernel@example.org
F:	*
F:	*/
`;

const git = (...args: string[]): string => gitIn(repo, ...args);
const edit = (from: string, to: string): void => replaceIn(join(repo, FILE), from, to);

/** One commit on top of HEAD as `git format-patch` mails it, then HEAD back where it was. */
function mailOf(message: string, prefix: string, extra: string[] = []): string {
  edit('\tspin_lock(&d->lock);\n\td->active += 1;', '\t/* the lock orders start against end */\n\tspin_lock(&d->lock);\n\td->active += 1;');
  git('commit', '-qam', message);
  const mail = git('format-patch', '--stdout', '--no-signature', `--subject-prefix=${prefix}`, ...extra, '-1');
  git('reset', '-q', '--hard', 'HEAD~1');
  const path = join(repo, '..', `${prefix.replace(/\W/g, '_')}-${Math.random().toString(36).slice(2)}.mbox`);
  writeFileSync(path, mail);
  return path;
}

function checklist(args: string[]): { code: number; list: SeriesChecklist; stderr: string } {
  const r = runCli(['checklist', '--format', 'json', '--repo', repo, ...args]);
  if (r.code === 2) throw new Error(r.stderr);
  return { code: r.code, list: JSON.parse(r.stdout).checklists[0], stderr: r.stderr };
}

beforeAll(() => {
  repo = join(mkdtempSync(join(tmpdir(), 'mnlint-checklist-')), 'linux');
  cpSync(join(REPO, 'fixtures/trees/drv'), repo, { recursive: true });
  writeFileSync(join(repo, 'MAINTAINERS'), MAINTAINERS);
  spawnSync('git', ['init', '-q', '-b', 'main', repo]);
  git('add', '-A');
  git('commit', '-qm', 'drm/drv: initial driver');
  edit('\td->active++;', '\td->active += 1;');
  git('commit', '-qam', 'drm/drv: count active ranges');
  fixesTarget = git('rev-parse', 'HEAD').trim();
});

describe('a two-version series against a repository', () => {
  test('v2 drops a Reviewed-by; Fixes:, subject prefix, changelog and recipients checked', () => {
    const v1 = mailOf('drm/drv: comment the locking\n\nSay why.\n\nReviewed-by: Bob Reviewer <bob@example.org>\nSigned-off-by: Ann Dev <ann@example.org>', 'PATCH', ['--thread']);
    const v2 = mailOf(
      `drm/drv: comment the locking\n\nSay why.\n\nv2:\n- reword the comment\n\nFixes: ${fixesTarget.slice(0, 12)} ("drm/drv: count active ranges")\nSigned-off-by: Ann Dev <ann@example.org>`,
      'PATCH v2',
      ['--to=ann.m@example.org', '--cc=rita@example.org'],
    );
    // Bob's review of v1, quoting the comment line v2 still adds
    const v1Id = /^Message-ID: (<[^>]+>)/im.exec(readFileSync(v1, 'utf8'))![1]!;
    writeFileSync(
      v1,
      `${readFileSync(v1, 'utf8')}\nFrom bob Mon Sep 17 00:00:00 2001\nFrom: Bob Reviewer <bob@example.org>\nSubject: Re: [PATCH] drm/drv: comment the locking\nIn-Reply-To: ${v1Id}\nMessage-ID: <bob-1@example.org>\n\n> @@ -19,6 +19,7 @@\n> +\t/* the lock orders start against end */\n\nWhich end? Name the callback.\n`,
    );
    const { code, list } = checklist([v2, '--previous', v1]);
    expect(code).toBe(0);
    expect(list.version).toBe(2);
    expect(status(list.series)).toEqual({ base: 'pass', api: 'warn', changelog: 'pass', recipients: 'warn' });
    // a mail format-patch wrote here: its commit against its parent, and the checklist says so
    expect(list.series.find((i) => i.id === 'base')!.summary).toMatch(new RegExp(`^reviewed against the parent of [0-9a-f]{12} in ${repo}$`));
    // the list is missing; the X: file and THE REST are not asked for
    expect(list.series.find((i) => i.id === 'recipients')!.details).toEqual(['dri-devel@lists.example.org (DRV GPU DRIVER)']);
    const items = list.patches[0]!.items;
    expect(status(items)).toEqual({
      mnlint: 'pass',
      'signed-off-by': 'pass',
      fixes: 'pass',
      link: 'pass',
      'assisted-by': 'pass',
      'subject-prefix': 'pass',
      'kept-trailers': 'warn',
      'open-comments': 'warn',
    });
    expect(items.find((i) => i.id === 'open-comments')!.details).toEqual(['Bob Reviewer: "Which end? Name the callback." on `/* the lock orders start against end */`, unchanged in v2']);
    expect(items.find((i) => i.id === 'kept-trailers')!.details).toEqual(['Reviewed-by: Bob Reviewer <bob@example.org>']);
  });

  test('malformed and dangling trailers fail; a foreign subject prefix warns', () => {
    const bad = mailOf(
      [
        'drivers: comment the locking',
        '',
        'Fixes: deadbeef0000 ("drm/drv: nothing")',
        `Fixes: ${fixesTarget.slice(0, 12)} ("drm/drv: count the ranges")`,
        'Fixes: abc123',
        'Link: lore/12345',
        'Assisted-by: a helpful tool',
        'Signed-off-by: Somebody Else <else@example.org>',
      ].join('\n'),
      'PATCH',
    );
    const { code, list } = checklist([bad]);
    expect(code).toBe(1);
    const items = list.patches[0]!.items;
    expect(status(items)).toMatchObject({ 'signed-off-by': 'fail', fixes: 'fail', link: 'fail', 'assisted-by': 'fail', 'subject-prefix': 'warn' });
    expect(items.find((i) => i.id === 'fixes')!.details).toEqual([
      'Fixes: deadbeef0000: no such commit in the repository',
      `Fixes: ${fixesTarget.slice(0, 12)}: the commit's subject is "drm/drv: count active ranges", not "drm/drv: count the ranges"`,
      'Fixes: abc123: not in the form <12+ hex digits> ("<subject>")',
    ]);
    expect(items.find((i) => i.id === 'subject-prefix')!.details).toEqual(['usual: "drm/drv:"']);
  });

  test('markdown: a checkbox per item', () => {
    const v2 = mailOf('drm/drv: comment the locking\n\nSigned-off-by: Ann Dev <ann@example.org>', 'PATCH');
    const r = runCli(['checklist', '--repo', repo, v2]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('# mnlint checklist: drm/drv: comment the locking (v1, 1 patch)\n');
    expect(r.stdout).toContain('- [x] `signed-off-by`: Signed-off-by matches the author (Ann Dev)\n');
    expect(r.stdout).toContain('- [ ] **warn** `recipients`: 3 of 3 addresses MAINTAINERS names are not on To/Cc\n');
  });
});

test('bad input: a missing mbox, a range that is not one: one line, exit 2', () => {
  expect(runCli(['checklist', 'v3.mbox', '--repo', repo])).toMatchObject({ code: 2, stdout: '', stderr: 'mnlint: v3.mbox: no such file or directory\n' });
  const range = runCli(['checklist', 'nosuch..HEAD', '--repo', repo]);
  expect(range.code).toBe(2);
  expect(range.stderr).toMatch(/^mnlint: nosuch\.\.HEAD: not a revision range of .*\n$/);
  // the JSON formats keep their shape on failure
  const json = runCli(['checklist', '-', '--format', 'json'], { input: 'no patch here\n' });
  expect(json.code).toBe(2);
  expect(JSON.parse(json.stdout)).toMatchObject({ tool: 'mnlint', checklists: [] });
  const b4 = runCli(['checklist', '-', '--format', 'b4'], { input: 'no patch here\n' });
  expect(b4.code).toBe(2);
  expect(JSON.parse(b4.stdout)).toMatchObject([{ tool: 'mnlint', status: 'fail' }]);
  expect(JSON.parse(runCli(['checklist', 'nosuch..HEAD', '--repo', repo, '--format', 'json']).stdout)).toMatchObject({ checklists: [] });
});

describe('b4 check protocol', () => {
  test('one message on stdin, a JSON array of {tool, status, summary, url, details} on stdout', () => {
    const mail = readFileSync(mailOf('drm/drv: comment the locking\n\nFixes: abc123\nSigned-off-by: Ann Dev <ann@example.org>', 'PATCH'), 'utf8');
    const r = runCli(['checklist', '-', '--format', 'b4', '--repo', repo], { input: mail });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    for (const e of out) {
      expect(Object.keys(e)).toEqual(['tool', 'status', 'summary', 'url', 'details']);
      expect(['pass', 'warn', 'fail']).toContain(e.status);
    }
    expect(out.find((e) => e.tool === 'mnlint fixes')).toEqual({
      tool: 'mnlint fixes',
      status: 'fail',
      summary: 'Fixes: tags to correct',
      url: null,
      details: 'Fixes: abc123: not in the form <12+ hex digits> ("<subject>")',
    });
  });
});

describe('git send-email hook', () => {
  test('hook install; --dry-run --validate refuses the bad patch and sends the good one', (ctx) => {
    skipUnless(ctx, needSendEmail());
    const install = runCli(['hook', 'install', '--repo', repo]);
    expect(install.code).toBe(0);
    expect(install.stdout).toMatch(/wrote .*\/hooks\/sendemail-validate\n$/);
    const send = (patch: string): { status: number | null; out: string } => {
      const r = spawnSync('git', ['-C', repo, '-c', 'sendemail.smtpServer=/bin/true', 'send-email', '--dry-run', '--validate', '--confirm=never', '--to=ann.m@example.org', '--8bit-encoding=UTF-8', patch], {
        encoding: 'utf8',
        env: { ...process.env, GIT_AUTHOR_NAME: 'Ann Dev', GIT_AUTHOR_EMAIL: 'ann@example.org', GIT_COMMITTER_NAME: 'Ann Dev', GIT_COMMITTER_EMAIL: 'ann@example.org' },
      });
      return { status: r.status, out: r.stdout + r.stderr };
    };
    const good = send(mailOf('drm/drv: comment the locking\n\nSigned-off-by: Ann Dev <ann@example.org>', 'PATCH'));
    expect(good.out).toContain('Dry-OK');
    expect(good.status).toBe(0);
    const bad = send(mailOf('drm/drv: comment the locking\n\nFixes: deadbeef0000 ("drm/drv: nothing")\nSigned-off-by: Ann Dev <ann@example.org>', 'PATCH'));
    expect(bad.status).not.toBe(0);
    expect(bad.out).toContain('Fixes: deadbeef0000: no such commit in the repository');
    expect(bad.out).not.toContain('Dry-OK');
    // a patch that only deletes the sequence update: reviewed as the commit against its parent
    edit('\t\treturn false;\n\tmmu_interval_set_seq(mni, cur_seq);\n', '\t\treturn false;\n');
    git('commit', '-qam', 'drm/drv: drop the sequence update\n\nSigned-off-by: Ann Dev <ann@example.org>');
    const dropped = join(repo, '..', 'dropped-set-seq.patch');
    writeFileSync(dropped, git('format-patch', '--stdout', '--no-signature', '-1'));
    git('reset', '-q', '--hard', 'HEAD~1');
    const refused = send(dropped);
    expect(refused.status).not.toBe(0);
    expect(refused.out).toContain('invalidate-without-set-seq');
    expect(refused.out).not.toContain('Dry-OK');
  });
});

describe("b4's hooks, called the way b4 calls them (b4 src/b4/__init__.py run_local_check, src/b4/review/checks.py)", () => {
  // b4 shlex-splits the configured command, pipes the patch mail on stdin, runs it
  // at the top of the repository where `b4 prep` has the commit applied already
  const b4Run = (cmd: string, dir: string, mail: string): { out: string; err: string; code: number | null } => {
    const [exe, ...args] = cmd.split(/\s+/);
    expect(exe).toBe('mnlint');
    const r = spawnSync(process.execPath, [join(REPO, 'dist/cli.js'), ...args], { cwd: dir, input: mail, encoding: 'utf8' });
    return { out: r.stdout, err: r.stderr, code: r.status };
  };
  /** b4 prep --check: a stdout line with ERROR: fails, any other warns, stderr fails, nothing passes. */
  const prepReport = (r: { out: string; err: string; code: number | null }): Array<[string, string]> => {
    const report: Array<[string, string]> = [];
    for (const raw of r.out.trim() ? r.out.trim().split('\n') : []) report.push([raw.includes('ERROR:') ? 'fail' : 'warning', raw.startsWith('-:') ? raw.slice(2) : raw]);
    for (const raw of r.err.trim() ? r.err.trim().split('\n') : []) report.push(['fail', raw]);
    if (!report.length) report.push([r.code ? 'fail' : 'success', r.code ? `exited with error code ${r.code}` : 'passed all checks']);
    return report;
  };
  const PREP = 'mnlint patch - --tree . --terse --no-summary';
  const REVIEW = 'mnlint checklist - --format b4 --repo .';

  test('prep-perpatch-check-cmd: a commit in the work tree that drops set_seq fails, a clean one passes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnlint-b4-'));
    cpSync(join(REPO, 'fixtures/trees/drv'), dir, { recursive: true });
    gitIn(dir, 'init', '-q');
    gitIn(dir, 'add', '-A');
    gitIn(dir, 'commit', '-qm', 'drm/drv: initial');
    replaceIn(join(dir, FILE), '\t\treturn false;\n\tmmu_interval_set_seq(mni, cur_seq);\n', '\t\treturn false;\n');
    gitIn(dir, 'commit', '-qam', 'drm/drv: drop the sequence update\n\nSigned-off-by: Ann Dev <ann@example.org>');
    const bad = gitIn(dir, 'format-patch', '-1', '--stdout');
    const report = prepReport(b4Run(PREP, dir, bad));
    expect(report).toHaveLength(1);
    expect(report[0]![0]).toBe('fail');
    expect(report[0]![1]).toMatch(/^\d+: ERROR:invalidate-without-set-seq: /);
    // the same mail through b4 review's JSON hook
    const review = b4Run(REVIEW, dir, bad);
    expect(review.err).toBe('');
    const entries = JSON.parse(review.out) as Array<{ tool: string; status: string; details: string }>;
    expect(entries.some((e) => e.status === 'fail' && e.details.includes('invalidate-without-set-seq'))).toBe(true);
    // a clean commit on top: nothing on stdout or stderr, so b4 says "passed all checks"
    replaceIn(join(dir, FILE), '\t\treturn false;\n\tmutex_unlock(&bo->lock);', "\t\treturn false;\n\t/* the sequence is someone else's now */\n\tmutex_unlock(&bo->lock);");
    gitIn(dir, 'commit', '-qam', 'drm/drv: a comment\n\nSigned-off-by: Ann Dev <ann@example.org>');
    expect(prepReport(b4Run(PREP, dir, gitIn(dir, 'format-patch', '-1', '--stdout')))).toEqual([['success', 'passed all checks']]);
  });
});
