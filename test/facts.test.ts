// The facts database (issue 20): curated call facts by name, derived facts
// that win over them, and the function-pointer bindings of a scan.
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { curatedFacts, FactsDatabase } from '../src/ir/facts-db.js';
import { analyze } from '../src/engine/analyze.js';
import { lockClassIn, lockClassOf, sameClass } from '../src/ir/lock-class.js';
import { gatherReclaimHolds } from '../src/ir/reclaim-locks.js';
import { summarize } from '../src/ir/summary.js';
import { scan } from '../src/engine/scan.js';
import { kernelDir } from './kernel-trees.js';
import { needKernel, skipUnless } from './needs.js';

describe('curated facts', () => {
  test('what the kernel-api tables say of a name', () => {
    expect(curatedFacts('mutex_lock')).toEqual({ acquires: { sleeps: true, canFail: false }, sleeps: true });
    expect(curatedFacts('mutex_lock_interruptible').acquires).toMatchObject({ sleeps: true, canFail: true });
    expect(curatedFacts('spin_unlock')).toEqual({ releases: {} });
    expect(curatedFacts('rcu_read_lock').acquires?.implicit).toBeDefined();
    expect(curatedFacts('down_trylock')).toEqual({ trylock: { inverted: true } });
    expect(curatedFacts('mutex_trylock')).toEqual({ trylock: { inverted: false } });
    expect(curatedFacts('kmalloc')).toEqual({ allocates: { gfpArg: 1 } });
    expect(curatedFacts('msleep').sleeps).toBe(true);
    expect(curatedFacts('kref_get').counts).toEqual({ arg: 0, delta: 1 });
    expect(curatedFacts('hmm_range_fault').faults).toBe(true);
    expect(curatedFacts('mmu_interval_set_seq').notifier).toBe('set_seq');
    expect(curatedFacts('drv_unknown_helper')).toEqual({});
  });

  test("a C function named like an Object property is nobody's", () => {
    for (const name of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) expect(curatedFacts(name), name).toEqual({});
  });
});

describe("a scan's database", () => {
  test('derived facts win over curated ones, for that name only', () => {
    const db = new FactsDatabase();
    db.derive('drv_wait_all', { sleeps: true });
    db.derive('msleep', {});
    expect(db.call('drv_wait_all')).toEqual({ sleeps: true });
    expect(db.call('msleep')).toEqual({});
    expect(db.call('mutex_lock').acquires?.sleeps).toBe(true);
  });

  test('function pointers: designated initializers, assignments and ops tables', async () => {
    const result = await scan({ paths: ['fixtures/facts/bindings.c'], jobs: 1 });
    const db = FactsDatabase.ofScan(result.files);
    const names = (field: string): string[] => db.bound(field).map((b) => `${b.function}@${b.line}`);
    expect(names('flush')).toEqual(['drv_flush_sync@22']);
    expect(names('kick')).toEqual(['drv_kick_irq@41']);
    expect(names('invalidate')).toEqual(['drv_invalidate@35']);
    // NULL, a table's address and a plain value bind no function
    expect(names('backend')).toEqual([]);
    expect(names('count')).toEqual([]);
  });

  test("entry locks: a static function's callers in its file, and what they hold at the call", async () => {
    const file = 'fixtures/rules/read-retry-without-lock/callers.c';
    const r = await scan({ paths: [file], cwd: join(import.meta.dirname, '..'), jobs: 1 });
    const db = FactsDatabase.ofScan(r.files);
    const f = r.files[0]!.file;
    const held = (name: string) => db.entryLocks(f, name)?.sites.map((s) => `${s.caller}:${s.locks.join('+')}`);
    // every caller holds the lock
    expect(held('drv_check')).toEqual(['drv_map_a:obj->lock', 'drv_map_b:obj->lock']);
    expect(db.entryLocks(f, 'drv_check')?.held).toEqual(['obj->lock']);
    // one does not
    expect(held('drv_check_some')).toEqual(['drv_map_a:obj->lock', 'drv_map_b:']);
    expect(db.entryLocks(f, 'drv_check_some')?.held).toEqual([]);
    // through a static caller that holds nothing itself
    expect(held('drv_check_deep')).toEqual(['drv_step:obj->lock']);
    // address taken, or not static: callers unknown
    expect(db.entryLocks(f, 'drv_check_ptr')).toBeNull();
    expect(db.entryLocks(f, 'drv_check_global')).toBeNull();
  });

  test("rules reach the scan's database as ctx.facts", async () => {
    const result = await scan({ paths: ['fixtures/facts/bindings.c'], jobs: 1 });
    const seen: string[] = [];
    analyze(result.files, result.index, [
      {
        id: 'probe',
        title: 'probe',
        severity: 'info',
        invariant: 'API',
        status: 'preview',
        since: '0.1.0',
        docs: { what: '', why: '', bad: '', good: '', references: [] },
        messages: {},
        checkTable(_table, ctx) {
          seen.push(...ctx.facts.bound('flush').map((b) => b.function));
        },
      },
    ]);
    expect(seen).toEqual(['drv_flush_sync']);
  });
});

describe('Linux 6.12', () => {
  test('amdkfd: the notifier release and a sysfs release are both bound to `release`', async (ctx) => {
    skipUnless(ctx, needKernel('6.12'));
    const result = await scan({ paths: [join(kernelDir('6.12'), 'drivers/gpu/drm/amd/amdkfd')], jobs: 1 });
    const bound = FactsDatabase.ofScan(result.files)
      .bound('release')
      .map((b) => b.function);
    // kfd_process.c: the mmu_notifier_ops table, and a kobj_type of its procfs entries
    expect(bound).toContain('kfd_process_notifier_release');
    expect(bound).toContain('kfd_procfs_kobj_release');
  });
});

describe('lock classes and the locks held around reclaim', () => {
  const obj = [{ name: 'obj', type: 'struct drv_obj *' }];
  test('a class is the member chain, with the base type a parameter declares', () => {
    expect(lockClassOf('&obj->mm.lock', obj, 'd/a.c')).toEqual({ chain: 'mm.lock', type: 'drv_obj' });
    expect(lockClassOf('& (x->mm.lock)', [], 'd/a.c')).toEqual({ chain: 'mm.lock' });
    expect(lockClassOf('&big_lock', [], 'd/a.c')).toEqual({ chain: 'big_lock', global: { dir: 'd' } });
    // through a pointer, an array or a call: no class
    expect(lockClassOf('obj->lockp', obj, 'd/a.c')).toBeNull();
    expect(lockClassOf('&objs[i].lock', [], 'd/a.c')).toBeNull();
    expect(lockClassOf('&to_obj(x)->lock', [], 'd/a.c')).toBeNull();
    expect(lockClassOf('&obj', obj, 'd/a.c')).toBeNull();
  });
  test('one class: equal chains, types equal when both known, two members when one is not', () => {
    const typed = lockClassOf('&obj->lock', obj, 'd/a.c')!;
    const untyped = lockClassOf('&o->lock', [], 'd/b.c')!;
    expect(sameClass(typed, untyped)).toBe(false);
    expect(sameClass(typed, lockClassOf('&obj->lock', [{ name: 'obj', type: 'struct other *' }], 'd/a.c')!)).toBe(false);
    expect(sameClass(lockClassOf('&obj->mm.lock', obj, 'd/a.c')!, lockClassOf('&o->mm.lock', [], 'd/b.c')!)).toBe(true);
    expect(sameClass(lockClassOf('&big_lock', [], 'd/a.c')!, lockClassOf('&big_lock', [], 'e/a.c')!)).toBe(false);
  });
  test("a local's declared type names the class as a parameter's does (container_of); a local lock object has none", async () => {
    const r = await scan({ paths: [join(import.meta.dirname, '../fixtures/rules/remove-from-callback/mmput-locked.c')], jobs: 1 });
    const fns = r.files.flatMap((f) => f.functions);
    const cb = fns.find((f) => f.name === 'drv_umem_invalidate')!;
    const holder = fns.find((f) => f.name === 'drv_umem_map_and_lock')!;
    // `struct drv_umem *umem = container_of(mni, ...)`: the local the lock starts from is recorded with its type
    expect(cb.locals).toEqual([{ name: 'umem', type: 'struct drv_umem' }]);
    const a = lockClassIn('&umem->umem_mutex', cb)!;
    expect(a).toEqual({ chain: 'umem_mutex', type: 'drv_umem' });
    // one member, both types known and equal: one class (without the local's type it was none)
    expect(sameClass(a, lockClassIn('&umem->umem_mutex', holder)!)).toBe(true);
    expect(sameClass(lockClassOf('&umem->umem_mutex', cb.params, cb.file)!, lockClassIn('&umem->umem_mutex', holder)!)).toBe(false);
    expect(lockClassIn('&m', { params: [], locals: [{ name: 'm', type: 'struct mutex' }], file: 'd/a.c' })).toBeNull();
  });
  test('a scan gathers where a sleeping lock is held around an allocation that may reclaim', async () => {
    const r = await scan({ paths: [join(import.meta.dirname, '../fixtures/rules/reclaim-in-invalidation/lock-held.c')], jobs: 1 });
    const db = FactsDatabase.ofScan(r.files);
    db.holdsFrom(() =>
      gatherReclaimHolds(
        r.files.flatMap((f) => f.functions),
        (fn) => summarize(fn, r.index.resolve),
      ),
    );
    const held = db.heldAroundReclaim({ chain: 'backing.lock', type: 'drv_obj' });
    expect(held.map((h) => [h.holder, h.alloc.name, h.alloc.gfp.mask])).toEqual([['drv_obj_fill', 'kmalloc', 'GFP_KERNEL']]);
    // held over GFP_NOWAIT only: no reclaim under it
    expect(db.heldAroundReclaim({ chain: 'stat_lock', type: 'drv_obj' })).toEqual([]);
  });
});
