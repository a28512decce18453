// A finding's trace as text, the one rendering every printer shares: a step
// at a place reads `file:line: text`, as a compiler's note does.
import type { Finding, Step } from '../rules/rule.js';

/**
 * `file:line: text` at a line, `file: text` at a whole file; a remark as it
 * is, and a model line too (its text names the driver's place already).
 */
export function renderStep(s: Step): string {
  if (s.role === 'model' || s.file === undefined) return s.text;
  return s.line === undefined ? `${s.file}: ${s.text}` : `${s.file}:${s.line}: ${s.text}`;
}

/** A finding's trace, a line a step. */
export function renderTrace(f: Pick<Finding, 'steps'>): string[] {
  return f.steps.map(renderStep);
}
