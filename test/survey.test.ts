// `inventory --survey`: a row per notifier user, checked against the sources
// (the rows named here were read in the Debian 6.12 and 6.1 trees), and the
// diff of the two surveys.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { type Survey, SurveySchema } from '../src/report/schema.js';
import { REPO, runCli } from './helpers.js';
import { kernelDir } from './kernel-trees.js';
import { needKernel, skipUnless } from './needs.js';

function survey(dir: string): Survey {
  const r = runCli(['inventory', '--survey', '--format', 'json', '.'], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  return SurveySchema.parse(JSON.parse(r.stdout));
}

const row = (s: Survey, table: string): Survey['users'][number] => {
  const u = s.users.find((x) => x.table === table);
  if (!u) throw new Error(`no user ${table}`);
  return u;
};

describe('inventory --survey', () => {
  test('the example driver: a row per table, markdown by default', () => {
    const s = survey(join(REPO, 'fixtures/trees/drv'));
    expect(s.users.map((u) => u.table)).toEqual(['drv_mm_ops', 'drv_bo_ops']);
    // `else if (!mutex_trylock(&bo->lock)) return false;` when not blockable
    expect(row(s, 'drv_bo_ops')).toMatchObject({ kind: 'mmu_interval_notifier_ops', callbacks: ['invalidate'], nonBlockable: 'trylock, false', readSide: true, twoPass: false, lifetime: 'insert/?' });
    expect(row(s, 'drv_mm_ops')).toMatchObject({ kind: 'mmu_notifier_ops', callbacks: ['invalidate_range_start', 'invalidate_range_end'], nonBlockable: 'never fails, not tested', readSide: false });
    const md = runCli(['inventory', '--survey', 'fixtures/trees/drv']);
    expect(md.stdout).toContain('| user | ops | callbacks | non-blockable range | read side | two-pass | lifetime | findings |');
    expect(md.stdout).toContain('| `drv_bo_ops` drivers/gpu/drm/drv/drv_mn.c:57 | interval | invalidate | trylock, false | yes | - | insert/? | - |');
  });

  test('a finding is counted on the user whose callback holds it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnlint-survey-'));
    writeFileSync(
      join(dir, 'drv.c'),
      `#include <linux/mmu_notifier.h>
static bool drv_invalidate(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range, unsigned long cur_seq)
{
	return false;
}
static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate = drv_invalidate,
};
`,
    );
    const u = row(survey(dir), 'drv_ops');
    expect(u.nonBlockable).toBe('false');
    expect(u.findings).toEqual({ error: 1, warning: 0, info: 0, rules: ['false-return-in-blockable-range'] });
  });

  test('Linux 6.12: the users as their sources show them', (ctx) => {
    skipUnless(ctx, needKernel('6.12'));
    const s = survey(kernelDir('6.12'));
    expect(s.api).toBe('6.12');
    expect(s.users).toHaveLength(24);
    // nouveau_svm_range_invalidate: mutex_trylock, else return false
    expect(row(s, 'nouveau_svm_mni_ops')).toMatchObject({ nonBlockable: 'trylock, false', readSide: true });
    // nouveau_svmm_invalidate_range_start: if (!mmu_notifier_range_blockable(update)) return -EAGAIN;
    expect(row(s, 'nouveau_mn_ops')).toMatchObject({ kind: 'mmu_notifier_ops', nonBlockable: '-EAGAIN', lifetime: 'register/put' });
    // vma_userptr_invalidate: if (!mmu_notifier_range_blockable(range)) return false;
    expect(row(s, 'vma_userptr_notifier_ops')).toMatchObject({ nonBlockable: 'false', readSide: true, lifetime: 'insert/remove' });
    // i915_gem_userptr_invalidate: set_seq, return true
    expect(row(s, 'i915_gem_userptr_notifier_ops').nonBlockable).toBe('never fails, not tested');
    expect(row(s, 'kfd_process_mmu_notifier_ops')).toMatchObject({ callbacks: ['release', 'alloc_notifier', 'free_notifier'], lifetime: 'get/put+synchronize' });
    expect(row(s, 'kvm_mmu_notifier_ops').callbacks).toEqual(['invalidate_range_start', 'invalidate_range_end', 'clear_flush_young', 'clear_young', 'test_young', 'release']);
    expect(row(s, 'intel_mmuops').callbacks).toContain('arch_invalidate_secondary_tlbs');
    // the rows with findings are the defects and warnings the kernel tests explain
    expect(row(s, 'svm_range_mn_ops').findings.rules).toContain('invalidate-without-set-seq');
    expect(s.users.some((u) => u.twoPass)).toBe(false);
  });

  test('Linux 6.1 against 6.12: the diff names the API changes between them', (ctx) => {
    skipUnless(ctx, needKernel('6.12'), needKernel('6.1'));
    const old = survey(kernelDir('6.1'));
    expect(old.users).toHaveLength(23);
    // 6.1 still has ->invalidate_range and ->change_pte
    expect(row(old, 'kvm_mmu_notifier_ops').callbacks).toEqual(['invalidate_range', 'invalidate_range_start', 'invalidate_range_end', 'clear_flush_young', 'clear_young', 'test_young', 'change_pte', 'release']);
    const dir = mkdtempSync(join(tmpdir(), 'mnlint-survey-diff-'));
    writeFileSync(join(dir, 'old.json'), JSON.stringify(old));
    writeFileSync(join(dir, 'new.json'), JSON.stringify(survey(kernelDir('6.12'))));
    const r = spawnSync('npx', ['tsx', 'scripts/survey-diff.ts', join(dir, 'old.json'), join(dir, 'new.json')], { cwd: REPO, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('From API 6.1 (23 users) to API 6.12 (24 users):');
    expect(r.stdout).toContain('- new: `vma_userptr_notifier_ops` (drivers/gpu/drm/xe/xe_vm.c), mmu_interval_notifier_ops, invalidate');
    expect(r.stdout).toContain('- gone: `iommu_mn` (drivers/iommu/amd/iommu_v2.c)');
    expect(r.stdout).toContain('- `ocxl_mmu_notifier_ops` (drivers/misc/ocxl/link.c): callbacks invalidate_range → arch_invalidate_secondary_tlbs');
    const bad = spawnSync('npx', ['tsx', 'scripts/survey-diff.ts', join(dir, 'old.json'), join(REPO, 'package.json')], { cwd: REPO, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^survey-diff: .*package\.json: not a survey/);
  });
});
