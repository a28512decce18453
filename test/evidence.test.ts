// A finding's model counterexample is the one whose violation is that
// finding's own (kind, callback, return site), never another defect's with
// the same invariant (issue 20: the leak's finding used to carry the global
// finish's trace).
import { describe, expect, test } from 'vitest';
import { analyze } from '../src/engine/analyze.js';
import { scan } from '../src/engine/scan.js';
import { apiById } from '../src/model/api.js';
import { check } from './helpers.js';

const TWO_DEFECTS = 'fixtures/rules/finish-leak-on-false/with-global-finish.c';

describe('evidence by violation', () => {
  test('two I7 defects in one callback: each finding has its own trace', async () => {
    const findings = await check([TWO_DEFECTS]);
    const leak = findings.find((f) => f.rule === 'finish-leak-on-false');
    const shared = findings.find((f) => f.rule === 'shared-finish-unguarded');
    expect(leak).toBeDefined();
    expect(shared).toBeDefined();
    // the model never runs the leaking return with a finish handed out: no counterexample, the source trace
    expect(leak!.steps.some((s) => s.role === 'model')).toBe(false);
    expect(leak!.diagram).toBeUndefined();
    expect(leak!.steps.at(-1)).toMatchObject({ file: TWO_DEFECTS, line: leak!.line, role: 'return' });
    expect(leak!.steps.at(-1)!.text).toMatch(/^returns false/);
    // the global finish's counterexample stays with its own finding
    expect(shared!.steps[0]).toMatchObject({ role: 'model' });
    expect(shared!.steps[0]!.text).toMatch(/^model \(API 7\.1\)/);
    expect(shared!.steps.at(-1)!.text).toContain('global-finish');
  });

  test('the model view answers by kind, callback and site', async () => {
    const result = await scan({ paths: [TWO_DEFECTS], jobs: 1 });
    const seen: Array<{ blockableSite: boolean; leakSite: boolean; otherCallback: boolean }> = [];
    analyze(
      result.files,
      result.index,
      [
        {
          id: 'probe',
          title: 'probe',
          severity: 'info',
          invariant: 'I7',
          status: 'preview',
          since: '0.1.0',
          docs: { what: '', why: '', bad: '', good: '', references: [] },
          messages: {},
          checkTable(table, ctx) {
            const view = ctx.model(table);
            const kinds = ['finish-shared-by-all'] as const;
            seen.push({
              // the blockable return that hands out the global finish (line 41)
              blockableSite: !!view.find({ kinds, callback: 'invalidate_start', site: { file: table.file, line: 41 } }),
              // the leaking return (line 51) is not where the global finish comes from
              leakSite: !!view.find({ kinds, callback: 'invalidate_start', site: { file: table.file, line: 51 } }),
              otherCallback: !!view.find({ kinds, callback: 'invalidate' }),
            });
          },
        },
      ],
      apiById('7.1')!,
    );
    expect(seen).toEqual([{ blockableSite: true, leakSite: false, otherCallback: false }]);
  });
});
