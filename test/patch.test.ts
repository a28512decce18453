// Patch review: inputs (diff, format-patch mail, mbox series with a cover
// letter, a reply and a quoted-printable patch), application to a tree, and the
// filtering of findings to what each patch changes.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeEach, describe, expect, test } from 'vitest';
import { applyFilePatch, changedLines, hunksOnly } from '../src/input/apply.js';
import { parseSubjectTag, readPatchInput, splitBody } from '../src/input/patch.js';
import { PatchReportSchema } from '../src/report/patch.js';
import { runCli, withoutNewestNote } from './helpers.js';
import { kernelDir } from './kernel-trees.js';
import { needKernel, skipUnless } from './needs.js';

const MBOX = 'fixtures/patches/drv-v2.mbox';
const TREE = 'fixtures/trees/drv';
const FILE = 'drivers/gpu/drm/drv/drv_mn.c';

describe('patch inputs', () => {
  test('subject tags', () => {
    expect(parseSubjectTag('[PATCH v2 3/4] mm/mmu_notifier: Allow two-pass')).toEqual({ version: 2, index: 3, total: 4, rest: 'mm/mmu_notifier: Allow two-pass' });
    expect(parseSubjectTag('[RFC PATCH 0/2] cover')).toMatchObject({ version: 1, index: 0, total: 2 });
    expect(parseSubjectTag('plain subject')).toBeNull();
  });

  test('an mbox series: ordered by M/T, the cover letter kept apart, the reply dropped, QP decoded', async () => {
    const s = await readPatchInput(MBOX, readFileSync(MBOX));
    expect(s.version).toBe(2);
    expect(s.cover?.subject).toBe('drm/drv: notifier fixes');
    expect(s.patches.map((p) => [p.index, p.total, p.subject])).toEqual([
      [1, 2, 'drm/drv: bail out of non-blockable invalidations'],
      [2, 2, 'drm/drv: flush the GPU caches on invalidation'],
    ]);
    expect(s.dropped).toEqual(['Re: [PATCH v2 1/2] drm/drv: bail out of non-blockable invalidations (reply)']);
    // the quoted-printable, CRLF patch decodes to the same diff as a plain one
    const p2 = s.patches[1]!;
    expect(p2.files[0]!.hunks[0]!.lines).toContain('+\tdrv_bo_flush(bo, kmalloc(64, GFP_KERNEL));');
    expect(p2.trailers).toEqual([{ key: 'Signed-off-by', value: 'Ann Dev <ann@example.org>' }]);
    expect(s.patches[0]!.from).toBe('Ann Dev <ann@example.org>');
  });

  test('the body of a format-patch mail: message, trailers, diff without the signature', () => {
    const body = 'Fix it.\n\nSigned-off-by: A <a@x>\nReviewed-by: B <b@x>\n---\n f.c | 1 +\n\ndiff --git a/f.c b/f.c\n--- a/f.c\n+++ b/f.c\n@@ -1 +1,2 @@\n x\n+y\n-- \n2.39.5\n';
    const { message, trailers, diff } = splitBody(body);
    expect(message).toBe('Fix it.\n\nSigned-off-by: A <a@x>\nReviewed-by: B <b@x>');
    expect(trailers.map((t) => t.key)).toEqual(['Signed-off-by', 'Reviewed-by']);
    expect(diff.endsWith('+y\n')).toBe(true);
  });
});

describe('applying', () => {
  test('hunk by hunk, naming the one that does not apply', async () => {
    const good = (await readPatchInput('d', readFileSync('fixtures/patches/drv-1.diff'))).patches[0]!.files[0]!;
    const stale = (await readPatchInput('d', readFileSync('fixtures/patches/drv-stale.diff'))).patches[0]!.files[0]!;
    const text = readFileSync(`${TREE}/${FILE}`, 'utf8');
    const ok = applyFilePatch(text, good);
    expect(ok.ok && ok.text.includes('\t\treturn -EAGAIN;')).toBe(true);
    expect(applyFilePatch(text, stale)).toEqual({ ok: false, hunk: 1, header: '@@ -19,6 +19,8 @@' });
    expect([...changedLines(good).added]).toEqual([22, 23]);
    expect(hunksOnly(good).split('\n')[21]).toBe('\tif (!mmu_notifier_range_blockable(range))');
  });
});

describe('mnlint patch', () => {
  test('a series against its tree: each finding on the line its patch added', () => {
    const r = runCli(['patch', '--tree', TREE, '--format', 'json', MBOX]);
    expect(r.code).toBe(1);
    const report = PatchReportSchema.parse(JSON.parse(r.stdout));
    expect(report.partial).toBe(false);
    const [p1, p2] = report.series[0]!.patches;
    // the I2 finding sits on .invalidate_range_end; the patch added the return -EAGAIN
    expect(p1!.findings.map((f) => [f.rule, f.file, f.line])).toEqual([['range-end-with-failing-start', FILE, 23]]);
    expect(p1!.findings[0]!.trace[0]).toBe(`${FILE}:56: where the finding is`);
    expect(p2!.findings.map((f) => [f.rule, f.line, f.severity])).toEqual([['sleeping-gfp-in-first-pass', 51, 'error']]);
  });

  test('text: one block per patch, the post-image line quoted', () => {
    const r = runCli(['patch', '--tree', TREE, '--rule', 'sleeping-gfp-in-first-pass', MBOX]);
    expect(r.stdout).toContain('--- [PATCH v2 1/2] drm/drv: bail out of non-blockable invalidations\n--- [PATCH v2 2/2]');
    // checkpatch's block: #N (the line in the mbox), FILE: path:line:, the quoted line
    expect(r.stdout).toContain(`ERROR:sleeping-gfp-in-first-pass: kmalloc(..., GFP_KERNEL) may sleep`);
    expect(r.stdout).toContain(`#77: FILE: ${FILE}:51:\n+\tdrv_bo_flush(bo, kmalloc(64, GFP_KERNEL));\n`);
    expect(r.stdout).toMatch(/^total: 1 errors, 0 warnings, \d+ lines checked$/m);
  });

  test('filters: file keeps findings elsewhere in touched files, nofilter everything', () => {
    const file = PatchReportSchema.parse(JSON.parse(runCli(['patch', '--tree', TREE, '--format', 'json', '--filter', 'file', 'fixtures/patches/drv-1.diff']).stdout));
    expect(file.series[0]!.patches[0]!.findings.map((f) => f.line)).toEqual([56]);
  });

  test('a patch that does not apply: named with its hunk, the other inputs reviewed (exit by their findings)', () => {
    const r = runCli(['patch', '--tree', TREE, '--format', 'terse', 'fixtures/patches/drv-stale.diff', 'fixtures/patches/drv-v2-1.patch']);
    expect(r.code).toBe(1);
    expect(runCli(['patch', '--tree', TREE, 'fixtures/patches/drv-stale.diff']).code).toBe(2);
    expect(r.stderr.trim()).toBe(`mnlint: fixtures/patches/drv-stale.diff: hunk 1 (@@ -19,6 +19,8 @@) of ${FILE} does not apply to ${TREE}: context not found`);
    // checkpatch's --terse: the patch file and its line
    // one total per input, as checkpatch prints for each file; the stale one reviewed nothing
    expect(r.stdout).toBe(
      `total: 0 errors, 0 warnings, 13 lines checked\nfixtures/patches/drv-v2-1.patch:25: ERROR:range-end-with-failing-start: drv_mm_ops sets .invalidate_range_end but drv_mm_start() can fail (returns -EAGAIN at ${FILE}:23): the core will call end for a start that failed\ntotal: 1 errors, 0 warnings, 31 lines checked\n`,
    );
  });

  test('without a tree the review is partial and says so', () => {
    const r = runCli(['patch', '--format', 'json', MBOX]);
    expect(r.code).toBe(0);
    expect(withoutNewestNote(r.stderr)).toBe(`mnlint: note: ${MBOX}: no --tree, the review is partial (only functions wholly inside the hunks)\n`);
    expect(PatchReportSchema.parse(JSON.parse(r.stdout)).partial).toBe(true);
  });

  test('standard input, and input that is no patch', () => {
    const diff = readFileSync('fixtures/patches/drv-1.diff', 'utf8');
    expect(runCli(['patch', '--tree', TREE, '--format', 'terse', '-'], { input: diff }).code).toBe(1);
    const bad = runCli(['patch', '-'], { input: 'hello\n' });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('mnlint: <stdin>: no unified diff in it');
  });
});

describe('--format email', () => {
  test('one reply per patch with findings, threaded, quoting down to the commented line', () => {
    const r = runCli(['patch', '--tree', TREE, '--format', 'email', MBOX]);
    expect(r.code).toBe(1);
    const mails = r.stdout.split(/^From mnlint Thu Jan {2}1 00:00:00 1970\n/m).filter(Boolean);
    expect(mails).toHaveLength(2);
    const [head, body] = [mails[1]!.split('\n\n')[0]!, mails[1]!.slice(mails[1]!.indexOf('\n\n') + 2)];
    expect(head.split('\n').filter((l) => /^(To|Subject|In-Reply-To|References|Date):/.test(l))).toEqual([
      'To: Ann Dev <ann@example.org>',
      'Subject: Re: [PATCH v2 2/2] drm/drv: flush the GPU caches on invalidation',
      'Date: Sun, 22 Nov 2026 00:50:20 +0000',
      'In-Reply-To: <641a9053f69fff1552d66bff712442711af4c49b.1795308620.git.maintainers@example.org>',
      // the patch's own References (the cover letter), then the patch
      'References: <cover.1795308620.git.maintainers@example.org> <641a9053f69fff1552d66bff712442711af4c49b.1795308620.git.maintainers@example.org>',
    ]);
    expect(body.split('\n').slice(0, 9)).toEqual([
      'On Sun, 22 Nov 2026 00:50:20 +0000, Ann Dev wrote:',
      `> diff --git a/${FILE} b/${FILE}`,
      '> [ ... ]',
      // git's function context stays on the hunk header (this patch came quoted-printable)
      '> @@ -48,6 +48,7 @@ static bool drv_bo_invalidate(struct mmu_interval_notifier *mni,',
      '>  \t\treturn false;',
      '>  \tmmu_interval_set_seq(mni, cur_seq);',
      '>  \tmutex_unlock(&bo->lock);',
      '> +\tdrv_bo_flush(bo, kmalloc(64, GFP_KERNEL));',
      '',
    ]);
    expect(body).toContain('ERROR: kmalloc(..., GFP_KERNEL) may sleep in direct reclaim');
    expect(body).toContain(
      `-- \nmnlint 0.1.0, a static checker for mmu_notifier users: \`mnlint explain RULE\` says why.\nReproduce with: b4 am -o - -v 2 641a9053f69fff1552d66bff712442711af4c49b.1795308620.git.maintainers@example.org | mnlint patch --tree LINUX -\n`,
    );
  });

  test('same input, same bytes; --output-dir writes one file per reply', async () => {
    const a = runCli(['patch', '--tree', TREE, '--format', 'email', MBOX]).stdout;
    expect(runCli(['patch', '--tree', TREE, '--format', 'email', MBOX]).stdout).toBe(a);
    const { mkdtempSync, readdirSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/mnlint-mail-`);
    const r = runCli(['patch', '--tree', TREE, '--format', 'email', '--output-dir', dir, MBOX]);
    expect(r.stdout).toBe('');
    // the patch's Message-ID in the name: two versions of one patch never share a file
    expect(
      readdirSync(dir)
        .sort()
        .map((n) => n.replace(/-[0-9a-f]{12}\.eml$/, '-ID.eml')),
    ).toEqual(['0001-re-drm-drv-bail-out-of-non-blockable-invalidations-ID.eml', '0002-re-drm-drv-flush-the-gpu-caches-on-invalidation-ID.eml']);
    // a second run writes nothing new; a different text under a taken name gets a suffix
    runCli(['patch', '--tree', TREE, '--format', 'email', '--output-dir', dir, MBOX]);
    expect(readdirSync(dir)).toHaveLength(2);
    const { writeReply } = await import('../src/app/watch.js');
    const name = readdirSync(dir).sort()[0]!;
    expect(writeReply(dir, { name, text: 'another reply\n' })).toBe(`${dir}/${name.replace(/\.eml$/, '-2.eml')}`);
    expect(readdirSync(dir)).toHaveLength(3);
  });
});

describe('filters', () => {
  test('diff_context keeps findings inside the hunks, added only on added lines', async () => {
    const { reviewSeries, filterToPatch } = await import('../src/engine/review.js');
    const { apiById } = await import('../src/model/api.js');
    const s = await readPatchInput('d', readFileSync('fixtures/patches/drv-1.diff'));
    const [r] = await reviewSeries(s, { tree: TREE, filter: 'nofilter', api: apiById('6.12')!, jobs: 1 });
    const all = r!.findings;
    const at = (line: number) => ({ ...all[0]!, line, steps: [] });
    // line 20 is hunk context (@@ -19,6 +19,8 @@), 23 is added, 56 is outside
    expect(filterToPatch([at(20), at(23), at(56)], s.patches[0]!, 'diff_context').map((f) => f.line)).toEqual([20, 23]);
    expect(filterToPatch([at(20), at(23), at(56)], s.patches[0]!, 'added').map((f) => f.line)).toEqual([23]);
    expect(filterToPatch([at(20), at(23), at(56)], s.patches[0]!, 'file').map((f) => f.line)).toEqual([20, 23, 56]);
  });
});

describe('bad patch input: one clear line, the other inputs still reviewed', () => {
  const good = 'fixtures/patches/drv-1.diff';
  // an input that cannot be read makes the review incomplete (exit 2); a patch the tree lacks a file for is reviewed as far as it goes
  const cases: Array<[string, string | Buffer, RegExp, number]> = [
    ['truncated.mbox', readFileSync(MBOX).subarray(0, 1500), /^mnlint: \S+truncated\.mbox: no patch in it \(only a cover letter, 1 reply\)$/, 2],
    ['nodiff.eml', 'From: a@b\nSubject: [PATCH] just talk\n\nNo diff here.\n', /^mnlint: \S+nodiff\.eml: no patch in it \(only 1 message without a diff\)$/, 2],
    ['binary.diff', 'diff --git a/fw.bin b/fw.bin\nindex 1234567..89abcde 100644\nGIT binary patch\nliteral 4\nLcmZ?l\n\n', /^mnlint: \S+binary\.diff: a binary diff only, nothing mnlint can review$/, 2],
    ['missing.diff', readFileSync(good, 'utf8').replaceAll('drv_mn.c', 'missing.c'), /^mnlint: \S+missing\.diff: drivers\/gpu\/drm\/drv\/missing\.c does not exist in fixtures\/trees\/drv$/, 1],
  ];
  for (const [name, content, message, code] of cases) {
    test(name, async () => {
      const { mkdtempSync, writeFileSync } = await import('node:fs');
      const { tmpdir } = await import('node:os');
      const dir = mkdtempSync(`${tmpdir()}/mnlint-bad-patch-`);
      writeFileSync(`${dir}/${name}`, content);
      const r = runCli(['patch', '--tree', TREE, '--format', 'terse', `${dir}/${name}`, good]);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(message);
      expect(r.code).toBe(code);
      expect(r.stdout).toMatch(/^\S+drv-1\.diff:10: ERROR:range-end-with-failing-start: /m);
      // alone, nothing could be reviewed
      expect(runCli(['patch', '--tree', TREE, `${dir}/${name}`]).code).toBe(2);
    });
  }
});

describe('one bad message does not sink its neighbours', () => {
  test('an mbox with one corrupt patch: it is named with its subject, the others are reviewed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnlint-mbox-'));
    const mbox = readFileSync(MBOX, 'utf8');
    // break the hunk header of 2/2 only
    const at = mbox.indexOf('@@ -48,6');
    expect(at).toBeGreaterThan(0);
    writeFileSync(join(dir, 'bad.mbox'), `${mbox.slice(0, at)}@@ -48x,6${mbox.slice(at + 8)}`);
    const r = runCli(['patch', '--tree', TREE, '--terse', join(dir, 'bad.mbox')]);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toContain('"[PATCH v2 2/2] drm/drv: flush the GPU caches on invalidation": not a unified diff');
    expect(r.stdout).toMatch(/bad\.mbox:110: ERROR:range-end-with-failing-start: /);
    // the review is incomplete: exit 2, the findings printed
    expect(r.code).toBe(2);
  });

  test("a patch body ending in the `-- ` signature (and b4's base-commit:) is read; a hunk without file headers is named", () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnlint-sig-'));
    const body = readFileSync('fixtures/patches/drv-1.diff', 'utf8');
    writeFileSync(
      join(dir, 'sig.patch'),
      `drm/drv: bail out\n\nSigned-off-by: Ann Dev <ann@example.org>\n---\n${body}\nbase-commit: 0123456789abcdef0123456789abcdef01234567\nchange-id: 20261201-drv-1\n\n-- \n2.49.0\n\n`,
    );
    const sig = runCli(['patch', '--tree', TREE, '--terse', join(dir, 'sig.patch')]);
    expect(sig.stderr).toBe('');
    expect(sig.stdout).toMatch(/sig\.patch:\d+: ERROR:range-end-with-failing-start: /);
    writeFileSync(join(dir, 'nohdr.diff'), '@@ -1,3 +1,3 @@\n int foo(void)\n {\n-\treturn 0;\n+\treturn 1;\n');
    // an archive that strips trailing blanks leaves the signature as `--` (A4 of the traffic bench)
    writeFileSync(join(dir, 'stripped.patch'), `drm/drv: bail out\n\nSigned-off-by: Ann Dev <ann@example.org>\n---\n${body}--\n2.26.2\n\n`);
    const stripped = runCli(['patch', '--tree', TREE, '--terse', join(dir, 'stripped.patch')]);
    expect(stripped.stderr).toBe('');
    expect(stripped.stdout).toMatch(/stripped\.patch:\d+: ERROR:range-end-with-failing-start: /);
    const bare = runCli(['patch', '--tree', TREE, join(dir, 'nohdr.diff')]);
    expect([bare.code, bare.stderr]).toEqual([2, `mnlint: ${join(dir, 'nohdr.diff')}: a hunk without file headers (--- a/FILE and +++ b/FILE lines before its @@)\n`]);
  });
});

describe('property: no exception escapes the patch parsers', () => {
  test('random bytes, mutated mboxes and diffs: one line naming the input, or patches every later step takes', async () => {
    const fc = (await import('fast-check')).default;
    const { PatchInputError, inputLineOf } = await import('../src/input/patch.js');
    const { changePoints, hunkOffsets, reverseFilePatch } = await import('../src/input/apply.js');
    const seedsIn = [readFileSync(MBOX), readFileSync('fixtures/patches/drv-1.diff'), readFileSync('fixtures/patches/drv-v2-1.patch')];
    const mutated = fc.tuple(fc.constantFrom(...seedsIn), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }), fc.nat()).map(([buf, flips, cut]) => {
      const b = Buffer.from(buf);
      for (const [at, v] of flips) b[at % b.length] = v;
      return b.subarray(0, b.length - (cut % Math.max(1, b.length >> 2)));
    });
    // lines of the seeds shuffled and dropped: hunks without headers, signatures, stray @@
    const spliced = fc.tuple(fc.constantFrom(...seedsIn), fc.array(fc.nat(), { maxLength: 8 })).map(([buf, drops]) => {
      const lines = buf.toString('utf8').split('\n');
      for (const d of drops) lines.splice(d % lines.length, 1);
      return Buffer.from(lines.join('\n'));
    });
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a)),
      mutated,
      spliced,
    );
    const tree = readFileSync(`${TREE}/${FILE}`, 'utf8');
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(input, async (bytes) => {
        cases++;
        try {
          const s = await readPatchInput('fuzz', bytes);
          for (const p of s.patches) {
            for (const f of p.files) {
              const r = applyFilePatch(tree, f);
              if (r.ok) hunkOffsets(r.text, f);
              applyFilePatch(tree, reverseFilePatch(f));
              changePoints(f);
              hunksOnly(f, 'pre');
              for (const h of f.hunks) inputLineOf(f, h.newStart);
            }
          }
          for (const problem of s.problems ?? []) expect(problem).not.toContain('\n');
        } catch (e) {
          if (!(e instanceof PatchInputError)) throw e;
          // what the CLI prints: one line
          expect(e.message).not.toContain('\n');
        }
      }),
      { numRuns: 10_000, seed: 20261122 },
    );
    console.log(`patch parser property: ${cases} cases`);
    expect(cases).toBeGreaterThanOrEqual(10_000);
  }, 120_000);
});

/** A git diff of one file's edit, as `git diff` writes it (a/ and b/ prefixes). */
function diffOf(path: string, before: string, after: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mnlint-diff-'));
  for (const [side, text] of [
    ['a', before],
    ['b', after],
  ] as const) {
    mkdirSync(join(dir, side, dirname(path)), { recursive: true });
    writeFileSync(join(dir, side, path), text);
  }
  const r = spawnSync('git', ['diff', '--no-index', '--no-color', '--no-prefix', `a/${path}`, `b/${path}`], { cwd: dir, encoding: 'utf8' });
  return r.stdout;
}

describe('the new filter (the default): what the patch changes, wherever it sits', () => {
  beforeEach((ctx) => skipUnless(ctx, needKernel('6.12')));
  const K = kernelDir('6.12');
  const XE = 'drivers/gpu/drm/xe/xe_vm.c';
  const CORE = 'mm/mmu_notifier.c';
  const SET_SEQ = '\tdown_write(&vm->userptr.notifier_lock);\n\tmmu_interval_set_seq(mni, cur_seq);\n';
  const END_LOOP = /\tif \(ret\) \{\n\t\t\/\*\n\t\t \* Must be non-blocking[\s\S]*?\n\t\}\n(\tsrcu_read_unlock\(&srcu, id\);\n\n\treturn ret;\n\}\n\nint __mmu_notifier_invalidate_range_start)/;

  test('a patch deleting mmu_interval_set_seq: reported on the line after the deletion; `added` sees nothing', () => {
    const src = readFileSync(join(K, XE), 'utf8');
    const diff = diffOf(XE, src, src.replace(SET_SEQ, '\tdown_write(&vm->userptr.notifier_lock);\n'));
    const r = runCli(['patch', '--tree', K, '--format', 'json', '-'], { input: diff });
    const [p] = PatchReportSchema.parse(JSON.parse(r.stdout)).series[0]!.patches;
    expect(p!.findings.map((f) => `${f.rule} ${f.file}:${f.line}`)).toEqual([`invalidate-without-set-seq ${XE}:688`]);
    expect(p!.findings[0]!.trace[0]).toMatch(new RegExp(`^${XE}:\\d+: where the finding is$`));
    expect(p!.fixed).toEqual([]);
    const added = PatchReportSchema.parse(JSON.parse(runCli(['patch', '--tree', K, '--format', 'json', '--filter', 'added', '-'], { input: diff }).stdout));
    expect(added.series[0]!.patches[0]!.findings).toEqual([]);
  });

  test('a revert of c2655835fd8c in the core: an I1 error on the hunk, at the base level', () => {
    const src = readFileSync(join(K, CORE), 'utf8');
    expect(END_LOOP.test(src)).toBe(true);
    const diff = diffOf(CORE, src, src.replace(END_LOOP, '$1'));
    const r = runCli(['patch', '--tree', K, '--format', 'json', '-'], { input: diff });
    const [p] = PatchReportSchema.parse(JSON.parse(r.stdout)).series[0]!.patches;
    expect(p!.findings.map((f) => `${f.severity} ${f.rule} ${f.invariant}`)).toEqual(['error core-end-after-failed-start I1']);
    expect(p!.findings[0]!.message).toContain('at API 6.12, which has c2655835fd8c');
    expect(r.code).toBe(1);
  });

  test('a patch that puts the loop back: nothing new, the error listed as fixed', () => {
    const src = readFileSync(join(K, CORE), 'utf8');
    const broken = src.replace(END_LOOP, '$1');
    const tree = mkdtempSync(join(tmpdir(), 'mnlint-tree-'));
    mkdirSync(join(tree, 'mm'));
    writeFileSync(join(tree, CORE), broken);
    const r = runCli(['patch', '--tree', tree, '--format', 'json', '-'], { input: diffOf(CORE, broken, src) });
    const [p] = PatchReportSchema.parse(JSON.parse(r.stdout)).series[0]!.patches;
    expect(p!.findings).toEqual([]);
    expect(p!.fixed.map((f) => f.rule)).toEqual(['core-end-after-failed-start']);
    expect(runCli(['patch', '--tree', tree, '-'], { input: diffOf(CORE, broken, src) }).stdout).toContain('FIXED:core-end-after-failed-start: mm/mmu_notifier.c:');
  });

  test('a clean patch stays clean, also in a driver with findings of its own', () => {
    // hfi1 has a triaged warning and two errors; a comment edit must not report them
    const file = 'drivers/infiniband/hw/hfi1/user_exp_rcv.c';
    const src = readFileSync(join(K, file), 'utf8');
    const diff = diffOf(file, src, src.replace('\t/* take action only if unmapping */\n', '\t/* act on unmaps only */\n'));
    const r = runCli(['patch', '--tree', K, '--format', 'json', '-'], { input: diff });
    expect(r.code).toBe(0);
    expect(PatchReportSchema.parse(JSON.parse(r.stdout)).series[0]!.patches[0]!.findings).toEqual([]);
    const nofilter = PatchReportSchema.parse(JSON.parse(runCli(['patch', '--tree', K, '--format', 'json', '--filter', 'nofilter', '-'], { input: diff }).stdout));
    expect(nofilter.series[0]!.patches[0]!.findings.length).toBeGreaterThan(0);
  });
});

describe('a header the patch changes: its static inline functions are reviewed', () => {
  // the shape of d2b219ed03d4 ("mm, notifier: Fix early return case for new
  // lockdep annotations"): a lockdep map around a call, an early return inside it
  const H = 'include/linux/drv_notifier.h';
  const BASE = `#ifndef _DRV_NOTIFIER_H
#define _DRV_NOTIFIER_H

extern struct lockdep_map __drv_start_map;

int __drv_start(struct drv_range *range);

static inline int drv_start_nonblock(struct drv_range *range)
{
	if (drv_has_users(range->mm)) {
		range->flags &= ~DRV_BLOCKABLE;
		return __drv_start(range);
	}
	return 0;
}

static inline void drv_untouched(struct drv_range *range)
{
	lock_map_acquire(&__drv_start_map);
	if (range->flags)
		return;
	lock_map_release(&__drv_start_map);
}

#endif
`;
  const ANNOTATED = BASE.replace('{\n\tif (drv_has_users', '{\n\tlock_map_acquire(&__drv_start_map);\n\tif (drv_has_users').replace('\t}\n\treturn 0;', '\t}\n\tlock_map_release(&__drv_start_map);\n\treturn 0;');
  const FIXED = ANNOTATED.replace('{\n\tlock_map_acquire(&__drv_start_map);\n\tif (drv_has', '{\n\tint ret = 0;\n\n\tlock_map_acquire(&__drv_start_map);\n\tif (drv_has')
    .replace('\t\treturn __drv_start(range);', '\t\tret = __drv_start(range);')
    .replace('\tlock_map_release(&__drv_start_map);\n\treturn 0;', '\tlock_map_release(&__drv_start_map);\n\treturn ret;');

  function treeWith(text: string): string {
    const tree = mkdtempSync(join(tmpdir(), 'mnlint-tree-'));
    mkdirSync(join(tree, dirname(H)), { recursive: true });
    writeFileSync(join(tree, H), text);
    return tree;
  }

  test('the early return that keeps the map: an error in the function the patch changes, not in the one it leaves', () => {
    expect(ANNOTATED).not.toBe(BASE);
    const r = runCli(['patch', '--tree', treeWith(BASE), '--format', 'json', '-'], { input: diffOf(H, BASE, ANNOTATED) });
    const [p] = PatchReportSchema.parse(JSON.parse(r.stdout)).series[0]!.patches;
    expect(p!.findings.map((f) => `${f.severity} ${f.rule} ${f.function}`)).toEqual(['error lock-held-at-return drv_start_nonblock']);
    expect(p!.findings[0]!.message).toContain('with the lockdep map __drv_start_map still acquired');
    // nothing of the header but what the patch changes: drv_untouched() has the same defect and is not walked
    const all = PatchReportSchema.parse(JSON.parse(runCli(['patch', '--tree', treeWith(BASE), '--format', 'json', '--filter', 'nofilter', '-'], { input: diffOf(H, BASE, ANNOTATED) }).stdout));
    expect(all.series[0]!.patches[0]!.findings.map((f) => f.function)).toEqual(['drv_start_nonblock']);
  });

  test('the fix over it: nothing new, the error listed as fixed', () => {
    expect(FIXED).not.toBe(ANNOTATED);
    const r = runCli(['patch', '--tree', treeWith(ANNOTATED), '--format', 'json', '-'], { input: diffOf(H, ANNOTATED, FIXED) });
    const [p] = PatchReportSchema.parse(JSON.parse(r.stdout)).series[0]!.patches;
    expect(p!.findings).toEqual([]);
    expect(p!.fixed.map((f) => `${f.rule} ${f.function}`)).toEqual(['lock-held-at-return drv_start_nonblock']);
  });
});

describe('line numbers as the patch shows them', () => {
  test('a hunk applied at an offset: the finding on the patch line, the tree line in the trace', () => {
    const tree = mkdtempSync(join(tmpdir(), 'mnlint-offset-'));
    cpSync(TREE, tree, { recursive: true });
    const path = join(tree, FILE);
    writeFileSync(path, `/* one line more than the patch knows */\n${readFileSync(path, 'utf8')}`);
    const exact = PatchReportSchema.parse(JSON.parse(runCli(['patch', '--tree', TREE, '--format', 'json', 'fixtures/patches/drv-1.diff']).stdout));
    const shifted = PatchReportSchema.parse(JSON.parse(runCli(['patch', '--tree', tree, '--format', 'json', 'fixtures/patches/drv-1.diff']).stdout));
    const [e] = exact.series[0]!.patches[0]!.findings;
    const [s] = shifted.series[0]!.patches[0]!.findings;
    expect(e!.line).toBe(23);
    expect(s!.line).toBe(23);
    expect(s!.trace[s!.trace.length - 1]).toBe(`${FILE}:24: the line in ${tree} (the hunk applies at an offset of 1)`);
    // the quoted line is the one the finding is about
    expect(runCli(['patch', '--tree', tree, 'fixtures/patches/drv-1.diff']).stdout).toContain(`#10: FILE: ${FILE}:23:\n+\t\treturn -EAGAIN;\n`);
  });
});

describe("checkpatch's conventions, next to scripts/checkpatch.pl", () => {
  const CHECKPATCH = join(kernelDir('6.12'), 'scripts/checkpatch.pl');
  test("the block, --terse, --no-summary and the total line have checkpatch's shape", (ctx) => {
    skipUnless(ctx, needKernel('6.12'));
    const input = 'fixtures/patches/drv-1.diff';
    const theirs = spawnSync('perl', [CHECKPATCH, '--no-tree', '--show-types', input], { encoding: 'utf8' }).stdout;
    const ours = runCli(['patch', '--tree', TREE, '--format', 'checkpatch', input]).stdout;
    // LEVEL:TYPE: message, then #N: FILE: path:line:, then the quoted + line
    const block = /^(ERROR|WARNING|CHECK):[A-Za-z_-]+: .+\n#\d+: FILE: \S+:\d+:\n\+/m;
    expect(theirs).toMatch(block);
    expect(ours).toMatch(block);
    // the same line count for the same input
    const total = (s: string) => /^total: \d+ errors, \d+ warnings, (\d+) lines checked$/m.exec(s)?.[1];
    expect(total(ours)).toBe(total(theirs));
    const terseTheirs = spawnSync('perl', [CHECKPATCH, '--no-tree', '--terse', '--show-types', input], { encoding: 'utf8' }).stdout.trim().split('\n');
    const terseOurs = runCli(['patch', '--tree', TREE, '--terse', '--show-types', input]).stdout.trim().split('\n');
    const line = /^fixtures\/patches\/drv-1\.diff:\d+: (ERROR|WARNING|CHECK):[A-Za-z_-]+: /;
    expect(terseTheirs[0]).toMatch(line);
    expect(terseOurs[0]).toMatch(line);
    expect(terseOurs[terseOurs.length - 1]).toBe(terseTheirs[terseTheirs.length - 1]!.replace(/^total: \d+ errors, \d+ warnings/, 'total: 1 errors, 0 warnings'));
    expect(runCli(['patch', '--tree', TREE, '--terse', '--no-summary', input]).stdout).not.toContain('total:');
  });
});
