// The real-bug catalogue (test/history/bugs.ts) is well formed and every
// fix measurable on real files has a recorded outcome. The measure itself
// needs fetched release trees, which CI cannot have: `npx tsx
// bench/history.ts` checks each outcome and every post-fix file, and exits 1
// on a change.
import { describe, expect, test } from 'vitest';
import { RULES } from '../src/rules/index.js';
import { BUGS } from './history/bugs.js';
import { OUTCOME } from './history/outcomes.js';
import { functionSpans } from './history/real.js';

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
        const dirs = typeof site.dir === 'string' ? [site.dir] : site.dir;
        expect(
          dirs.some((d) => site.file.startsWith(`${d}/`)),
          `${b.id}: ${site.file} is under ${dirs.join(', ')}`,
        ).toBe(true);
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
