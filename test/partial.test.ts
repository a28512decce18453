// Partial reviews (issue 22 items 3 and 5): a patch whose hunks apply in part
// is reviewed over what applied, each rejected hunk named as GNU patch would
// reject it; without a tree, a function split across hunks is never the
// subject of an error. Inputs are real: `git diff` and `git format-patch` in
// temporary repositories, checked against GNU patch on the same files.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { applyHunks } from '../src/input/apply.js';
import { readPatchInput } from '../src/input/patch.js';
import { reviewSeries } from '../src/engine/review.js';
import { apiById } from '../src/model/api.js';
import { PatchReportSchema } from '../src/report/patch.js';
import { gitIn, runCli, withoutNewestNote } from './helpers.js';
import Ajv from 'ajv';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ajv = new Ajv({ allErrors: true, schemaId: 'auto' });
ajv.addMetaSchema(JSON.parse(readFileSync(require.resolve('ajv/lib/refs/json-schema-draft-04.json'), 'utf8')));
const validSarif = ajv.compile(JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')));

/** GNU patch on a copy of `text`: the hunks it rejects, each applied hunk's line and fuzz, and the result. */
function gnuPatch(text: string, diff: string): { failed: number[]; fuzz: Map<number, number>; at: Map<number, number>; result: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mnlint-gnu-'));
  writeFileSync(join(dir, 'f.c'), text);
  writeFileSync(join(dir, 'p.diff'), diff);
  const r = spawnSync('patch', ['-f', '--no-backup-if-mismatch', '-r', join(dir, 'rej'), join(dir, 'f.c'), join(dir, 'p.diff')], { encoding: 'utf8' });
  const failed = [...r.stdout.matchAll(/^Hunk #(\d+) FAILED/gm)].map((m) => Number(m[1]));
  const fuzz = new Map([...r.stdout.matchAll(/^Hunk #(\d+) succeeded at \d+ with fuzz (\d+)/gm)].map((m) => [Number(m[1]), Number(m[2])]));
  const at = new Map([...r.stdout.matchAll(/^Hunk #(\d+) succeeded at (\d+)/gm)].map((m) => [Number(m[1]), Number(m[2])]));
  return { failed, fuzz, at, result: readFileSync(join(dir, 'f.c'), 'utf8') };
}

/** A repository with one file, and the `git diff` that turns `before` into `after`. */
function gitDiff(path: string, before: string, after: string, ...args: string[]): string {
  const repo = mkdtempSync(join(tmpdir(), 'mnlint-partial-'));
  gitIn(repo, 'init', '-q');
  mkdirSync(join(repo, dirname(path)), { recursive: true });
  writeFileSync(join(repo, path), before);
  gitIn(repo, 'add', '-A');
  gitIn(repo, 'commit', '-qm', 'base');
  writeFileSync(join(repo, path), after);
  return gitIn(repo, 'diff', ...args);
}

/** A deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('hunks with an empty old side (`@@ -N,0`), as GNU patch applies them', () => {
  // jsdiff reads `-N,0` as oldStart N + 1 already: adding one more put the
  // lines one too low, and a new file began with an empty line (all its lines
  // one off in messages and traces under --tree and git)
  const base = Array.from({ length: 40 }, (_, i) => `\tstep(${i + 1});`);
  const text = (lines: string[]) => `${lines.join('\n')}\n`;

  test('-U0 insertions land after their line, the same text as GNU patch', async () => {
    const after = [...base];
    after.splice(30, 0, '\tcheck(30);');
    after.splice(10, 0, '\tcheck(10);');
    after.splice(0, 0, '\tcheck(0);');
    const diff = gitDiff('f.c', text(base), text(after), '-U0');
    const fp = (await readPatchInput('d', Buffer.from(diff))).patches[0]!.files[0]!;
    const ours = applyHunks(text(base), fp);
    expect(ours.hunks.map((h) => (h.applied ? [true, h.offset] : [false]))).toEqual([
      [true, 0],
      [true, 0],
      [true, 0],
    ]);
    expect(ours.text).toBe(gnuPatch(text(base), diff).result);
    expect(ours.text).toBe(text(after));
  });

  test('a new file (`--- /dev/null`, `@@ -0,0 +1,N @@`) is its lines, from line 1', async () => {
    const diff = gitDiff('f.c', '', text(base));
    const fp = (await readPatchInput('d', Buffer.from(diff))).patches[0]!.files[0]!;
    const ours = applyHunks('', fp);
    expect(ours.hunks.map((h) => (h.applied ? [true, h.at, h.offset] : [false]))).toEqual([[true, 1, 0]]);
    expect(ours.text).toBe(text(base));
  });
});

describe('applying hunk by hunk, as GNU patch does', () => {
  // a file of numbered statements, 14 of them changed: 14 hunks
  const base = Array.from({ length: 300 }, (_, i) => `\tstep(${i + 1});`);
  const changed = [...base];
  for (let k = 13; k >= 0; k--) {
    const at = 10 + k * 20;
    changed.splice(at, 1, `\tstep(${at + 1}, true);`, `\tcheck(${k});`);
  }
  const text = (lines: string[]) => `${lines.join('\n')}\n`;
  let diff = '';
  beforeAll(() => {
    diff = gitDiff('f.c', text(base), text(changed));
  });

  test('one hunk of fourteen meets a changed line: the other thirteen apply, that one is named', async () => {
    const fp = (await readPatchInput('d', Buffer.from(diff))).patches[0]!.files[0]!;
    expect(fp.hunks).toHaveLength(14);
    const tree = [...base];
    tree[90] = '\tstep(91); /* changed in the tree */';
    const ours = applyHunks(text(tree), fp);
    const gnu = gnuPatch(text(tree), diff);
    expect(gnu.failed).toEqual([5]);
    expect(ours.hunks.filter((h) => !h.applied)).toEqual([{ hunk: 5, header: '@@ -88,7 +92,8 @@', applied: false, reason: 'context not found' }]);
    expect(ours.text).toBe(gnu.result);
  });

  test('random edits of the tree: the same hunks applied, at the same lines, with the same fuzz, to the same text', async () => {
    const fp = (await readPatchInput('d', Buffer.from(diff))).patches[0]!.files[0]!;
    const next = random(22);
    let rejected = 0;
    let fuzzed = 0;
    let moved = 0;
    for (let trial = 0; trial < 60; trial++) {
      const tree = [...base];
      for (let e = 0; e < 1 + Math.floor(next() * 6); e++) {
        const at = Math.floor(next() * tree.length);
        const kind = next();
        if (kind < 0.4) tree[at] = `${tree[at]} /* edited */`;
        else if (kind < 0.7) tree.splice(at, 0, '\t/* a line the patch does not know */');
        else tree.splice(at, 1);
      }
      const ours = applyHunks(text(tree), fp);
      const gnu = gnuPatch(text(tree), diff);
      expect(ours.hunks.filter((h) => !h.applied).map((h) => h.hunk)).toEqual(gnu.failed);
      for (const h of ours.hunks) {
        if (!h.applied) continue;
        expect(h.fuzz).toBe(gnu.fuzz.get(h.hunk) ?? 0);
        if (gnu.at.has(h.hunk)) expect(h.at).toBe(gnu.at.get(h.hunk));
        if (h.offset) moved++;
        if (h.fuzz) fuzzed++;
      }
      expect(ours.text).toBe(gnu.result);
      rejected += gnu.failed.length;
    }
    // the trials did exercise each case
    expect(rejected).toBeGreaterThan(10);
    expect(fuzzed).toBeGreaterThan(3);
    expect(moved).toBeGreaterThan(50);
  });

  test('a hunk that would change a line an earlier hunk changed: rejected as a conflict, as GNU patch rejects it', async () => {
    const tree = 'a\nb\nc\nd\ne\n';
    const overlapping = '--- a/f.c\n+++ b/f.c\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n@@ -2,2 +2,2 @@\n-b\n+X\n c\n';
    const fp = (await readPatchInput('d', Buffer.from(overlapping))).patches[0]!.files[0]!;
    const ours = applyHunks(tree, fp);
    const gnu = gnuPatch(tree, overlapping);
    expect(gnu.failed).toEqual([2]);
    expect(ours.hunks[1]).toEqual({ hunk: 2, header: '@@ -2,2 +2,2 @@', applied: false, reason: 'conflicts with an earlier hunk', conflictsWith: 1 });
    expect(ours.text).toBe(gnu.result);
  });
});

describe('mnlint patch over a tree where part of the series does not apply', () => {
  const FILE = 'drivers/gpu/drm/pt/pt_mn.c';
  // a driver of our own: a helper, the invalidate callback, its table
  const DRIVER = `// SPDX-License-Identifier: GPL-2.0
/* mnlint test driver: part of a series that applies in part */
#include <linux/mmu_notifier.h>
#include <linux/slab.h>

struct pt_bo {
	struct mmu_interval_notifier notifier;
	struct mutex lock;
	unsigned long seq, hits, misses;
	void *scratch;
};

static void pt_count(struct pt_bo *bo)
{
	bo->hits++;
	bo->misses++;
	bo->seq++;
}

static void pt_note(struct pt_bo *bo)
{
	bo->hits = 0;
	bo->misses = 0;
	bo->seq = 0;
}

static bool pt_invalidate(struct mmu_interval_notifier *mni,
			  const struct mmu_notifier_range *range,
			  unsigned long cur_seq)
{
	struct pt_bo *bo = container_of(mni, struct pt_bo, notifier);

	mmu_interval_set_seq(mni, cur_seq);
	pt_count(bo);
	return true;
}

static const struct mmu_interval_notifier_ops pt_ops = {
	.invalidate = pt_invalidate,
};
`;
  let repo = '';
  let tree = '';
  let mbox = '';
  let patches: string[] = [];
  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'mnlint-partial-series-'));
    gitIn(repo, 'init', '-q');
    mkdirSync(join(repo, dirname(FILE)), { recursive: true });
    writeFileSync(join(repo, FILE), DRIVER);
    gitIn(repo, 'add', '-A');
    gitIn(repo, 'commit', '-qm', 'drm/pt: initial');
    const edit = (pairs: Array<[string, string]>, msg: string): void => {
      let t = readFileSync(join(repo, FILE), 'utf8');
      for (const [from, to] of pairs) {
        if (!t.includes(from)) throw new Error(from);
        t = t.replace(from, to);
      }
      writeFileSync(join(repo, FILE), t);
      gitIn(repo, 'commit', '-qam', `${msg}\n\nSigned-off-by: Ann Dev <ann@example.org>`);
    };
    // patch 1: two hunks; the first sleeps in the helper, the second allocates in the callback
    edit(
      [
        ['\tbo->hits++;\n', '\tbo->hits++;\n\tmutex_lock(&bo->lock);\n'],
        ['\tmmu_interval_set_seq(mni, cur_seq);\n', '\tmmu_interval_set_seq(mni, cur_seq);\n\tbo->scratch = kmalloc(64, GFP_KERNEL);\n'],
        ['\t.invalidate = pt_invalidate,\n', '\t.invalidate = pt_invalidate,\t/* single pass */\n'],
      ],
      'drm/pt: count under the lock, keep a scratch buffer',
    );
    // patch 2: over patch 1: one hunk on what its second hunk added, one on what its first added
    edit(
      [
        ['\tbo->scratch = kmalloc(64, GFP_KERNEL);\n', '\tbo->scratch = kmalloc(64, GFP_NOWAIT);\n'],
        ['\tmutex_lock(&bo->lock);\n\tbo->misses++;\n', '\tmutex_lock(&bo->lock);\n\tbo->misses += 2;\n'],
      ],
      'drm/pt: do not sleep for the scratch buffer',
    );
    const out = join(repo, 'out');
    gitIn(repo, 'format-patch', '-q', '-2', '--cover-letter', '-o', out, 'HEAD');
    const files = readdirSync(out)
      .sort()
      .map((f) => readFileSync(join(out, f), 'utf8'));
    patches = files.slice(1);
    mbox = files.join('\n');
    writeFileSync(join(repo, 'series.mbox'), mbox);
    // the tree the series is reviewed against: the helper's lines changed since, one line more on top
    tree = mkdtempSync(join(tmpdir(), 'mnlint-partial-tree-'));
    mkdirSync(join(tree, dirname(FILE)), { recursive: true });
    writeFileSync(join(tree, FILE), `/* a line the series does not know */\n${DRIVER.replace('\tbo->misses++;\n', '\tbo->misses += bo->hits;\n')}`);
  });

  test('each rejected hunk named, the rest reviewed, the later patch over what applied; as GNU patch applies it', async () => {
    const series = await readPatchInput(join(repo, 'series.mbox'), Buffer.from(mbox));
    const reviews = await reviewSeries(series, { tree, filter: 'new', api: apiById('6.12')!, jobs: 1 });
    expect(reviews.map((r) => [r.partial, r.problems, r.rejected.map((x) => `${x.hunk}/${x.total} ${x.header} ${x.reason}`)])).toEqual([
      [true, [], ['1/2 @@ -13,6 +13,7 @@ context not found']],
      [true, [], ['1/2 @@ -14,7 +14,7 @@ context not found']],
    ]);
    // patch 1: the allocation its second hunk adds; nothing on the lines of the first
    expect(reviews[0]!.findings.map((f) => `${f.severity} ${f.rule} ${f.line}`)).toEqual(['error sleeping-gfp-in-first-pass 35']);
    expect(reviews[1]!.findings).toEqual([]);
    expect(reviews[1]!.fixed.map((f) => f.rule)).toEqual(['sleeping-gfp-in-first-pass']);
    // GNU patch, one patch after the other on the same tree: the same hunks rejected, the same text
    let text = readFileSync(join(tree, FILE), 'utf8');
    for (const [i, mail] of patches.entries()) {
      const diff = mail.slice(mail.indexOf('diff --git'));
      const gnu = gnuPatch(text, diff);
      expect(gnu.failed).toEqual(reviews[i]!.rejected.map((x) => x.hunk));
      expect(reviews[i]!.postImage.get(FILE)).toBe(gnu.result);
      text = gnu.result;
    }
  });

  test('partial in every format: text, JSON, SARIF, the email reply; the hunks named on stderr', () => {
    const mboxPath = join(repo, 'series.mbox');
    const json = runCli(['patch', '--tree', tree, '--format', 'json', mboxPath]);
    expect(withoutNewestNote(json.stderr).split('\n').filter(Boolean)).toEqual([
      'mnlint: [PATCH 1/2] drm/pt: count under the lock, keep a scratch buffer: hunk 1/2 (@@ -13,6 +13,7 @@) of drivers/gpu/drm/pt/pt_mn.c: context not found; the rest reviewed',
      'mnlint: [PATCH 2/2] drm/pt: do not sleep for the scratch buffer: hunk 1/2 (@@ -14,7 +14,7 @@) of drivers/gpu/drm/pt/pt_mn.c: context not found; the rest reviewed',
    ]);
    expect(json.code).toBe(1);
    const report = PatchReportSchema.parse(JSON.parse(json.stdout));
    expect(report.partial).toBe(true);
    const [p1, p2] = report.series[0]!.patches;
    expect(p1!.partial).toBe(true);
    expect(p1!.rejected).toEqual([{ file: FILE, hunk: 1, total: 2, header: '@@ -13,6 +13,7 @@', reason: 'context not found' }]);
    expect(p1!.findings.map((f) => [f.rule, f.line])).toEqual([['sleeping-gfp-in-first-pass', 35]]);
    expect(p2!.rejected.map((x) => x.hunk)).toEqual([1]);

    const text = runCli(['patch', '--tree', tree, mboxPath]).stdout;
    expect(text).toContain(
      `--- [PATCH 1/2] drm/pt: count under the lock, keep a scratch buffer (partial review: 1 hunk did not apply and was not reviewed)\nREJECTED: hunk 1/2 (@@ -13,6 +13,7 @@) of ${FILE}: context not found\n`,
    );

    const sarif = JSON.parse(runCli(['patch', '--tree', tree, '--format', 'sarif', mboxPath]).stdout) as {
      runs: Array<{
        properties?: { partial?: boolean };
        invocations?: Array<{
          executionSuccessful: boolean;
          toolExecutionNotifications: Array<{ message: { text: string }; locations?: Array<{ physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }> }>;
        }>;
      }>;
    };
    expect(validSarif(sarif), JSON.stringify(validSarif.errors?.slice(0, 3))).toBe(true);
    const run = sarif.runs[0]!;
    expect(run.properties?.partial).toBe(true);
    const notes = run.invocations![0]!.toolExecutionNotifications;
    expect(notes.map((n) => n.message.text)).toEqual([
      `[PATCH 1/2] drm/pt: count under the lock, keep a scratch buffer: hunk 1/2 (@@ -13,6 +13,7 @@) of ${FILE}: context not found (not reviewed)`,
      `[PATCH 2/2] drm/pt: do not sleep for the scratch buffer: hunk 1/2 (@@ -14,7 +14,7 @@) of ${FILE}: context not found (not reviewed)`,
    ]);
    expect(notes[0]!.locations![0]!.physicalLocation.region!.startLine).toBe(13);

    const email = runCli(['patch', '--tree', tree, '--format', 'email', mboxPath]).stdout;
    const body = email.slice(email.indexOf('\n\n') + 2);
    expect(body.split('\n').slice(0, 3)).toEqual(['This review is partial: 1 of 2 hunks did not apply and were not reviewed:', `  hunk 1/2 (@@ -13,6 +13,7 @@) of ${FILE}: context not found`, '']);
  });

  test('the whole patch rejected: nothing reviewed, each hunk named as a problem', () => {
    const stale = mkdtempSync(join(tmpdir(), 'mnlint-partial-stale-'));
    cpSync(tree, stale, { recursive: true });
    writeFileSync(join(stale, FILE), readFileSync(join(tree, FILE), 'utf8').replaceAll('\t', '    '));
    const r = runCli(['patch', '--tree', stale, '--format', 'json', join(repo, 'series.mbox')]);
    expect(r.code).toBe(2);
    const [p1] = PatchReportSchema.parse(JSON.parse(r.stdout)).series[0]!.patches;
    expect(p1!.problems).toHaveLength(2);
    expect(p1!.problems[0]).toBe(`[PATCH 1/2] drm/pt: count under the lock, keep a scratch buffer: hunk 1 (@@ -13,6 +13,7 @@) of ${FILE} does not apply to ${stale}: context not found`);
  });

  test('a hunk the tree already holds: named as such, the other hunk reviewed', async () => {
    const holds = mkdtempSync(join(tmpdir(), 'mnlint-partial-holds-'));
    mkdirSync(join(holds, dirname(FILE)), { recursive: true });
    const held = DRIVER.replace('\tmmu_interval_set_seq(mni, cur_seq);\n', '\tmmu_interval_set_seq(mni, cur_seq);\n\tbo->scratch = kmalloc(64, GFP_KERNEL);\n');
    writeFileSync(join(holds, FILE), held.replace('\t.invalidate = pt_invalidate,\n', '\t.invalidate = pt_invalidate,\t/* single pass */\n'));
    const series = await readPatchInput(join(repo, 'series.mbox'), Buffer.from(mbox));
    const [p1] = await reviewSeries({ ...series, patches: series.patches.slice(0, 1) }, { tree: holds, filter: 'new', api: apiById('6.12')!, jobs: 1 });
    expect(p1!.rejected.map((x) => `${x.hunk} ${x.reason}`)).toEqual(['2 already in the tree']);
    // the hunk that applied adds the sleep in the helper the callback calls
    expect(p1!.findings.map((f) => `${f.severity} ${f.rule}`)).toContain('error sleep-in-non-blockable-range');
    expect(p1!.findings.filter((f) => f.rule === 'sleeping-gfp-in-first-pass')).toEqual([]);
    expect(gnuPatch(readFileSync(join(holds, FILE), 'utf8'), patches[0]!.slice(patches[0]!.indexOf('diff --git'))).failed).toEqual([2]);
  });

  test('two patches written against the same base: the second conflicts with the first', async () => {
    const one = gitDiff(FILE, DRIVER, DRIVER.replace('\tpt_count(bo);\n', '\tpt_count(bo);\n\tpt_note(bo);\n'));
    const two = gitDiff(FILE, DRIVER, DRIVER.replace('\tpt_count(bo);\n\treturn true;\n', '\tpt_count(bo);\n\tbo->seq = cur_seq;\n\treturn true;\n'));
    const plain = mkdtempSync(join(tmpdir(), 'mnlint-partial-plain-'));
    mkdirSync(join(plain, dirname(FILE)), { recursive: true });
    writeFileSync(join(plain, FILE), DRIVER);
    const mail = (n: number, diff: string) => `From: Ann Dev <ann@example.org>\nSubject: [PATCH ${n}/2] drm/pt: step ${n}\nMessage-Id: <step${n}@example.org>\n\nStep ${n}.\n---\n${diff}`;
    const series = await readPatchInput('two.mbox', Buffer.from(`From x Thu Jan  1 00:00:00 1970\n${mail(1, one)}\nFrom x Thu Jan  1 00:00:00 1970\n${mail(2, two)}`));
    const reviews = await reviewSeries(series, { tree: plain, filter: 'new', api: apiById('6.12')!, jobs: 1 });
    expect(reviews[0]!.rejected).toEqual([]);
    // the whole of patch 2 is rejected: a problem, with why
    expect(reviews[1]!.problems).toEqual([`[PATCH 2/2] drm/pt: step 2: hunk 1 (@@ -32,6 +32,7 @@) of ${FILE} does not apply to ${plain}: conflicts with an earlier patch of the series`]);
  });
});

describe('without a tree: a function split across hunks is seen in part', () => {
  const FILE = 'drivers/gpu/drm/tp/tp_mn.c';
  const DIR = 'fixtures/patches/split-function';
  const before = readFileSync(join(DIR, 'before.c'), 'utf8');
  const after = readFileSync(join(DIR, 'after.c'), 'utf8');
  const treeOf = (text: string): string => {
    const t = mkdtempSync(join(tmpdir(), 'mnlint-split-'));
    mkdirSync(join(t, dirname(FILE)), { recursive: true });
    writeFileSync(join(t, FILE), text);
    return t;
  };
  const review = (diff: string, ...args: string[]) => {
    const r = runCli(['patch', '--api', '7.1', '--format', 'json', ...args, '-'], { input: diff });
    return PatchReportSchema.parse(JSON.parse(r.stdout)).series[0]!.patches[0]!;
  };

  test('a correct two-pass conversion, its blockable test between two hunks: a warning naming the lines seen, no error', () => {
    const diff = gitDiff(FILE, before, after);
    // the test sits in the gap: neither hunk shows it
    expect(diff.match(/^@@/gm)).toHaveLength(2);
    expect(diff).not.toContain('mmu_notifier_range_blockable');
    const p = review(diff);
    expect(p.partial).toBe(true);
    expect(p.findings.map((f) => [f.severity, f.rule])).toEqual([['warning', 'sleep-in-non-blockable-range']]);
    expect(p.findings[0]!.message).toContain('(seen in part, no --tree: only lines 19-28, 32-44 of tp_invalidate_start() are in the patch)');
    // with the tree the function is whole, and correct
    expect(review(diff, '--tree', treeOf(before)).findings).toEqual([]);
  });

  test('the same function shown whole (more context): judged as it is, an error when it is wrong', () => {
    const wrong = after.replace('\tif (!mmu_notifier_range_blockable(range))\n\t\treturn false;\n', '');
    expect(wrong).not.toBe(after);
    expect(review(gitDiff(FILE, before, after, '-U40')).findings).toEqual([]);
    const whole = review(gitDiff(FILE, before, wrong, '-U40'));
    expect(whole.findings.map((f) => [f.severity, f.rule])).toEqual([['error', 'sleep-in-non-blockable-range']]);
    expect(whole.findings[0]!.message).not.toContain('seen in part');
  });
});
