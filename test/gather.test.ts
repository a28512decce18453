// Series as they arrive: several files (git format-patch's, b4's) are one
// input, their patches ordered by [PATCH vN M/T] and applied in turn; a
// stable-queue posting beside a mainline series is a series of its own.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readPatchInputs } from '../src/input/patch.js';
import { PatchReportSchema } from '../src/report/patch.js';
import { gitIn, runCli, withoutNewestNote } from './helpers.js';

const FN = ['static int drv_setup(void)', '{', '\treturn 0;', '}', ''];

/** The drv_setup body after patch k of 3: each patch rewrites the line the one before added. */
function version(k: number): string {
  const body = k === 0 ? [] : [`\tint level = ${k};`, ''];
  return [...FN.slice(0, 2), ...body, ...FN.slice(2)].join('\n');
}

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

describe('several files are one input', () => {
  test('git format-patch -3 --cover-letter -v2, files shuffled: one series, applied in order', () => {
    const repo = mkdtempSync(join(tmpdir(), 'mnlint-gather-'));
    const file = 'drivers/gpu/drm/drv/drv_setup.c';
    gitIn(repo, 'init', '-q');
    write(join(repo, file), version(0));
    gitIn(repo, 'add', '.');
    gitIn(repo, 'commit', '-qm', 'drv: base');
    for (const k of [1, 2, 3]) {
      write(join(repo, file), version(k));
      gitIn(repo, 'commit', '-qam', `drv: setup level ${k}`);
    }
    const out = join(repo, 'out');
    gitIn(repo, 'format-patch', '-q', '-3', '--cover-letter', '-v2', '-o', out);
    gitIn(repo, 'checkout', '-q', 'HEAD~3');
    const names = readdirSync(out).sort();
    expect(names).toEqual(['v2-0000-cover-letter.patch', 'v2-0001-drv-setup-level-1.patch', 'v2-0002-drv-setup-level-2.patch', 'v2-0003-drv-setup-level-3.patch']);
    const shuffled = [names[2]!, names[0]!, names[3]!, names[1]!].map((n) => join(out, n));

    const r = runCli(['patch', '--tree', repo, '--format', 'json', ...shuffled]);
    expect(withoutNewestNote(r.stderr)).toBe('');
    expect(r.code).toBe(0);
    const report = PatchReportSchema.parse(JSON.parse(r.stdout));
    expect(report.series).toHaveLength(1);
    const [s] = report.series;
    expect(s!.version).toBe(2);
    expect(s!.cover).toBe('*** SUBJECT HERE ***');
    expect(s!.label).toBe('[PATCH v2 0/3] *** SUBJECT HERE ***');
    expect(s!.dropped).toEqual([]);
    // patch 2 removes the line patch 1 added: it applies only over patch 1
    expect(s!.patches.map((p) => [p.label, p.problems])).toEqual([
      ['[PATCH v2 1/3] drv: setup level 1', []],
      ['[PATCH v2 2/3] drv: setup level 2', []],
      ['[PATCH v2 3/3] drv: setup level 3', []],
    ]);

    // patch 2 alone, on the bare tree, does not apply: what the gathering avoids
    const alone = runCli(['patch', '--tree', repo, '--format', 'json', join(out, names[2]!)]);
    // (named on stderr, or in the report as a rejected hunk)
    expect(alone.stderr + alone.stdout).toMatch(/setup level 2[^\n]*hunk 1|hunk 1[^\n]*setup level 2|"hunk 1/);
  });

  test('b4: the .mbx and its .cover, and a reply in a third file, are one series', async () => {
    const cover = mail({ subject: '[PATCH v3 0/2] drm/drv: notifier fixes', id: '<c@x>' });
    const mbx = [mail({ subject: '[PATCH v3 2/2] drm/drv: two', id: '<p2@x>', refs: ['<c@x>'], diff: DIFF_B }), mail({ subject: '[PATCH v3 1/2] drm/drv: one', id: '<p1@x>', refs: ['<c@x>'], diff: DIFF_A })].join('');
    const reply = mail({ subject: 'Re: [PATCH v3 1/2] drm/drv: one', id: '<r@x>', refs: ['<c@x>', '<p1@x>'], from: 'Rev Iewer <rev@example.org>' });
    const { series, errors } = await readPatchInputs([
      { source: 'v3.mbx', bytes: Buffer.from(mbx) },
      { source: 'v3.cover', bytes: Buffer.from(cover) },
      { source: 'reply.eml', bytes: Buffer.from(reply) },
    ]);
    expect(errors).toEqual([]);
    expect(series).toHaveLength(1);
    expect(series[0]!.cover?.subject).toBe('drm/drv: notifier fixes');
    expect(series[0]!.patches.map((p) => p.subject)).toEqual(['drm/drv: one', 'drm/drv: two']);
    expect(series[0]!.replies.map((x) => x.subject)).toEqual(['Re: [PATCH v3 1/2] drm/drv: one']);
    // the reply is kept with the series, the files reviewed are the two
    expect(series[0]!.source).toBe('v3.mbx v3.cover');
  });

  test('different series given together stay apart: other senders, other threads, other versions', async () => {
    const { series } = await readPatchInputs([
      { source: 'a.patch', bytes: Buffer.from(mail({ subject: '[PATCH] drm/drv: one', diff: DIFF_A })) },
      { source: 'b.patch', bytes: Buffer.from(mail({ subject: '[PATCH] drm/other: fix', diff: DIFF_B })) },
      { source: 'c.patch', bytes: Buffer.from(mail({ subject: '[PATCH v2 1/2] drm/drv: one', id: '<t1@x>', refs: ['<t0@x>'], diff: DIFF_A })) },
      { source: 'd.patch', bytes: Buffer.from(mail({ subject: '[PATCH v2 2/2] drm/other: two', id: '<u2@x>', refs: ['<u0@x>'], diff: DIFF_B })) },
      { source: 'e.patch', bytes: Buffer.from(mail({ subject: '[PATCH v3 1/2] drm/drv: one', from: 'Bob <bob@example.org>', diff: DIFF_A })) },
    ]);
    expect(series.map((s) => [s.source, s.patches.map((p) => `${p.version} ${p.index}/${p.total}`)])).toEqual([
      ['a.patch', ['1 1/1']],
      ['b.patch', ['1 1/1']],
      ['c.patch', ['2 1/2']],
      ['d.patch', ['2 2/2']],
      ['e.patch', ['3 1/2']],
    ]);
  });

  test('the same messages twice (a copy from each list): read once', async () => {
    const mbx = [mail({ subject: '[PATCH v3 1/2] drm/drv: one', id: '<p1@x>', diff: DIFF_A }), mail({ subject: '[PATCH v3 2/2] drm/drv: two', id: '<p2@x>', diff: DIFF_B })].join('');
    const { series, errors } = await readPatchInputs([
      { source: 'dri-devel.mbox', bytes: Buffer.from(mbx) },
      { source: 'lkml.mbox', bytes: Buffer.from(mbx) },
    ]);
    expect(errors).toEqual([]);
    expect(series.map((s) => [s.source, s.patches.map((p) => p.index), s.dropped])).toEqual([
      ['dri-devel.mbox', [1, 2], ['[PATCH v3 1/2] drm/drv: one (the same message again)', '[PATCH v3 2/2] drm/drv: two (the same message again)']],
    ]);
  });

  test('a file holding only a cover letter, given alone, is named', async () => {
    const { series, errors } = await readPatchInputs([{ source: 'cover.patch', bytes: Buffer.from(mail({ subject: '[PATCH v2 0/2] x' })) }]);
    expect(series).toEqual([]);
    expect(errors).toEqual(['cover.patch: no patch in it (only a cover letter)']);
  });
});

describe('a stable posting beside a mainline series', () => {
  const MBOX = [
    mail({ subject: '[PATCH v3 0/2] drm/drv: notifier fixes', id: '<v3c@x>' }),
    mail({ subject: '[PATCH v2 1/2] drm/drv: one', id: '<v2p1@x>', refs: ['<v2c@x>'], diff: DIFF_A }),
    mail({ subject: '[PATCH 6.1 023/150] drm/other: fix', id: '<st@x>', from: 'Greg <greg@example.org>', diff: DIFF_B }),
    mail({ subject: '[PATCH v3 2/2] drm/drv: two', id: '<v3p2@x>', refs: ['<v3c@x>'], diff: DIFF_C }),
    mail({ subject: '[PATCH v3 1/2] drm/drv: one', id: '<v3p1@x>', refs: ['<v3c@x>'], diff: DIFF_A }),
  ].join('');

  test('both reviewed, the stable one never an older version; the v2 patch of the series is', async () => {
    const { series, errors } = await readPatchInputs([{ source: 'mixed.mbox', bytes: Buffer.from(MBOX) }]);
    expect(errors).toEqual([]);
    expect(series.map((s) => [s.version, s.labels?.stable ?? null, s.patches.map((p) => p.index)])).toEqual([
      [3, null, [1, 2]],
      [1, '6.1', [23]],
    ]);
    expect(series[0]!.dropped).toEqual(['[v2 1/2] drm/drv: one (older version)']);
    // the file's lines counted once, with the first series
    expect(series.map((s) => s.inputLineCount)).toEqual([MBOX.split('\n').length - 1, 0]);
    expect(series[1]!.dropped).toEqual([]);
  });

  test('the CLI reviews both and names the stable release', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnlint-stable-'));
    writeFileSync(join(dir, 'mixed.mbox'), MBOX);
    const r = runCli(['patch', '--format', 'json', join(dir, 'mixed.mbox')]);
    expect(r.code).toBe(0);
    const report = PatchReportSchema.parse(JSON.parse(r.stdout));
    expect(report.series.map((s) => [s.label, s.labels.stable, s.patches.map((p) => p.label)])).toEqual([
      ['[PATCH v3 0/2] drm/drv: notifier fixes', null, ['[PATCH v3 1/2] drm/drv: one', '[PATCH v3 2/2] drm/drv: two']],
      ['[PATCH 6.1 023/150] drm/other: fix', '6.1', ['[PATCH 6.1 023/150] drm/other: fix']],
    ]);
    const text = runCli(['patch', join(dir, 'mixed.mbox')]);
    expect(text.stdout).toContain('--- [PATCH 6.1 023/150] drm/other: fix');
    expect(readFileSync(join(dir, 'mixed.mbox'), 'utf8')).toBe(MBOX);
  });
});

const DIFF_A = `diff --git a/drivers/gpu/drm/drv/a.c b/drivers/gpu/drm/drv/a.c
--- a/drivers/gpu/drm/drv/a.c
+++ b/drivers/gpu/drm/drv/a.c
@@ -1,3 +1,4 @@
 static int a(void)
 {
+\tint level = 1;
 \treturn 0;
`;
const DIFF_B = DIFF_A.replaceAll('drv/a.c', 'other/b.c');
const DIFF_C = DIFF_A.replaceAll('drv/a.c', 'drv/c.c');

function mail(o: { subject: string; id?: string; refs?: string[]; from?: string; diff?: string }): string {
  return [
    'From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001',
    `From: ${o.from ?? 'Ann Dev <ann@example.org>'}`,
    'Date: Mon, 7 Dec 2026 12:00:00 +0000',
    `Subject: ${o.subject}`,
    ...(o.id ? [`Message-Id: ${o.id}`] : []),
    ...(o.refs?.length ? [`In-Reply-To: ${o.refs.at(-1)}`, `References: ${o.refs.join(' ')}`] : []),
    '',
    'The change.',
    '',
    'Signed-off-by: Ann Dev <ann@example.org>',
    '---',
    o.diff ?? '',
    '-- ',
    '2.43.0',
    '',
    '',
  ].join('\n');
}
