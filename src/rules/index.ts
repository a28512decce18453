// The rule registry. Adding a rule: one file in this folder, one line here,
// fixtures in fixtures/rules/<id>/ (see `npm run new-rule`).
import type { Rule } from './rule.js';
import rangeEndWithFailingStart from './range-end-with-failing-start.js';
import sleepingGfpInFirstPass from './sleeping-gfp-in-first-pass.js';
import twoPassStartWithoutFinish from './two-pass-start-without-finish.js';

export const RULES: readonly Rule[] = [
  rangeEndWithFailingStart,
  sleepingGfpInFirstPass,
  twoPassStartWithoutFinish,
].sort((a, b) => a.id.localeCompare(b.id));

export function findRule(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}

export type { Rule, Finding, Severity, Invariant } from './rule.js';
