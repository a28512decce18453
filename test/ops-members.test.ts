// Calls through an ops member (`obj->ops->put_pages(obj, pages)`) resolved to
// the functions the tree's designated initializers of that struct type set
// the member to, looked up near the caller when the scan did not parse them
// (issue 22, traffic posting A6: "drm/i915/userptr: Acquire the page lock
// around set_page_dirty()", reverted by 505a8ec7e11a). A finding reached
// through one of several candidates is a warning naming the call and the
// candidate. Fixtures: fixtures/rules/page-lock-under-notifier-lock/callback-*.c.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { designatedBindingsOf } from '../src/parser/slice.js';
import { check } from './helpers.js';

describe('designated initializers with their struct types', () => {
  test('a member of a struct variable, of an array element; not a nested member, code or a comment', () => {
    const text = [
      'static void a(struct o *x) { }',
      'static void b(struct o *x) { }',
      'static void c(struct o *x) { }',
      'static const struct o_ops one = {',
      '\t.put = a,',
      '\t.inner = { .put = b },',
      '};',
      'static struct o_ops many[] __read_mostly = { { .put = b }, { .put = c } };',
      '/* .put = c, */',
      'void f(struct o *x) { x->put = c; struct o_ops l = { .get = a }; }',
    ].join('\n');
    const got = designatedBindingsOf('x.c', text).map((b) => `${b.struct}.${b.field}=${b.function}@${b.line}`);
    expect(got).toEqual(['o_ops.put=a@5', 'o_ops.put=b@8', 'o_ops.put=c@8', 'o_ops.get=a@10']);
  });

  test('a declaration with no initializer is given up in linear time (a long name once backtracked without end)', () => {
    const started = Date.now();
    expect(designatedBindingsOf('x.c', `static struct s ${'a'.repeat(60)} ${'b'.repeat(60)};\n`)).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

const HEADER = `struct drv_obj;
struct drv_obj_ops {
	void (*put_pages)(struct drv_obj *obj, struct page **pages);
};
struct drv_obj {
	const struct drv_obj_ops *ops;
	struct page **pages;
	unsigned long npages;
};
`;

const NOTIFIER = `#include <linux/mmu_notifier.h>
#include "drv.h"
struct drv_mn {
	struct mmu_notifier mn;
	struct drv_obj *obj;
};
void drv_obj_put_pages(struct drv_obj *obj);
static int drv_mn_invalidate_range_start(struct mmu_notifier *mn, const struct mmu_notifier_range *range)
{
	struct drv_mn *d = container_of(mn, struct drv_mn, mn);

	if (!mmu_notifier_range_blockable(range))
		return -EAGAIN;
	drv_obj_put_pages(d->obj);
	return 0;
}
static const struct mmu_notifier_ops drv_mn_ops = {
	.invalidate_range_start = drv_mn_invalidate_range_start,
};
`;

const PAGES = `#include "drv.h"
void drv_obj_put_pages(struct drv_obj *obj)
{
	struct page **pages = obj->pages;

	obj->pages = NULL;
	if (pages)
		obj->ops->put_pages(obj, pages);
}
`;

/** A backend in a file of its own that names no notifier: only the lookup of the member's initializers finds it. */
function backend(name: string, dirty: string): string {
  return `#include "drv.h"
static void ${name}_put_pages(struct drv_obj *obj, struct page **pages)
{
	unsigned long i;

	for (i = 0; i < obj->npages; i++) {
		${dirty}(pages[i]);
		put_page(pages[i]);
	}
}
static const struct drv_obj_ops ${name}_ops = {
	.put_pages = ${name}_put_pages,
};
`;
}

function tree(backends: Record<string, string>, extra: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'mnlint-ops-'));
  const dir = join(root, 'drivers', 'drv');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'drv.h'), HEADER);
  writeFileSync(join(dir, 'mn.c'), NOTIFIER);
  writeFileSync(join(dir, 'pages.c'), PAGES);
  for (const [name, dirty] of Object.entries(backends)) writeFileSync(join(dir, `${name}.c`), backend(name, dirty));
  for (const [file, text] of Object.entries(extra)) writeFileSync(join(dir, file), text);
  return root;
}

describe('a callback reaching a backend through obj->ops->put_pages()', () => {
  test('the backend that takes the folio lock is found in a file the scan would not parse: a warning naming the call and the candidate', async () => {
    const root = tree({ userptr: 'set_page_dirty_lock', shmem: 'set_page_dirty' });
    const findings = (await check(['drivers/drv'], root)).filter((f) => f.rule === 'page-lock-under-notifier-lock');
    expect(findings.map((f) => `${f.file}:${f.line} ${f.severity} ${f.function}`)).toEqual(['userptr.c:7 warning userptr_put_pages']);
    expect(findings[0]!.message).toContain('pages.c:8 calls through ->put_pages() of struct drv_obj_ops, which the tree sets to userptr_put_pages() (userptr.c:12), one of 2 functions');
  });

  test('the good twin: no backend takes a folio lock', async () => {
    const root = tree({ userptr: 'set_page_dirty', shmem: 'set_page_dirty' });
    expect((await check(['drivers/drv'], root)).filter((f) => f.rule === 'page-lock-under-notifier-lock')).toEqual([]);
  });

  test(`past ${16} candidates of the type the call is left unresolved`, async () => {
    const backends: Record<string, string> = { userptr: 'set_page_dirty_lock' };
    for (let i = 0; i < 16; i++) backends[`b${i}`] = 'set_page_dirty';
    const root = tree(backends);
    expect((await check(['drivers/drv'], root)).filter((f) => f.rule === 'page-lock-under-notifier-lock')).toEqual([]);
  });

  test('a function of another arity set to a member of that name is no candidate', async () => {
    const other = `static void lock_first(struct page **pages)
{
	lock_page(pages[0]);
}
static struct page_hooks { void (*put_pages)(struct page **); } hooks = {
	.put_pages = lock_first,
};
`;
    const root = tree({ shmem: 'set_page_dirty' }, { 'pages.c': PAGES + other });
    expect((await check(['drivers/drv'], root)).filter((f) => f.rule === 'page-lock-under-notifier-lock')).toEqual([]);
  });
});
