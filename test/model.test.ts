// Test vectors for the reference model, from the behaviour documented in
// mm/mmu_notifier.c / include/linux/mmu_notifier.h and the two-pass series.
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { API_LEVELS, apiById, apiForKernel, versionOfMakefile } from '../src/model/api.js';
import { apiFromHeader, readNotifierHeader } from '../src/input/header.js';
import type { AbstractNotifier, Chooser, Outcome } from '../src/model/core.js';
import { MmuNotifierCore } from '../src/model/mmu-notifier-core.js';
import { explore, withCompanions } from '../src/model/explore.js';

const first: Chooser = { choose: (_w, options) => options[0]! };
const R = (blockable: boolean) => ({ start: 0, end: 100, blockable });

const ok = (label = 'ok'): Outcome => ({ ret: true, setSeq: true, label });
function interval(name: string, outcomes: (b: boolean) => Outcome[] = () => [ok()], extra: Partial<AbstractNotifier> = {}): AbstractNotifier {
  return { name, kind: 'interval', interval: [0, 100], callbacks: { invalidate: ({ blockable }) => outcomes(blockable) }, usesReadSide: true, ...extra };
}

/** A notifier whose start fails with -EAGAIN when the range is not blockable (nouveau's shape). */
const failing: AbstractNotifier = {
  name: 'failing',
  kind: 'hlist',
  callbacks: { invalidate_range_start: ({ blockable }) => [blockable ? { ret: 0, label: 'start ok' } : { ret: -11, label: 'return -EAGAIN when !blockable' }] },
};
/** KVM's shape: start always succeeds and counts, end uncounts. */
const counting: AbstractNotifier = {
  name: 'counting',
  kind: 'hlist',
  callbacks: {
    invalidate_range_start: () => [{ ret: 0, label: 'count++' }],
    invalidate_range_end: () => [{ ret: 0, label: 'count--' }],
  },
};

describe('API levels', () => {
  test('versions map to levels; the ops fields follow the kernel', () => {
    expect(apiForKernel('5.11')!.id).toBe('5.11');
    expect(apiForKernel('5.15.3')!.id).toBe('5.14');
    expect(apiForKernel('6.12')!.id).toBe('6.12');
    expect(apiForKernel('7.1.5')!.id).toBe('7.1');
    expect(apiForKernel('4.14')).toBeUndefined();
    expect(apiForKernel('4.20')!.id).toBe('4.20');
    expect(apiById('4.19')!.fields.mmu_notifier_ops).toContain('flags');
    expect(apiById('4.20')!.fields.mmu_notifier_ops).not.toContain('flags');
    expect(apiForKernel('5.1')!.id).toBe('5.0');
    expect(apiForKernel('5.3.2')!.id).toBe('5.2');
    expect(apiForKernel('5.4.2')!.id).toBe('5.4');
    expect(apiForKernel('5.10')!.id).toBe('5.9');
    expect(apiForKernel('6.9')!.id).toBe('6.6');
    expect(apiForKernel('6.10')!.id).toBe('6.10');
    expect(apiById('5.2')!.intervalNotifiers).toBe(false);
    expect(apiById('5.2')!.fields.mmu_interval_notifier_ops).toEqual([]);
    expect(apiById('5.2')!.fields.mmu_notifier_ops).not.toContain('alloc_notifier');
    // 2c7933f53f6b: get/put with alloc_notifier/free_notifier from 5.4, before the interval notifiers
    expect(apiById('5.4')!.fields.mmu_notifier_ops).toEqual(expect.arrayContaining(['alloc_notifier', 'free_notifier']));
    expect(apiById('5.4')!.intervalNotifiers).toBe(false);
    expect(apiById('4.19')!.blockable).toBe('argument');
    expect(apiById('4.19')!.rangeFields).toEqual([]);
    expect(apiById('6.6')!.tlbHookFromRangeEnd).toBe(false);
    expect(apiById('6.1')!.tlbHookFromRangeEnd).toBe(true);
    expect(apiById('6.1')!.fields.mmu_notifier_ops).toContain('invalidate_range');
    expect(apiById('6.6')!.fields.mmu_notifier_ops).toContain('arch_invalidate_secondary_tlbs');
    expect(apiById('6.6')!.fields.mmu_notifier_ops).toContain('change_pte');
    // 997308f9ae72 removed change_pte in 6.10, not 6.9
    expect(apiById('6.10')!.fields.mmu_notifier_ops).not.toContain('change_pte');
    expect(apiById('6.12')!.fields.mmu_notifier_ops).not.toContain('change_pte');
    expect(apiById('6.12')!.fields.mmu_interval_notifier_ops).toEqual(['invalidate']);
    expect(apiById('two-pass-v2')!.fields.mmu_interval_notifier_ops).toEqual(['invalidate', 'invalidate_start', 'invalidate_finish']);
  });
});

for (const api of API_LEVELS) {
  describe(`model at API ${api.id}`, () => {
    test('seq parity during and after nested invalidations', () => {
      const core = new MmuNotifierCore(api, first);
      core.insertInterval(interval('a'));
      expect(core.invalidateSeq % 2).toBe(0);
      const x = core.invalidateRangeStart(R(true));
      expect([core.invalidateSeq % 2, core.activeInvalidateRanges]).toEqual([1, 1]);
      const y = core.invalidateRangeStart(R(true));
      expect([core.invalidateSeq % 2, core.activeInvalidateRanges]).toEqual([1, 2]);
      core.invalidateRangeEnd(y);
      expect([core.invalidateSeq % 2, core.activeInvalidateRanges]).toEqual([1, 1]);
      core.invalidateRangeEnd(x);
      expect([core.invalidateSeq % 2, core.activeInvalidateRanges]).toEqual([0, 0]);
      core.checkQuiescent();
      expect(core.violations).toEqual([]);
    });

    test('an insert during an invalidation is deferred to the last inv_end', () => {
      const core = new MmuNotifierCore(api, first);
      core.insertInterval(interval('a'));
      const x = core.invalidateRangeStart(R(true));
      const y = core.invalidateRangeStart(R(true));
      core.insertInterval(interval('late'));
      expect(core.intervals.map((s) => s.n.name)).toEqual(['a']);
      core.invalidateRangeEnd(y);
      expect(core.intervals.map((s) => s.n.name)).toEqual(['a']);
      core.invalidateRangeEnd(x);
      expect(core.intervals.map((s) => s.n.name)).toEqual(['a', 'late']);
      expect(core.deferred).toEqual([]);
    });

    test('read_begin waits while its interval is invalidated; read_retry sees the invalidation', () => {
      const core = new MmuNotifierCore(api, first);
      core.insertInterval(interval('a'));
      const before = core.readBegin('a');
      expect(before.blocked).toBe(false);
      const x = core.invalidateRangeStart(R(true));
      expect(core.readBegin('a').blocked).toBe(true);
      core.invalidateRangeEnd(x);
      expect(core.readBegin('a').blocked).toBe(false);
      expect(core.readRetry('a', before.seq)).toBe(true);
    });

    test(`a failed start with a counting notifier: ${api.endAfterFailedStart ? 'balanced (c2655835fd8c)' : 'imbalance (before c2655835fd8c)'}`, () => {
      const core = new MmuNotifierCore(api, first);
      core.registerHlist(failing);
      core.registerHlist(counting);
      const inv = core.invalidateRangeStart(R(false));
      expect(inv.ret).toBe(-11);
      core.invalidateRangeEnd(inv);
      core.checkQuiescent();
      if (api.endAfterFailedStart) expect(core.violations).toEqual([]);
      else expect(core.violations.map((v) => [v.invariant, v.notifier])).toEqual([['I1', 'counting']]);
    });

    test('the explorer finds the imbalance exactly where the API has it', () => {
      const r = explore(api, [failing, counting]);
      const i1 = r.violations.filter((v) => v.invariant === 'I1' && v.notifier === 'counting');
      expect(i1.length > 0).toBe(!api.endAfterFailedStart);
      expect(r.truncated).toBe(false);
    });
  });
}

describe('two-pass (seed 004 v2 and 7.1)', () => {
  for (const id of ['two-pass-v2', '7.1'] as const) {
    const api = apiById(id)!;
    const twoPass = (name: string, start: (b: boolean) => Outcome[]): AbstractNotifier => ({
      name,
      kind: 'interval',
      interval: [0, 100],
      usesReadSide: true,
      callbacks: { invalidate_start: ({ blockable }) => start(blockable), invalidate_finish: () => [{ ret: true, label: 'wait for the flush' }] },
    });

    test(`${id}: the finish pass runs on the -EAGAIN path, before inv_end`, () => {
      const core = new MmuNotifierCore(api, first);
      core.insertInterval(twoPass('gpu0', () => [{ ret: true, setSeq: true, finish: 'fresh', label: 'flush started' }]));
      core.insertInterval({ ...interval('busy', (b) => [b ? ok() : { ret: false, label: 'trylock failed' }]), interval: [50, 100] });
      const inv = core.invalidateRangeStart(R(false));
      expect(inv.ret).toBe(-11);
      const finish = core.trace.findIndex((t) => t.includes('gpu0.invalidate_finish'));
      const end = core.trace.findIndex((t) => t.includes('last invalidation done'));
      expect(finish).toBeGreaterThan(0);
      expect(end).toBeGreaterThan(finish);
      core.checkQuiescent();
      expect(core.violations).toEqual([]);
    });

    test(`${id}: a finish allocated before a false return is dropped by the core and leaks`, () => {
      const core = new MmuNotifierCore(api, first);
      core.insertInterval(twoPass('gpu0', () => [{ ret: false, finish: 'fresh', allocatesFinish: true, label: 'kmalloc then return false' }]));
      core.invalidateRangeEnd(core.invalidateRangeStart(R(false)));
      expect(core.trace.some((t) => t.includes('invalidate_finish'))).toBe(false);
      expect(core.violations.map((v) => v.invariant)).toEqual(['I7']);
    });

    test(`${id}: one unguarded finish object shared by concurrent invalidations; a guarded one is fine`, () => {
      const shared = explore(api, [twoPass('gpu0', () => [{ ret: true, setSeq: true, finish: 'shared', label: '&obj->finish' }])]);
      expect(shared.violations.some((v) => v.invariant === 'I7' && v.scenario === 'two concurrent invalidations')).toBe(true);
      const guarded = explore(api, [twoPass('gpu0', () => [{ ret: true, setSeq: true, finish: 'guarded', label: 'finish in use? single pass' }])]);
      expect(guarded.violations).toEqual([]);
    });

    test(`${id}: invalidate_start without invalidate_finish`, () => {
      const core = new MmuNotifierCore(api, first);
      core.insertInterval({ name: 'half', kind: 'interval', interval: [0, 100], callbacks: { invalidate_start: () => [{ ret: true, setSeq: true, finish: 'fresh', label: 'x' }] } });
      core.invalidateRangeEnd(core.invalidateRangeStart(R(true)));
      expect(core.violations.map((v) => v.invariant)).toEqual(['I3', 'I3']);
      expect(core.trace.some((t) => t.includes('WARN_ON_ONCE'))).toBe(id === '7.1');
    });
  }
});

describe('explorer', () => {
  const api = apiById('6.12')!;
  test('invalidate returning true without set_seq breaks the read side (I6) and read_begin (I8)', () => {
    const r = explore(api, [interval('lazy', () => [{ ret: true, label: 'return true' }])]);
    expect(r.violations.map((v) => v.invariant).sort()).toEqual(['I6', 'I8']);
    const i6 = r.violations.find((v) => v.invariant === 'I6')!;
    expect(i6.trace[0]).toBe('scenario: the read side across an invalidation (API 6.12)');
    expect(i6.trace).toContain('  lazy.invalidate() -> true [return true]');
  });

  test('sleeping in a non-blockable range (I5), false in a blockable one (I4)', () => {
    const r = explore(api, [interval('bad', (b) => [b ? { ret: false, setSeq: true, label: 'always false' } : { ret: true, setSeq: true, sleeps: true, label: 'mutex_lock' }])]);
    expect([...new Set(r.violations.map((v) => v.invariant))].sort()).toEqual(['I4', 'I5']);
  });

  test('a callback that removes its own notifier deadlocks (I5)', () => {
    const r = explore(api, [interval('selfremove', () => [{ ret: true, setSeq: true, removesSelf: true, label: 'mmu_interval_notifier_remove(mni)' }])]);
    expect(r.violations.some((v) => v.invariant === 'I5' && /deadlock/.test(v.message))).toBe(true);
  });

  test('a well-behaved pair explores clean', () => {
    const good = interval('good', (b) => [b ? ok('mutex_lock') : { ret: false, label: '!blockable' }]);
    const r = explore(api, [good, counting]);
    expect(r.violations).toEqual([]);
    expect(r.scenarios).toBe(8);
  });
});

describe('the level of a tree: the header names the family, the Makefile the version', () => {
  const header511 = readFileSync('fixtures/trees/core-5.11/include/linux/mmu_notifier.h', 'utf8');
  const header54 = readFileSync('fixtures/trees/drv-5.4/include/linux/mmu_notifier.h', 'utf8');
  test('5.9 to 5.13 share a header: the version decides c2655835fd8c', () => {
    expect(versionOfMakefile(readFileSync('fixtures/trees/core-5.11/Makefile', 'utf8'))).toBe('5.11');
    expect(apiFromHeader(header511, '5.11').id).toBe('5.11');
    expect(apiFromHeader(header511, '5.12').id).toBe('5.12');
    expect(apiFromHeader(header511, '5.10').id).toBe('5.9');
    // a version older than the header (a back-port on a 5.8 tree): the oldest level the header allows
    expect(apiFromHeader(header511, '5.8').id).toBe('5.9');
    // without a Makefile: the newest level the header allows
    expect(apiFromHeader(header511).id).toBe('5.12');
    // a version the header contradicts (a 6.12 Makefile over a 5.x header) does not win
    expect(apiFromHeader(header511, '6.12').id).toBe('5.12');
  });
  test('the facts read: members and fields of every definition, not of comments', () => {
    const facts = readNotifierHeader(header54);
    expect(facts.mmu_notifier_ops).toContain('alloc_notifier');
    expect(facts.mmu_notifier_ops).toContain('change_pte');
    expect(facts.mmu_interval_notifier_ops).toBeUndefined();
    expect(facts.mmu_notifier_range).toEqual(['vma', 'mm', 'start', 'end', 'flags', 'event']);
  });
  test('before 5.5: hlist only; 5.4 by get/put, 5.0 by the bool blockable field, 4.19/4.20 without a range', () => {
    expect(apiFromHeader(header54, '5.4').id).toBe('5.4');
    expect(apiFromHeader(header54).id).toBe('5.4');
    // a 5.4 header read with a 5.3 Makefile (a back-port of get/put): the header wins
    expect(apiFromHeader(header54, '5.3').id).toBe('5.4');
    const noGetPut = header54.replace(/\tstruct mmu_notifier \*\(\*alloc_notifier\)[^;]*;\n\tvoid \(\*free_notifier\)[^;]*;\n/, '');
    expect(readNotifierHeader(noGetPut).mmu_notifier_ops).not.toContain('alloc_notifier');
    expect(apiFromHeader(noGetPut, '5.3').id).toBe('5.2');
    const blockableField = noGetPut.replace(/\tstruct vm_area_struct \*vma;\n/, '').replace(/\tunsigned flags;\n\tenum mmu_notifier_event event;/, '\tbool blockable;');
    expect(apiFromHeader(blockableField, '5.1').id).toBe('5.0');
    const noRange = noGetPut.replace(/struct mmu_notifier_range \{[^}]*\};/g, '').replace('const struct mmu_notifier_range *range);', 'struct mm_struct *mm, unsigned long start, unsigned long end, bool blockable);');
    expect(readNotifierHeader(noRange).mmu_notifier_range).toBeUndefined();
    expect(apiFromHeader(noRange, '4.20').id).toBe('4.20');
    // 4.19's ops still have the int flags member (a data member, read like the callbacks)
    const withFlags = noRange.replace('struct mmu_notifier_ops {\n', 'struct mmu_notifier_ops {\n\tint flags;\n');
    expect(readNotifierHeader(withFlags).mmu_notifier_ops).toContain('flags');
    expect(apiFromHeader(withFlags, '4.19').id).toBe('4.19');
    expect(apiFromHeader(withFlags).id).toBe('4.19');
  });
  test('5.14 on: the range owner, vma gone in 6.3, the TLB hook renamed in 6.6, change_pte gone in 6.10', () => {
    const owner = header511.replace('migrate_pgmap_owner;', 'owner;');
    expect(apiFromHeader(owner, '5.15').id).toBe('5.14');
    expect(apiFromHeader(owner, '6.1').id).toBe('6.1');
    const noVma = owner.replace(/\tstruct vm_area_struct \*vma;\n/, '');
    expect(apiFromHeader(noVma, '6.4').id).toBe('6.3');
    const renamed = noVma.replace('(*invalidate_range)(', '(*arch_invalidate_secondary_tlbs)(');
    expect(apiFromHeader(renamed, '6.8').id).toBe('6.6');
    const noChangePte = renamed.replace(/\tvoid \(\*change_pte\)[^;]*;\n/, '');
    expect(apiFromHeader(noChangePte, '6.10').id).toBe('6.10');
    expect(apiFromHeader(noChangePte, '6.12').id).toBe('6.12');
    expect(apiFromHeader(noChangePte).id).toBe('6.12');
    // a 6.9 Makefile over a header without change_pte: the header wins
    expect(apiFromHeader(noChangePte, '6.9').id).toBe('6.10');
  });
  test('every level named for a release is picked by its own header facts and version', () => {
    for (const l of API_LEVELS.filter((x) => /^\d+\.\d+$/.test(x.id))) {
      const ops = l.fields.mmu_notifier_ops.map((m) => `\tvoid (*${m})(void);\n`).join('');
      const range = l.rangeFields.length ? `struct mmu_notifier_range {\n${l.rangeFields.map((f) => `\tlong ${f};\n`).join('')}};\n` : '';
      const interval = l.intervalNotifiers ? `struct mmu_interval_notifier_ops {\n${l.fields.mmu_interval_notifier_ops.map((m) => `\tbool (*${m})(void);\n`).join('')}};\n` : '';
      expect(apiFromHeader(`${range}struct mmu_notifier_ops {\n${ops}};\n${interval}`, l.id).id).toBe(l.id);
    }
  });
  test('two-pass headers: 7.1 by version, the series as posted on an older tree', () => {
    const twoPass = header511.replace('unsigned long seq);', 'unsigned long seq);\n\tbool (*invalidate_start)(void);\n\tvoid (*invalidate_finish)(void);');
    expect(apiFromHeader(twoPass, '7.1').id).toBe('7.1');
    expect(apiFromHeader(twoPass, '6.12').id).toBe('two-pass-v2');
  });
});

describe('several subscribers on one mm', () => {
  test('a lone fail-able notifier with its counting companion: imbalanced at 5.11, not from 5.12 on', () => {
    for (const api of API_LEVELS) {
      const r = explore(api, withCompanions([failing]));
      const imbalance = r.violations.filter((v) => v.invariant === 'I1' && v.notifier === 'counter');
      expect(imbalance.length > 0, api.id).toBe(!api.endAfterFailedStart);
      if (imbalance.length) {
        expect(imbalance[0]!.trace).toContain('  failing.invalidate_range_start() -> -11 [return -EAGAIN when !blockable]');
        expect(imbalance[0]!.trace).toContain('  counter.invalidate_range_start() -> 0 [probe: counts the range in (as KVM)]');
      }
    }
  });
  test('the twin is a second object of the same ops, with its own outcomes', () => {
    const [a, twin] = withCompanions([interval('mirror')]);
    expect(twin!.name).toBe('mirror#2');
    expect(twin!.ops).toBe('mirror');
    expect(twin!.callbacks).toBe(a!.callbacks);
  });
});

describe('explorer on abstract drivers built from C fixtures', () => {
  test('the c2655835fd8c imbalance: found before 5.12, gone from 5.12 on', async () => {
    const { scan } = await import('../src/engine/scan.js');
    const { exploreFiles } = await import('../src/engine/explore-files.js');
    const r = await scan({ paths: ['fixtures/model/failing-and-counting.c'], jobs: 1 });
    for (const api of API_LEVELS) {
      const [run] = exploreFiles(r.files, r.index, api);
      expect(run!.notifiers).toEqual(['drv_svm_ops', 'drv_vm_ops']);
      const imbalance = run!.violations.filter((v) => v.invariant === 'I1' && v.notifier === 'drv_vm_ops');
      expect(imbalance.length > 0, api.id).toBe(!api.endAfterFailedStart);
      if (imbalance.length) {
        expect(imbalance[0]!.scenario).toBe('a non-blockable invalidation (the OOM reaper)');
        expect(imbalance[0]!.trace).toContain('  drv_svm_ops.invalidate_range_start() -> -11 [fixtures/model/failing-and-counting.c:25: return -EAGAIN when the range is not blockable]');
      }
    }
  });
});

describe('core paths the model reproduces', () => {
  test('an hlist start failing after the interval tree succeeded leaves the interval side invalidating (6.12 core)', () => {
    const api = apiById('6.12')!;
    const core = new MmuNotifierCore(api, first);
    core.insertInterval(interval('range'));
    core.registerHlist(failing);
    const inv = core.invalidateRangeStart(R(false));
    expect(inv.ret).toBe(-11);
    core.invalidateRangeEnd(inv);
    core.checkQuiescent();
    // __mmu_notifier_invalidate_range_start returns the hlist error without mn_itree_inv_end
    expect(core.activeInvalidateRanges).toBe(1);
    expect(core.violations.map((v) => v.invariant)).toEqual(['I8']);
    expect(core.isInvalidating()).toBe(true);
  });
});
