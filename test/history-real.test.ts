// The real-file benchmark of the real-bug set (test/history/real.ts): the
// catalogue is well formed, every measured fix keeps the outcome recorded
// here on its real pre-fix file, and no post-fix file gets an error of the
// bug's rule at the fix. A bug whose release trees are not cached is skipped
// and named (bench/releases: the sweep manifest and extra-manifest.json).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { RULES } from '../src/rules/index.js';
import { REPO } from './helpers.js';
import { BUGS } from './history/bugs.js';
import { evaluateReal, functionSpans, haveRelease, releaseRoot } from './history/real.js';
import { skipUnless } from './needs.js';

/** What the benchmark measured (bench/history.ts): a change here is a change of recall, to be explained. */
const OUTCOME: Record<string, 'found' | 'missed'> = {
  'hmm-notifiers-count': 'found',
  'hmm-shadowed-ret': 'missed',
  'odp-umem-rwsem': 'found',
  'amdkfd-mmput': 'found',
  'core-remove-race': 'found',
  'core-range-end-pairing': 'found',
  'xe-pages-before-retry': 'missed',
  'xe-folio-deadlock': 'found',
  'odp-missed-unlock': 'found',
  'i915-flush-cancel-worker': 'missed',
  'hfi1-cover-invalidate': 'found',
  'amdkfd-userptr-notifier-lock': 'missed',
  'kvm-arm64-resched-nonblock': 'missed',
  'hmm-range-end-sleep': 'found',
  'hmm-mirrors-sem-nonblock': 'found',
  'odp-notifier-count-eagain': 'found',
  'kfd-release-cancels-restore-work': 'missed',
  'i915-userptr-mm-lock': 'missed',
};

describe('the real-bug catalogue', () => {
  test('every entry names its fix, invariant and rule, and its release sites are whole', () => {
    const ids = new Set<string>();
    const ruleIds = new Set(RULES.map((r) => r.id));
    for (const b of BUGS) {
      expect(ids.has(b.id), `${b.id} twice`).toBe(false);
      ids.add(b.id);
      expect(b.fix, b.id).toMatch(/^([0-9a-f]{12} \(".+"\)|".+" \(Message-Id <.+>)/);
      if (b.rule === null) expect(b.why, `${b.id}: no rule, so say why`).toBeTruthy();
      else expect(ruleIds.has(b.rule), `${b.id}: rule ${b.rule}`).toBe(true);
      if ('none' in b.real) continue;
      for (const site of [b.real.pre, b.real.post]) {
        expect(site.file.startsWith(`${site.dir}/`), `${b.id}: ${site.file} is under ${site.dir}`).toBe(true);
        expect(site.fns.length, b.id).toBeGreaterThan(0);
      }
    }
    // every measured bug has a recorded outcome, and only those
    const measurable = BUGS.filter((b) => b.rule !== null && !('none' in b.real)).map((b) => b.id);
    expect(Object.keys(OUTCOME).sort()).toEqual(measurable.sort());
  });

  test('the function finder sees multi-line heads and skips prototypes', () => {
    const text = 'static int\nfoo(int a,\n    int b);\n\nstatic int\nfoo(int a,\n    int b)\n{\n\tif (a) {\n\t\treturn b;\n\t}\n\treturn 0;\n}\nint bar(void) { return foo(1, 2); }\n';
    expect(functionSpans(text, 'foo')).toEqual([[6, 13]]);
    expect(functionSpans(text, 'bar')).toEqual([[14, 14]]);
  });
});

describe('real pre-fix and post-fix files in their release trees', () => {
  for (const b of BUGS) {
    if (b.rule === null || 'none' in b.real) continue;
    const { pre, post } = b.real;
    test(`${b.id}: ${b.fix}`, async (ctx) => {
      const absent = [pre.release, post.release].filter((r) => !haveRelease(r));
      skipUnless(ctx, absent.length ? `release trees ${absent.join(', ')} (not in ${join(REPO, '.cache', 'releases')})` : null);
      for (const site of [pre, post]) {
        const path = join(releaseRoot(site.release), site.file);
        expect(existsSync(path), path).toBe(true);
        expect(functionSpans(readFileSync(path, 'utf8'), site.fns[0]!).length, `${site.fns[0]}() in ${site.release}/${site.file}`).toBeGreaterThan(0);
      }
      const r = await evaluateReal(b);
      expect(r.found ? 'found' : 'missed', 'the pre-fix file').toBe(OUTCOME[b.id]);
      expect(
        r.post!.errors.map((f) => `${f.file}:${f.line} ${f.message}`),
        'no error of the rule at the fix after it',
      ).toEqual([]);
    }, 120_000);
  }
});
