// Finding identity across the two images of a patch (issue 22 item 4): a
// finding is matched by its rule, callback (table.member), subject and
// occurrence, never by its message or line. Each patch is a real commit in a
// temporary repository, taken out with git format-patch and reviewed against
// its parent.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, test } from 'vitest';
import { readPatchInput } from '../src/input/patch.js';
import { apiById } from '../src/model/api.js';
import { compareFindings, reviewSeries } from '../src/engine/review.js';
import type { Finding } from '../src/rules/rule.js';
import { check, gitIn, replaceIn, runCli } from './helpers.js';

const FILE = 'drivers/drv/drv.c';
let repo: string;
const git = (...args: string[]): string => gitIn(repo, ...args);
const edit = (from: string, to: string): void => replaceIn(join(repo, FILE), from, to);

beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), 'mnlint-identity-'));
  mkdirSync(join(repo, 'drivers/drv'), { recursive: true });
  cpSync('fixtures/identity/drv.c', join(repo, FILE));
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'drv: initial');
});

/** The working tree's change committed, taken out as a format-patch mail, and reviewed against the parent checked out. */
async function review(subject: string): Promise<{ findings: Finding[]; fixed: Finding[] }> {
  git('commit', '-qam', subject);
  const mail = git('format-patch', '--stdout', '-1', 'HEAD');
  git('checkout', '-q', 'HEAD~1');
  const series = await readPatchInput('commit.patch', Buffer.from(mail));
  const [r] = await reviewSeries(series, { tree: repo, filter: 'new', api: apiById('6.12')!, jobs: 1 });
  expect(r!.problems).toEqual([]);
  return r!;
}

const brief = (fs: readonly Finding[]): string[] => fs.map((f) => `${f.rule} ${f.about?.callback} ${f.about?.subject?.names.join(',')}`);

describe('a finding before and after a patch', () => {
  test('renaming a callback function and its table entry changes nothing', async () => {
    // the pre-image has an error in each callback, about its table's member and the sleeping call
    expect(brief(await check([FILE], repo))).toEqual(['sleep-in-non-blockable-range drv_ops.invalidate msleep', 'sleep-in-non-blockable-range drv_other_ops.invalidate msleep']);
    const text = readFileSync(join(repo, FILE), 'utf8');
    replaceIn(join(repo, FILE), 'static bool drv_invalidate(', 'static bool drv_mirror_invalidate(');
    edit('.invalidate = drv_invalidate,', '.invalidate = drv_mirror_invalidate,');
    expect(readFileSync(join(repo, FILE), 'utf8')).not.toBe(text);
    const r = await review('drv: rename the invalidate callback');
    // the message names the callback function: it changed, the finding did not
    expect(r.findings).toEqual([]);
    expect(r.fixed).toEqual([]);
  });

  test('moving a callback below the other changes nothing', async () => {
    const text = readFileSync(join(repo, FILE), 'utf8');
    const first = text.slice(text.indexOf('static bool drv_invalidate('), text.indexOf('static bool drv_other_invalidate('));
    edit(first, '');
    edit('static const struct mmu_interval_notifier_ops drv_ops', `${first}static const struct mmu_interval_notifier_ops drv_ops`);
    const r = await review('drv: move the invalidate callback');
    expect(r.findings).toEqual([]);
    expect(r.fixed).toEqual([]);
  });

  test('moving a callback to another file of the driver changes nothing', async () => {
    const text = readFileSync(join(repo, FILE), 'utf8');
    const first = text.slice(text.indexOf('static bool drv_invalidate('), text.indexOf('static bool drv_other_invalidate('));
    edit(first, `bool drv_invalidate(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range, unsigned long cur_seq);\n\n`);
    writeFileSync(join(repo, 'drivers/drv/drv_inv.c'), `#include <linux/mmu_notifier.h>\n#include <linux/delay.h>\n\n${first.replace('static bool', 'bool')}`);
    git('add', '-A');
    const r = await review('drv: move the invalidate callback to its own file');
    expect(r.findings).toEqual([]);
    expect(r.fixed).toEqual([]);
  });

  test('fixing one of two findings: one fixed, the other unchanged', async () => {
    edit('\tmsleep(20);', '\tif (!mmu_notifier_range_blockable(range))\n\t\treturn false;\n\tmsleep(20);');
    const r = await review('drv: do not sleep when the range is not blockable');
    expect(r.findings).toEqual([]);
    expect(brief(r.fixed)).toEqual(['sleep-in-non-blockable-range drv_other_ops.invalidate msleep']);
  });

  test('another sleeping call where one already was: new, for the new call only, and nothing fixed', async () => {
    edit('\tmsleep(10);', '\tmsleep(10);\n\tusleep_range(10, 20);');
    const r = await review('drv: wait longer');
    expect(brief(r.findings)).toEqual(['sleep-in-non-blockable-range drv_ops.invalidate msleep,usleep_range']);
    expect(r.findings[0]!.steps.map((s) => s.text)).toContain('new in this patch: usleep_range(); the finding was there before for msleep()');
    // shown on the line that added the call
    expect(r.findings[0]!.line).toBe(16);
    expect(r.fixed).toEqual([]);
  });

  test('the first sleeping call changed, the calls the same: nothing new, nothing fixed', async () => {
    edit('\tmsleep(10);', '\tmsleep(10);\n\tusleep_range(10, 20);');
    git('commit', '-qam', 'drv: two sleeping calls');
    edit('\tmsleep(10);\n\tusleep_range(10, 20);', '\tusleep_range(10, 20);\n\tmsleep(10);');
    const r = await review('drv: sleep the other way round');
    expect(r.findings).toEqual([]);
    expect(r.fixed).toEqual([]);
  });
});

describe('a start that hands its lock to end', () => {
  // the shape of "RDMA/odp: Fix missed unlock in non-blocking invalidate_start" (stable, June 2019):
  // the leak on the failing return is fixed, the hand-off to end stays as it was
  const DRV = `// mnlint-api: 5.2
#include <linux/mmu_notifier.h>
#include <linux/rwsem.h>

struct drv {
\tstruct mmu_notifier mn;
\tstruct rw_semaphore sem;
\tint busy;
};

static int drv_start(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
\tstruct drv *d = container_of(mn, struct drv, mn);

\tif (mmu_notifier_range_blockable(range))
\t\tdown_read(&d->sem);
\telse if (!down_read_trylock(&d->sem))
\t\treturn -EAGAIN;
\tif (!mmu_notifier_range_blockable(range) && d->busy)
\t\treturn -EAGAIN;
\treturn 0;
}

static void drv_end(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
\tstruct drv *d = container_of(mn, struct drv, mn);

\tup_read(&d->sem);
}

static const struct mmu_notifier_ops drv_ops = {
\t.invalidate_range_start = drv_start,
\t.invalidate_range_end = drv_end,
};
`;

  test('fixing the leak on the failing return: one fixed, the hand-off not new', async () => {
    writeFileSync(join(repo, FILE), DRV);
    git('commit', '-qam', 'drv: a start/end pair');
    edit('\tif (!mmu_notifier_range_blockable(range) && d->busy)\n\t\treturn -EAGAIN;', '\tif (!mmu_notifier_range_blockable(range) && d->busy) {\n\t\tup_read(&d->sem);\n\t\treturn -EAGAIN;\n\t}');
    git('commit', '-qam', 'drv: release the lock when start fails');
    const mail = git('format-patch', '--stdout', '-1', 'HEAD');
    git('checkout', '-q', 'HEAD~1');
    // before 5.12 the core calls no end after a failed start: the failing return leaks the lock
    const before = await check([FILE], repo);
    expect(before.map((f) => `${f.severity} ${f.messageId}`).sort()).toEqual(['error heldOnSomePath', 'warning heldUntilEnd']);
    const series = await readPatchInput('commit.patch', Buffer.from(mail));
    const [r] = await reviewSeries(series, { tree: repo, filter: 'new', api: apiById('5.2')!, jobs: 1 });
    expect(r!.findings).toEqual([]);
    expect(r!.fixed.map((f) => `${f.severity} ${f.messageId}`)).toEqual(['error heldOnSomePath']);
  });
});

describe('the facts fixture patch that showed fixed plus new', () => {
  test('one more sleeping call in a callback that had one: a new error, no FIXED line', () => {
    const r = runCli(['patch', '--tree', 'fixtures/facts/tree', 'fixtures/facts/drv-sync.patch']);
    expect(r.stdout).toContain('ERROR:sleep-in-non-blockable-range: core_sync_all() may sleep');
    expect(r.stdout).toContain('new in this patch: core_sync(); the finding was there before for core_sync_all()');
    expect(r.stdout).not.toContain('FIXED');
  });
});

describe('compareFindings', () => {
  test('pairs by subject and occurrence, not by order alone', () => {
    const f = (line: number, names: string[], fn = 'drv_invalidate'): Finding => ({
      rule: 'sleep-under-spinlock',
      messageId: 'sleepsUnderLock',
      severity: 'error',
      invariant: 'I5',
      file: 'drv.c',
      line,
      column: 2,
      endLine: line,
      function: fn,
      message: `${names[0]}() sleeps at line ${line} in ${fn}()`,
      steps: [],
      about: { callback: 'drv_ops.invalidate', subject: { kind: 'call', names } },
    });
    // the first of two calls under the lock fixed: the finding removed is the first one's, the second moved up and renamed
    const { added, removed } = compareFindings([f(10, ['msleep']), f(12, ['schedule'])], [f(11, ['schedule'], 'drv_inv')]);
    expect(added).toEqual([]);
    expect(removed.map((x) => x.line)).toEqual([10]);
    // a second call of the same function is a second site: new
    const twice = compareFindings([f(10, ['msleep'])], [f(10, ['msleep', 'msleep'])]);
    expect(twice.added.map((x) => x.steps[0]?.text)).toEqual(['new in this patch: msleep(); the finding was there before for msleep()']);
    expect(twice.removed).toEqual([]);
    // one of two sites gone: the finding still holds, neither new nor fixed
    expect(compareFindings([f(10, ['msleep', 'schedule'])], [f(11, ['schedule'])])).toEqual({ added: [], removed: [] });
    // another callback is another finding
    expect(compareFindings([f(10, ['msleep'])], [{ ...f(10, ['msleep']), about: { callback: 'drv_ops.invalidate_start', subject: { kind: 'call', names: ['msleep'] } } }]).added).toHaveLength(1);
  });
});

test('a SARIF fingerprint stays with a renamed callback, and moves to another subject', async () => {
  const { fingerprints } = await import('../src/report/sarif.js');
  const f: Finding = {
    rule: 'r',
    messageId: 'm',
    severity: 'error',
    invariant: null,
    file: 'a.c',
    line: 10,
    column: 1,
    endLine: 10,
    function: 'drv_invalidate',
    message: 'msleep() in drv_invalidate()',
    steps: [],
    about: { callback: 'drv_ops.invalidate', subject: { kind: 'call', names: ['msleep'] } },
  };
  const one = (x: Finding): string => fingerprints([x]).get(x)!;
  expect(one({ ...f, function: 'drv_mirror_invalidate', message: 'msleep() in drv_mirror_invalidate()', line: 12 })).toBe(one(f));
  expect(one({ ...f, about: { ...f.about, subject: { kind: 'call', names: ['schedule'] } } })).not.toBe(one(f));
  expect(one({ ...f, about: { ...f.about, callback: 'drv_ops.invalidate_start' } })).not.toBe(one(f));
});
