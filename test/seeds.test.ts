// The seeds as mail: decoding a quoted-printable message with encoded headers,
// and reviewing seed 004's v2 patch (a format-patch mail and its replies)
// against Linux 6.12, which it applies to.
import { beforeEach, describe, expect, test } from 'vitest';
import { readPatchInput } from '../src/input/patch.js';
import { reviewSeries } from '../src/engine/review.js';
import { apiById } from '../src/model/api.js';
import { seed002Message, seed004Mbox } from './seeds.js';
import { kernelDir } from './kernel-trees.js';
import { needKernel, needSeeds, skipUnless } from './needs.js';

describe('seed 002 as a quoted-printable message', () => {
  beforeEach((ctx) => skipUnless(ctx, needSeeds()));

  test('headers and body decode; a reply with no diff is no patch', async () => {
    const mail = seed002Message();
    expect(mail).toContain('Content-Transfer-Encoding: quoted-printable');
    const err = await readPatchInput('seed-002.eml', Buffer.from(mail)).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(err).toBe('seed-002.eml: no patch in it (only 1 reply)');
    const PostalMime = (await import('postal-mime')).default;
    const decoded = await PostalMime.parse(mail);
    expect(decoded.from?.name).toBe('Thomas Hellström');
    expect(decoded.subject).toMatch(/^Re: \[RFC PATCH/);
    expect(decoded.text).toContain('Thomas Hellström wrote:');
    expect(decoded.text).not.toMatch(/=C3=B6|=\r?\n/);
  });
});

describe('seed 004: the v2 patch and its thread', () => {
  beforeEach((ctx) => skipUnless(ctx, needSeeds()));

  test('the patch is kept, the replies quoting it are dropped, trailers and the author decoded', async () => {
    const { mbox, replies } = seed004Mbox();
    const s = await readPatchInput('seed-004.mbox', Buffer.from(mbox));
    expect(replies).toBe(2);
    expect(s.dropped).toHaveLength(replies);
    expect(s.patches).toHaveLength(1);
    const p = s.patches[0]!;
    expect([p.version, p.index, p.total, p.subject]).toEqual([2, 1, 4, 'mm/mmu_notifier: Allow two-pass struct mmu_interval_notifiers']);
    expect(p.from).toBe('Thomas Hellström <thomas.hellstrom@linux.intel.com>');
    expect(p.trailers.map((t) => t.key)).toEqual(['Cc', 'Cc', 'Cc', 'Cc', 'Cc', 'Cc', 'Cc', 'Cc', 'Assisted-by', 'Signed-off-by']);
    expect(p.files.map((f) => f.newPath)).toEqual(['include/linux/mmu_notifier.h', 'mm/mmu_notifier.c']);
  });

  test('applied to Linux 6.12 it reviews clean of errors', async () => {
    const s = await readPatchInput('seed-004.mbox', Buffer.from(seed004Mbox().mbox));
    const [review] = await reviewSeries(s, { tree: kernelDir('6.12'), filter: 'added', api: apiById('two-pass-v2')!, jobs: 1 });
    expect(review!.problems).toEqual([]);
    expect(review!.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(review!.postImage.get('include/linux/mmu_notifier.h')).toContain('void (*invalidate_finish)(struct mmu_interval_notifier_finish *finish);');
  });
});

describe('core patches: seed 004 v2 on Linux 6.12, and the edits a reviewer would try', () => {
  beforeEach((ctx) => skipUnless(ctx, needSeeds(), needKernel('6.12')));

  async function postImage(): Promise<string> {
    const s = await readPatchInput('seed-004.mbox', Buffer.from(seed004Mbox().mbox));
    const [review] = await reviewSeries(s, { tree: kernelDir('6.12'), filter: 'nofilter', api: apiById('two-pass-v2')!, jobs: 1 });
    return review!.postImage.get('mm/mmu_notifier.c')!;
  }

  async function coreFindings(core: string): Promise<string[]> {
    const { scan } = await import('../src/engine/scan.js');
    const { analyze } = await import('../src/engine/analyze.js');
    const { join } = await import('node:path');
    const r = await scan({ paths: [join(kernelDir('6.12'), 'mm')], root: kernelDir('6.12'), jobs: 1, overlay: new Map([[join(kernelDir('6.12'), 'mm/mmu_notifier.c'), core]]) });
    return analyze(r.files, r.index, undefined, apiById('two-pass-v2')!)
      .filter((f) => f.file === 'mm/mmu_notifier.c')
      .map((f) => `${f.severity} ${f.rule} ${f.function}`);
  }

  function edit(text: string, from: RegExp, to: string): string {
    expect(from.test(text), String(from)).toBe(true);
    return text.replace(from, to);
  }

  test('the v2 core has no error; the missing insert check and the unended range after a failed hlist start are warnings', async () => {
    expect(await coreFindings(await postImage())).toEqual(['warning core-insert-checks-finish mn_itree_invalidate', 'warning core-sequence-state __mmu_notifier_invalidate_range_start']);
  });

  test("a reviewer's edits sent as patches on top of seed 004: caught by `mnlint patch` with the default filter", async () => {
    const { spawnSync } = await import('node:child_process');
    const { mkdirSync, mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { dirname, join } = await import('node:path');
    const { runCli } = await import('./helpers.js');
    const s = await readPatchInput('seed-004.mbox', Buffer.from(seed004Mbox().mbox));
    const [applied] = await reviewSeries(s, { tree: kernelDir('6.12'), filter: 'nofilter', api: apiById('two-pass-v2')!, jobs: 1 });
    // the tree a follow-up patch is written against: 6.12 with seed 004
    const tree = mkdtempSync(join(tmpdir(), 'mnlint-seed004-'));
    for (const path of ['mm/mmu_notifier.c', 'include/linux/mmu_notifier.h']) {
      mkdirSync(join(tree, dirname(path)), { recursive: true });
      writeFileSync(join(tree, path), applied!.postImage.get(path)!);
    }
    const core = applied!.postImage.get('mm/mmu_notifier.c')!;
    const review = (edited: string): string[] => {
      const dir = mkdtempSync(join(tmpdir(), 'mnlint-edit-'));
      for (const [side, text] of [
        ['a', core],
        ['b', edited],
      ] as const) {
        mkdirSync(join(dir, side, 'mm'), { recursive: true });
        writeFileSync(join(dir, side, 'mm/mmu_notifier.c'), text);
      }
      const diff = spawnSync('git', ['diff', '--no-index', '--no-prefix', 'a/mm/mmu_notifier.c', 'b/mm/mmu_notifier.c'], { cwd: dir, encoding: 'utf8' }).stdout;
      const r = runCli(['patch', '--tree', tree, '--format', 'json', '-'], { input: diff });
      return (JSON.parse(r.stdout) as { series: Array<{ patches: Array<{ findings: Array<{ severity: string; rule: string }> }> }> }).series[0]!.patches[0]!.findings.map((f) => `${f.severity} ${f.rule}`);
    };
    expect(review(edit(core, /\tif \(err\)\n\t\tmn_itree_inv_end\(subscriptions\);\n/, ''))).toEqual(['error core-sequence-state']);
    expect(review(edit(core, /\tmn_itree_finish_pass\(&finish_passes\);\n\tmn_itree_inv_end\(subscriptions\);\n}/, '\tmn_itree_inv_end(subscriptions);\n\tmn_itree_finish_pass(&finish_passes);\n}'))).toEqual([
      'error core-finish-pass',
    ]);
    // a comment edit on top of it stays clean, though the base has warnings of its own
    expect(review(core.replace('/* global SRCU for all MMs */', '/* one SRCU for every mm */'))).toEqual([]);
  });

  test('the two-pass -EAGAIN path without mn_itree_inv_end', async () => {
    const core = edit(await postImage(), /\tif \(err\)\n\t\tmn_itree_inv_end\(subscriptions\);\n/, '');
    expect(await coreFindings(core)).toContain('error core-sequence-state mn_itree_invalidate');
  });

  test('finish pass removed from the -EAGAIN path of mn_itree_invalidate', async () => {
    const core = edit(
      await postImage(),
      /\tmn_itree_finish_pass\(&finish_passes\);\n\n(\t\/\*[\s\S]*?\*\/\n)\tif \(err\)\n\t\tmn_itree_inv_end\(subscriptions\);\n/,
      '$1\tif (err) {\n\t\tmn_itree_inv_end(subscriptions);\n\t\treturn err;\n\t}\n\tmn_itree_finish_pass(&finish_passes);\n',
    );
    expect(await coreFindings(core)).toContain('error core-finish-pass mn_itree_invalidate');
  });

  test('finish pass moved after mn_itree_inv_end in mn_itree_release', async () => {
    const core = edit(await postImage(), /\tmn_itree_finish_pass\(&finish_passes\);\n\tmn_itree_inv_end\(subscriptions\);\n}/, '\tmn_itree_inv_end(subscriptions);\n\tmn_itree_finish_pass(&finish_passes);\n}');
    expect(await coreFindings(core)).toContain('error core-finish-pass mn_itree_release');
  });

  test('the post-failure invalidate_range_end loop removed from mn_hlist_invalidate_range_start', async () => {
    const core = edit(await postImage(), /\tif \(ret\) \{\n\t\t\/\*\n\t\t \* Must be non-blocking[\s\S]*?\n\t\}\n\tsrcu_read_unlock/, '\tsrcu_read_unlock');
    expect(await coreFindings(core)).toContain('error core-end-after-failed-start mn_hlist_invalidate_range_start');
  });
});

describe('core patches: the header', () => {
  beforeEach((ctx) => skipUnless(ctx, needSeeds(), needKernel('6.12')));

  test('seed 004 documents its new members; dropping a @member line is caught on the patch', async () => {
    const { mbox } = seed004Mbox();
    const clean = await readPatchInput('seed-004.mbox', Buffer.from(mbox));
    const [ok] = await reviewSeries(clean, { tree: kernelDir('6.12'), filter: 'added', api: apiById('two-pass-v2')!, jobs: 1 });
    expect(ok!.findings.filter((f) => f.rule === 'ops-member-undocumented')).toEqual([]);
    // the same patch without the @invalidate_finish kernel-doc lines
    const undocumented = mbox.replace(/\+ \* @invalidate_finish:[^\n]*\n(\+ \*\s{10,}[^\n]*\n)*/, '');
    expect(undocumented).not.toBe(mbox);
    const fixedHunk = undocumented.replace(/@@ -233,16 \+233,54 @@/, '@@ -233,16 +233,50 @@');
    const s = await readPatchInput('seed-004-undoc.mbox', Buffer.from(fixedHunk));
    const [review] = await reviewSeries(s, { tree: kernelDir('6.12'), filter: 'added', api: apiById('two-pass-v2')!, jobs: 1 });
    expect(review!.problems).toEqual([]);
    expect(review!.findings.filter((f) => f.rule === 'ops-member-undocumented').map((f) => `${f.file} ${f.message}`)).toEqual([
      'include/linux/mmu_notifier.h struct mmu_interval_notifier_ops member invalidate_finish has no @invalidate_finish: line in the kernel-doc above the struct',
    ]);
  });
});
