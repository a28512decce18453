// A series the test builds with git: a cover letter and three patches adding a
// two-pass driver (seed 004's API), one defect per patch; patch 2 re-encoded as
// quoted-printable, patch 3 with CRLF line ends. Reviewed against the fixture
// tree, each defect must come out on its own patch and added line, and nothing
// on unchanged lines.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { PatchReportSchema } from '../src/report/patch.js';
import { REPO, runCli } from './helpers.js';

const FILE = 'drivers/gpu/drm/drv/drv_tp.c';
let repo = '';
let mbox = '';

function git(...args: string[]): string {
  const r = spawnSync('git', ['-C', repo, '-c', 'user.name=Ann Dev', '-c', 'user.email=ann@example.org', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

const BASE = `// SPDX-License-Identifier: GPL-2.0
#include <linux/mmu_notifier.h>
#include <linux/slab.h>

struct drv_job {
	struct mmu_interval_notifier_finish finish;
	struct drv_gpu *gpu;
};

static void drv_tp_finish(struct mmu_interval_notifier_finish *finish)
{
	struct drv_job *job = container_of(finish, struct drv_job, finish);

	drv_tlb_wait(job->gpu);
	kfree(job);
}

static bool drv_tp_start(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
			 unsigned long cur_seq, struct mmu_interval_notifier_finish **finish)
{
	struct drv_gpu *gpu = container_of(mni, struct drv_gpu, notifier);
	struct drv_job *job = kmalloc(sizeof(*job), GFP_KERNEL);

	mmu_interval_set_seq(mni, cur_seq);
	drv_tlb_start(gpu);
	if (!job) {
		drv_tlb_wait(gpu);
		return true;
	}
	job->gpu = gpu;
	*finish = &job->finish;
	return true;
}

static const struct mmu_interval_notifier_ops drv_tp_ops = {
	.invalidate_start = drv_tp_start,
	.invalidate_finish = drv_tp_finish,
};
`;

function qp(text: string): string {
  // quoted-printable: escape =, tabs at line end, non-ASCII; soft-break long lines
  return text
    .split('\n')
    .map((line) => {
      let enc = line.replace(/=/g, '=3D').replace(/[^\x20-\x7e\t]/g, (c) => [...Buffer.from(c)].map((b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''));
      enc = enc.replace(/[ \t]$/, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
      const out: string[] = [];
      while (enc.length > 75) {
        let cut = 75;
        while (enc[cut - 1] === '=' || enc[cut - 2] === '=') cut--;
        out.push(`${enc.slice(0, cut)}=`);
        enc = enc.slice(cut);
      }
      out.push(enc);
      return out.join('\n');
    })
    .join('\n');
}

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), 'mnlint-series-'));
  cpSync(join(REPO, 'fixtures/trees/drv'), repo, { recursive: true });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'drm/drv: initial');
  const path = join(repo, FILE);
  writeFileSync(path, BASE);
  git('add', FILE);
  git('commit', '-qm', 'drm/drv: two-pass userptr invalidation\n\nSigned-off-by: Ann Dev <ann@example.org>');
  const edit = (from: string, to: string, msg: string): void => {
    const t = readFileSync(path, 'utf8');
    if (!t.includes(from)) throw new Error(from);
    writeFileSync(path, t.replace(from, to));
    git('commit', '-qam', `${msg}\n\nSigned-off-by: Ann Dev <ann@example.org>`);
  };
  edit('\tif (!job) {\n\t\tdrv_tlb_wait(gpu);\n\t\treturn true;\n\t}\n', '\tif (!job)\n\t\treturn false;\n', 'drm/drv: give up when out of memory');
  edit('\tjob->gpu = gpu;\n', '\tjob->gpu = gpu;\n\tjob->finish.notifier = mni;\n', 'drm/drv: remember the notifier — for Jörg');
  const out = join(repo, 'out');
  git('format-patch', '-q', '-3', '-v3', '--cover-letter', '-o', out, 'HEAD');
  const files = readdirSync(out)
    .sort()
    .map((f) => readFileSync(join(out, f), 'utf8'));
  const [cover, p1, p2, p3] = files as [string, string, string, string];
  // patch 2 as quoted-printable
  const [h2, ...b2] = p2.split('\n\n');
  const p2qp = `${h2!.replace(/^Content-Transfer-Encoding: .*$/m, 'Content-Transfer-Encoding: quoted-printable')}${/Content-Transfer-Encoding/.test(h2!) ? '' : '\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: quoted-printable'}\n\n${qp(b2.join('\n\n'))}`;
  // patch 3 with CRLF line ends
  const p3crlf = p3.replace(/\n/g, '\r\n');
  mbox = [cover, p3crlf, p1, p2qp].join('\n');
  writeFileSync(join(repo, 'series.mbox'), mbox);
});

test('each defect on its own patch and added line, nothing on unchanged lines', () => {
  const r = runCli(['patch', '--tree', join(REPO, 'fixtures/trees/drv'), '--api', 'two-pass-v2', '--format', 'json', join(repo, 'series.mbox')]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(1);
  const report = PatchReportSchema.parse(JSON.parse(r.stdout));
  const s = report.series[0]!;
  expect(s.version).toBe(3);
  expect(s.cover).not.toBeNull();
  expect(s.patches.map((p) => [p.label, p.findings.map((f) => `${f.rule} ${f.file}:${f.line}`)])).toEqual([
    ['[PATCH v3 1/3] drm/drv: two-pass userptr invalidation', [`sleeping-gfp-in-first-pass ${FILE}:22`]],
    ['[PATCH v3 2/3] drm/drv: give up when out of memory', [`finish-alloc-failure-returns-false ${FILE}:27`]],
    ['[PATCH v3 3/3] drm/drv: remember the notifier — for Jörg', [`driver-writes-finish-notifier ${FILE}:29`]],
  ]);
});
