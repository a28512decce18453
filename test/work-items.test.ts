// Work items as calls (issue 21): INIT_WORK & co bind a work field to a
// function, queue_work() puts it on a workqueue, and a flush or cancel_*_sync
// of it (or a flush of its workqueue) waits for the function: an edge of the
// summary into its `waited` list, a step of the traces, a warning when a
// finding stands on it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { scan } from '../src/engine/scan.js';
import { FactsDatabase, derivedOf } from '../src/ir/facts-db.js';
import { FALLBACK_DERIVED } from '../src/ir/kernel-api/derived.js';
import { Summarizer } from '../src/ir/summary.js';
import type { FileIR } from '../src/ir/types.js';
import { memberPath, sharedSuffix } from '../src/ir/work-items.js';
import { workFactsOf } from '../src/parser/slice.js';
import { check, REPO } from './helpers.js';

const FIXTURE = 'fixtures/rules/remove-from-callback/work.c';

describe('member paths of work items', () => {
  test('root first, subscripts and the address-of dropped, a call or cast root unknown', () => {
    expect(memberPath('&p->svms.restore_work')).toEqual({ parts: ['p', 'svms', 'restore_work'], dotted: true });
    expect(memberPath('&(p->restore_work)')).toEqual({ parts: ['p', 'restore_work'], dotted: false });
    expect(memberPath('&x->dwork.work')).toEqual({ parts: ['x', 'dwork', 'work'], dotted: true });
    expect(memberPath('&dev->ring[i].work')?.parts).toEqual(['dev', 'ring', 'work']);
    expect(memberPath('to_i915(obj->base.dev)->mm.userptr_wq')?.parts).toEqual(['?', 'mm', 'userptr_wq']);
    expect(memberPath('my_work')?.parts).toEqual(['my_work']);
    expect(memberPath('get_work(p)')).toBeNull();
    expect(memberPath('struct work_struct *work')).toBeNull();
  });

  test('the shared suffix counts agreeing members from the field back, never an unknown root', () => {
    expect(sharedSuffix(['p', 'svms', 'restore_work'], ['svms', 'restore_work'])).toBe(2);
    expect(sharedSuffix(['p', 'restore_work'], ['process', 'restore_work'])).toBe(1);
    expect(sharedSuffix(['p', 'work'], ['p', 'other'])).toBe(0);
    expect(sharedSuffix(['?', 'wq'], ['?', 'wq'])).toBe(1);
  });
});

describe('work facts of a text', () => {
  const text = readFileSync(join(REPO, FIXTURE), 'utf8');
  const { workBindings, queuedWork } = workFactsOf('work.c', text);

  test('each INIT_*WORK binds its member path to its function, with its line', () => {
    const line = (needle: string): number => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
    expect(workBindings).toContainEqual({ work: ['ranges', 'restore_work'], function: 'drv_ranges_restore', by: 'INIT_DELAYED_WORK', file: 'work.c', line: line('INIT_DELAYED_WORK(&ranges->restore_work') });
    expect(workBindings).toContainEqual({ work: ['p', 'evict'], function: 'drv_evict_worker', by: 'INIT_WORK', file: 'work.c', line: line('INIT_WORK(&p->evict') });
    expect(workBindings).toHaveLength(6);
  });

  test('queue_work() queues a work on a workqueue; a plain call is neither', () => {
    expect(queuedWork).toEqual([{ queue: ['p', 'wq'], work: ['p', 'evict'], by: 'queue_work', file: 'work.c', line: expect.any(Number) }]);
    expect(workFactsOf('x.c', 'void f(void) { schedule_work(&d->w); DECLARE_WORK(w2, g); foo(&d->w); }')).toEqual({
      workBindings: [{ work: ['w2'], function: 'g', by: 'DECLARE_WORK', file: 'x.c', line: 1 }],
      queuedWork: [{ queue: ['system_wq'], work: ['d', 'w'], by: 'schedule_work', file: 'x.c', line: 1 }],
    });
  });
});

describe('waits resolved by the facts database', () => {
  const db = new FactsDatabase();
  const files: Array<Pick<FileIR, 'file' | 'workBindings' | 'queuedWork'>> = [
    { file: 'd/a.c', workBindings: [{ work: ['process', 'restore_work'], function: 'proc_restore', by: 'INIT_DELAYED_WORK', file: 'd/a.c', line: 3 }] },
    {
      file: 'd/b.c',
      workBindings: [
        { work: ['svms', 'restore_work'], function: 'svm_restore', by: 'INIT_DELAYED_WORK', file: 'd/b.c', line: 7 },
        { work: ['x', 'dwork'], function: 'dwork_fn', by: 'INIT_DELAYED_WORK', file: 'd/b.c', line: 8 },
      ],
      queuedWork: [{ queue: ['mn', 'wq'], work: ['x', 'dwork'], by: 'queue_delayed_work', file: 'd/b.c', line: 9 }],
    },
    { file: 'e/c.c', workBindings: [{ work: ['q', 'restore_work'], function: 'far_restore', by: 'INIT_WORK', file: 'e/c.c', line: 1 }] },
  ];
  const full = FactsDatabase.ofScan(files.map((f) => ({ ...f, tables: [], bindings: [], functions: [], defined: [], apiCalls: [], includes: [], parseErrorCount: 0 })));

  test('the longest agreeing member path wins; on a tie the waiter own file; never another directory', () => {
    expect(full.waited('cancel_delayed_work_sync', ['&p->svms.restore_work'], 'd/a.c').map((w) => w.function)).toEqual(['svm_restore']);
    expect(full.waited('cancel_delayed_work_sync', ['&p->restore_work'], 'd/a.c').map((w) => w.function)).toEqual(['proc_restore']);
    expect(
      full
        .waited('cancel_delayed_work_sync', ['&p->restore_work'], 'd/z.c')
        .map((w) => w.function)
        .sort(),
    ).toEqual(['proc_restore', 'svm_restore']);
    expect(full.waited('flush_work', ['&p->restore_work'], 'f/z.c')).toEqual([]);
  });

  test('the work inside a delayed work, and a workqueue flush through its queueing calls', () => {
    expect(full.waited('flush_work', ['&x->dwork.work'], 'd/b.c').map((w) => w.function)).toEqual(['dwork_fn']);
    const [w] = full.waited('flush_workqueue', ['mn->wq'], 'd/b.c');
    expect(w).toMatchObject({ function: 'dwork_fn', queue: { name: 'mn->wq', by: 'queue_delayed_work', line: 9 } });
    expect(full.waited('flush_workqueue', ['other->wq2'], 'd/b.c')).toEqual([]);
  });

  test('a call that waits for no work, or a database of no scan, waits for nothing', () => {
    expect(full.waited('schedule_work', ['&p->svms.restore_work'], 'd/a.c')).toEqual([]);
    expect(db.waited('flush_work', ['&p->restore_work'], 'd/a.c')).toEqual([]);
  });
});

describe('the summary follows a wait into the work function', () => {
  test('its events go to `waited` with the wait as a step, not to the waiter own events', async () => {
    const r = await scan({ paths: [join(REPO, FIXTURE)], root: REPO, jobs: 1 });
    const db = FactsDatabase.ofScan(r.files);
    // the kernel's facts as a check uses them (mmu_interval_notifier_remove() sleeps)
    const s = new Summarizer(r.index.resolve, { derived: (name) => derivedOf(FALLBACK_DERIVED, name), bound: (f, from) => db.boundNear(f, from), waited: (n, a, f) => db.waited(n, a, f) });
    const release = r.index.resolve('drv_release', FIXTURE)!;
    const sum = s.summary(release);
    const lock = sum.waited.find((e) => e.kind === 'lock');
    expect(lock?.via.map((v) => [v.function, !!v.waits])).toEqual([
      ['drv_ranges_restore', true],
      ['drv_list_work', true],
    ]);
    expect(sum.waited.some((e) => e.name === 'mmput')).toBe(true);
    expect(sum.events.some((e) => e.kind === 'lock' || e.name === 'mmput')).toBe(false);
    // each wait reaches the function bound to its own `restore_work`
    expect(new Set(sum.waited.map((e) => e.via[0]!.function))).toEqual(new Set(['drv_proc_restore', 'drv_quiet', 'drv_remove_worker', 'drv_ranges_restore']));
  });
});

describe('findings through a wait', () => {
  test('a release callback waiting for work that reaches mmput(): a warning with the waits in its trace', async () => {
    const findings = (await check([FIXTURE])).filter((f) => f.rule === 'remove-from-callback');
    const mmput = findings.find((f) => f.message.includes('mmput()'));
    expect(mmput).toMatchObject({ severity: 'warning', function: 'drv_list_work' });
    expect(mmput!.message).toContain('release callback drv_release() waits for work drv_ranges_restore()');
    expect(mmput!.steps.filter((s) => s.waits).map((s) => s.text)).toEqual([
      expect.stringMatching(/^waits for work drv_ranges_restore\(\) \(bound by INIT_DELAYED_WORK at .*work\.c:\d+\)/),
      expect.stringMatching(/^waits for work drv_list_work\(\) \(bound by INIT_WORK at .*work\.c:\d+\)/),
    ]);
  });

  test('an invalidation flushing a workqueue whose work removes a notifier: a warning; the same removal waited for by a release: none', async () => {
    const findings = (await check([FIXTURE])).filter((f) => f.rule === 'remove-from-callback');
    expect(findings.map((f) => f.function).sort()).toEqual(['drv_evict_worker', 'drv_list_work']);
    const removal = findings.find((f) => f.function === 'drv_evict_worker')!;
    expect(removal.severity).toBe('warning');
    expect(removal.steps.some((s) => /queued on p->wq \(queue_work at /.test(s.text))).toBe(true);
  });
});
