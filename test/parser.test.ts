import { describe, expect, test } from 'vitest';
import { parseToIR, prepass } from '../src/parser/index.js';
import { summarize } from '../src/ir/summary.js';
import { FunctionIndex } from '../src/ir/function-index.js';

describe('kernel-macro pre-pass', () => {
  const src = `static LIST_HEAD(jobs);
static DEFINE_PER_CPU(struct drv_stat, stats);
int drv_get(struct drv *d) __must_check;
static void drv_walk(struct drv *d) __acquires(&d->lock)
{
	struct drv *x = container_of(d->head, struct drv, node);
	unsigned long n = min_t(unsigned long, d->a, d->b);

	list_for_each_entry(x, &d->list, node) {
		drv_touch(x);
	}
	scoped_guard(mutex, &d->lock) {
		drv_touch(x);
	}
#ifndef CONFIG_DRV
	drv_stub();
#else
	drv_real();
#endif
}
`;
  const out = prepass(src);

  test('keeps every offset: same length, newlines in place', () => {
    expect(out.text.length).toBe(src.length);
    for (let i = 0; i < src.length; i++) if (src[i] === '\n') expect(out.text[i]).toBe('\n');
  });

  test('rewrites the macros tree-sitter misreads', () => {
    expect(out.text).not.toContain('__must_check');
    expect(out.text).not.toContain('__acquires');
    expect(out.text).toContain('container_of(d->head, struct_drv, node)');
    expect(out.text).toContain('min_t(unsigned_long, d->a, d->b)');
    expect(out.text).toMatch(/while\s+\(x, &d->list, node\) \{/);
    expect(out.loops.map((l) => l.macro)).toEqual(['list_for_each_entry', 'scoped_guard']);
    // the #else of an #ifndef is the branch kept
    expect(out.text).toContain('drv_real();');
    expect(out.text).not.toContain('drv_stub();');
  });

  test('the result parses without ERROR nodes; the raw text does not', async () => {
    const ir = await parseToIR('x.c', src, ['drv_walk']);
    expect(ir.parseErrorCount).toBe(0);
    const fn = ir.functions.find((f) => f.name === 'drv_walk')!;
    expect(fn.parseErrors).toEqual([]);
    // the scoped_guard body runs with the lock held
    const touch = fn.events.filter((e) => e.name === 'drv_touch');
    expect(touch.map((e) => e.locks)).toEqual([[], ['d->lock']]);
    expect(touch[1]!.macro).toBe('scoped_guard');
    expect(touch[1]!.loc).toMatchObject({ line: 13, column: 3 });
  });
});

describe('IR extraction', () => {
  const src = `static bool drv_inv(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
		    unsigned long cur_seq)
{
	struct drv *d = container_of(mni, struct drv, notifier);

	if (mmu_notifier_range_blockable(range))
		mutex_lock(&d->lock);
	else if (!mutex_trylock(&d->lock))
		return false;
	mmu_interval_set_seq(mni, cur_seq);
	mutex_unlock(&d->lock);
	return true;
}

static int drv_helper(struct drv *d, bool block)
{
	if (!block)
		return -EAGAIN;
	msleep(1);
	return 0;
}

static int drv_start(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
	return drv_helper(to_drv(mn), mmu_notifier_range_blockable(range));
}

static const struct mmu_interval_notifier_ops drv_ops = {
	.invalidate = drv_inv,
};

const struct mmu_notifier_ops drv_mn_ops = {
	.invalidate_range_start = &drv_start,
	.release = NULL,
};

void drv_bind(struct drv *d)
{
	d->mn.ops = &drv_mn_ops;
}
`;

  test('ops tables with every field, location and kind', async () => {
    const ir = await parseToIR('drv.c', src);
    expect(ir.tables.map((t) => ({ name: t.name, kind: t.kind, line: t.loc.line, isStatic: t.isStatic, isConst: t.isConst, fields: t.fields.map((f) => [f.field, f.function, f.value]) }))).toEqual([
      { name: 'drv_ops', kind: 'mmu_interval_notifier_ops', line: 28, isStatic: true, isConst: true, fields: [['invalidate', 'drv_inv', 'drv_inv']] },
      {
        name: 'drv_mn_ops',
        kind: 'mmu_notifier_ops',
        line: 32,
        isStatic: false,
        isConst: true,
        fields: [
          ['invalidate_range_start', 'drv_start', '&drv_start'],
          ['release', null, 'NULL'],
        ],
      },
    ]);
    expect(ir.bindings.map((b) => [b.table, b.target, b.function, b.loc.line])).toEqual([['drv_mn_ops', 'd->mn.ops', 'drv_bind', 39]]);
  });

  test('paths: the trylock pattern holds the lock on every path that sets the sequence', async () => {
    const ir = await parseToIR('drv.c', src);
    const fn = ir.functions.find((f) => f.name === 'drv_inv')!;
    const setSeq = fn.events.filter((e) => e.kind === 'set_seq');
    expect(setSeq.map((e) => [e.when, e.locks])).toEqual([
      [{ blockable: true }, ['d->lock']],
      [{ blockable: false, 'trylock:d->lock': true }, ['d->lock']],
    ]);
    expect(fn.returns.map((r) => [r.text, r.when])).toEqual([
      ['false', { blockable: false, 'trylock:d->lock': false }],
      ['true', { blockable: true }],
      ['true', { blockable: false, 'trylock:d->lock': true }],
    ]);
    const lock = fn.events.find((e) => e.kind === 'lock')!;
    expect(lock).toMatchObject({ name: 'mutex_lock', lock: 'd->lock', sleeps: true, when: { blockable: true } });
  });

  test('interprocedural: a callee testing its flag parameter is matched to the caller blockable flag', async () => {
    const ir = await parseToIR('drv.c', src);
    const index = FunctionIndex.of([ir]);
    const s = summarize(ir.functions.find((f) => f.name === 'drv_start')!, index.resolve);
    expect(s.returns.map((r) => [r.text, r.when, r.via.map((v) => v.function)])).toEqual([
      ['-EAGAIN', { blockable: false }, ['drv_helper']],
      ['0', { blockable: true }, ['drv_helper']],
    ]);
    const sleep = s.events.find((e) => e.name === 'msleep')!;
    // tied to the outcome it leads to: the helper's `return 0`
    expect(sleep.when).toEqual({ blockable: true, 'ret:drv_helper@25:9': false });
    expect(sleep.via.map((v) => v.function)).toEqual(['drv_helper']);
  });

  test('only callbacks and wanted functions are walked; all definitions are listed', async () => {
    const ir = await parseToIR('drv.c', src);
    expect(ir.functions.map((f) => f.name)).toEqual(['drv_inv', 'drv_helper', 'drv_start']);
    expect(ir.defined.map((d) => d.name)).toEqual(['drv_inv', 'drv_helper', 'drv_start', 'drv_bind']);
  });
});
