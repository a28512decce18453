// Facts derived from the kernel's own code (issue 21 item 2) and calls through
// function pointers (item 5): the derivation on a fixture tree, the table
// generated from Linux 6.12, and findings that exist only thanks to them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { analyze } from '../src/engine/analyze.js';
import { derivedFactsFor, deriveTree, holdsKernelCore } from '../src/engine/derived-facts.js';
import { scan } from '../src/engine/scan.js';
import { FactsDatabase } from '../src/ir/facts-db.js';
import { FALLBACK_DERIVED } from '../src/ir/kernel-api/derived.js';
import { isSleepingCall } from '../src/ir/kernel-api/sleep.js';
import { CLI, check, REPO, runCli } from './helpers.js';
import { haveKernel, kernelDir } from './kernel-trees.js';

const TREE = join(REPO, 'fixtures/facts/tree');

describe('derivation from a tree', () => {
  const t = deriveTree(TREE, 'fixture');

  test('a body that reaches a sleep on every path sleeps, transitively, through statics and inlines', () => {
    expect(t.sleeps.core_lock).toBe('might_sleep kernel/locking/core_lock.c:8');
    expect(t.sleeps.core_flush).toBe('core_wait_done kernel/locking/core_lock.c:21');
    expect(t.sleeps.core_guarded).toMatch(/^guard\(mutex\) /);
    expect(t.sleeps.core_sync).toBe('core_flush include/linux/core.h:7');
    expect(t.sleeps.core_sync_all).toBe('core_sync lib/core_lib.c:6');
    expect(t.sleeps.core_alloc_kernel).toBe('core_alloc mm/core_alloc.c:20');
  });

  test('a sleep under a condition, after an early return or in a loop is not derived; nor a static, nor a name one definition of which does not sleep', () => {
    for (const name of ['core_maybe_sleep', 'core_after_exit', 'core_drain', 'core_wait_done', 'core_weak', 'core_count', 'core_alloc_atomic']) {
      expect(t.sleeps[name], name).toBeUndefined();
      expect(t.reclaims[name], name).toBeUndefined();
    }
  });

  test('a function-like macro of a header sleeps when its body reaches a sleep check or a sleeper', () => {
    expect(t.sleeps.core_resched_lock).toBe('__might_resched include/linux/core.h:21');
    // a call that does not sleep, and one after a `break` out of the macro's do-while(0)
    expect(t.sleeps.core_peek).toBeUndefined();
    expect(t.sleeps.core_maybe_resched).toBeUndefined();
  });

  test('a function taking a GFP mask reclaims as its caller mask allows', () => {
    expect(t.reclaims.core_alloc?.[0]).toBe(1);
    expect(t.reclaims.core_buf?.[0]).toBe(2);
    // what it calls sleeps, but its mask decides (an allocator's slow path)
    expect(t.reclaims.core_pages?.[0]).toBe(1);
    expect(t.sleeps.core_pages).toBeUndefined();
  });

  test('a tree with the core derives its own; a driver tree gets the 6.12 table', () => {
    expect(holdsKernelCore(TREE)).toBe(true);
    expect(derivedFactsFor(TREE, 'test').sleeps.core_sync_all).toBeDefined();
    expect(derivedFactsFor(join(TREE, 'drivers'), 'test')).toBe(FALLBACK_DERIVED);
  });

  test('a driver callback calling a core function that sleeps by the derived facts alone', async () => {
    const result = await scan({ paths: [TREE], jobs: 1 });
    const findings = analyze(result.files, result.index, undefined, undefined, derivedFactsFor(TREE, 'test'));
    expect(findings.map((f) => `${f.severity} ${f.rule} ${f.file}:${f.line}`)).toEqual(['error sleep-in-non-blockable-range drivers/drv/drv.c:18']);
    expect(findings[0]!.steps?.some((s) => s.text.includes("derived from the kernel's code: it calls core_sync() at lib/core_lib.c:6"))).toBe(true);
    // without the derived facts (the 6.12 table does not know the fixture's core) nothing
    expect(analyze(result.files, result.index)).toEqual([]);
  });
  test.skipIf(!haveKernel('6.1'))("a file of a kernel tree named from outside it is judged by that tree's facts, not the current directory's", () => {
    // the IR cache keeps a derived table per tree: a file of 6.1 named from the repository derives 6.1's
    const cache = mkdtempSync(join(tmpdir(), 'mnlint-derived-'));
    const file = join(kernelDir('6.1'), 'drivers/gpu/drm/radeon/radeon_mn.c');
    const r = spawnSync(process.execPath, [CLI, 'check', '--format', 'terse', file], { cwd: REPO, encoding: 'utf8', env: { ...process.env, MNLINT_CACHE_DIR: cache } });
    expect(r.status).not.toBe(2);
    expect(readdirSync(join(cache, 'derived')).filter((f) => f.endsWith('.json'))).toHaveLength(1);
  });

  test("a patch reviewed against a tree is judged by that tree's facts, not 6.12's", () => {
    // the patch calls core_sync(), which sleeps only by the fixture tree's own code
    const patch = join(REPO, 'fixtures/facts/drv-sync.patch');
    const sleeps = (args: string[]): string[] => {
      const out = JSON.parse(runCli(['patch', '--format', 'json', '--filter', 'nofilter', ...args, patch]).stdout) as { series: { patches: { findings: { rule: string; trace: string[] }[] }[] }[] };
      const findings = out.series.flatMap((s) => s.patches).flatMap((p) => p.findings);
      return findings.flatMap((f) => f.trace.filter((t) => t.startsWith('drivers/drv/drv.c:19: core_sync()')).map((t) => `${f.rule}: ${t}`));
    };
    expect(sleeps(['--tree', TREE])).toEqual([
      "sleep-in-non-blockable-range: drivers/drv/drv.c:19: core_sync() (derived from the kernel's code: it calls core_flush() at include/linux/core.h:7 on every path) on a path with no mmu_notifier_range_blockable() test",
    ]);
    // without the tree, the 6.12 table does not know core_sync()
    expect(sleeps([])).toEqual([]);
  });
});

describe('the table generated from Linux 6.12', () => {
  test('holds well-known sleepers, the hand list does not repeat them, and allocators are no sleepers', () => {
    for (const name of ['mutex_lock', 'down_read', 'mmput', 'flush_work', 'kthread_stop', 'mmap_read_lock', 'lock_page', 'folio_lock', 'mmu_interval_notifier_remove', 'i_mmap_lock_write'])
      expect(FALLBACK_DERIVED.sleeps[name], name).toBeDefined();
    for (const name of ['flush_work', 'mmap_read_lock', 'kthread_stop', 'mmu_interval_notifier_remove']) expect(isSleepingCall(name), name).toBe(false);
    // their mask decides: GFP_ATOMIC callers must not sleep
    for (const name of ['__alloc_pages_noprof', 'kmalloc_noprof', 'spin_lock', 'kfree', 'mmu_interval_set_seq']) expect(FALLBACK_DERIVED.sleeps[name], name).toBeUndefined();
    expect(FALLBACK_DERIVED.reclaims.mempool_alloc_noprof?.[0]).toBe(1);
  });

  test.skipIf(!existsSync(join(kernelDir('6.12'), 'kernel/sched')))(
    'is what scripts/derive-facts.ts makes of the tree',
    () => {
      const fresh = deriveTree(kernelDir('6.12'), FALLBACK_DERIVED.source);
      expect(fresh).toEqual(JSON.parse(readFileSync(join(REPO, 'src/ir/kernel-api/derived-6.12.json'), 'utf8')));
    },
    120_000,
  );

  test('mmput() sleeps in a non-blockable invalidation by the table', async () => {
    const findings = await check(['fixtures/rules/remove-from-callback/mmput.c']);
    expect(findings.filter((f) => f.rule === 'sleep-in-non-blockable-range').map((f) => `${f.severity} ${f.line}`)).toEqual(['error 34']);
  });
});

describe('calls through function pointers', () => {
  const steps = (f: { steps?: ReadonlyArray<{ text: string }> }): string[] => (f.steps ?? []).map((s) => s.text);

  test('the function a field is bound to counts as called, with the binding in the trace, and never as proof', async () => {
    const findings = await check(['fixtures/facts/fnptr']);
    const flush = findings.find((f) => f.function === 'drv_flush_sync' || f.message.includes('drv_invalidate()'));
    expect(flush).toMatchObject({ rule: 'sleep-in-non-blockable-range', severity: 'warning', line: 24 });
    expect(steps(flush!)).toContain('calls through ->flush() of struct drv_backend_ops, which the tree sets to drv_flush_sync() (drv_fp.c:49)');
  });

  test('a field bound to several functions: the one that sleeps is a warning naming the call and that candidate', async () => {
    const findings = await check(['fixtures/facts/fnptr']);
    const kick = findings.find((f) => f.rule === 'sleep-under-spinlock');
    expect(kick).toMatchObject({ severity: 'warning', line: 31 });
    expect(steps(kick!)).toContain(
      'calls through ->kick() of struct drv_backend_ops, which the tree sets to drv_kick_wait() (drv_fp.c:50), one of 2 functions its initializers set it to: which one runs depends on the object',
    );
    // the message names the call and the candidate, since it was one of several
    expect(kick!.message).toContain('(through a function pointer: drv_fp.c:80 calls through ->kick() of struct drv_backend_ops, which the tree sets to drv_kick_wait()');
    // ->poke is bound to a function that does not sleep; ->done, assigned, is called in a blockable range
    expect(findings.map((f) => f.rule).sort()).toEqual(['sleep-in-non-blockable-range', 'sleep-under-spinlock']);
  });
});

describe('function pointers passed as arguments', () => {
  const steps = (f: { steps?: ReadonlyArray<{ text: string }> }): string[] => (f.steps ?? []).map((s) => s.text);

  test('a call through a parameter reaches the function its caller passes, as a warning naming the binding', async () => {
    const findings = await check(['fixtures/facts/fnarg']);
    // the flushing handler (passed by release only) reaches neither the start nor clear_young under the spinlock;
    // cond_resched_lock() drops the lock it is given, so it sleeps under no spinlock
    expect(findings.map((f) => `${f.severity} ${f.rule} ${f.line}`)).toEqual(['warning sleep-in-non-blockable-range 26']);
    expect(steps(findings[0]!)).toContain('calls through parameter `handler` of drv_walk(), bound to drv_unmap_handler() at drv_walk.c:52');
    expect(steps(findings[0]!).some((s) => s.startsWith("cond_resched_lock() (derived from the kernel's code: it calls __might_resched()"))).toBe(true);
  });

  test('the bindings of a parameter: every function passed there, and the call sites passing something else', async () => {
    const result = await scan({ paths: [join(REPO, 'fixtures/facts/fnarg')], jobs: 1 });
    const db = FactsDatabase.ofScan(result.files);
    const file = result.files[0]!.file;
    const { bound, unknown } = db.boundParam('drv_walk', 3, file, true);
    expect(bound.map((b) => `${b.function}:${b.line}`)).toEqual(['drv_unmap_handler:52', 'drv_test_handler:64', 'drv_flush_handler:74']);
    expect(unknown).toBe(1);
    // a static function's parameter is bound by its own file's calls only
    expect(db.boundParam('drv_walk', 3, 'elsewhere.c', true).bound).toEqual([]);
    expect(db.boundParam('drv_walk', 0, file, true).bound).toEqual([]);
  });
});
