// Printers for `check`: checkpatch-like text, terse lines, and JSON.
import { atLeast, type Finding } from '../rules/rule.js';
import type { ScanStats } from '../engine/scan.js';
import type { BaselineSummary } from './baseline.js';
import { assumedLines, type Assumptions } from './assumed.js';
import { CheckReportSchema } from './schema.js';
import { renderTrace } from './trace.js';

export type FailOn = 'error' | 'warning' | 'info' | 'never';
export const FAIL_ON: readonly FailOn[] = ['error', 'warning', 'info', 'never'];

/** Whether a finding reaches the `--fail-on` bar. */
export function failsAt(findings: readonly Finding[], failOn: FailOn): boolean {
  return failOn !== 'never' && findings.some((f) => atLeast(f.severity, failOn));
}

export type LineText = (file: string, line: number) => string | undefined;

/** checkpatch's block: `ERROR:TYPE: message`, `#file:line:`, the line, then the trace. */
export function formatText(findings: readonly Finding[], stats: ScanStats, lineText: LineText, assumptions?: Assumptions): string {
  const out: string[] = [];
  for (const f of findings) {
    out.push(`${f.severity.toUpperCase()}:${f.rule}: ${f.message}`);
    out.push(`#${f.file}:${f.line}:`);
    const src = lineText(f.file, f.line);
    if (src !== undefined) out.push(`+${src}`);
    for (const t of renderTrace(f)) out.push(`  ${t}`);
    out.push('');
  }
  const count = (s: string): number => findings.filter((f) => f.severity === s).length;
  out.push(`total: ${count('error')} errors, ${count('warning')} warnings, ${count('info')} infos, ${stats.tables} ops tables, ${stats.callbacks} callbacks, ${stats.parsedFiles} files parsed of ${stats.files}`);
  // what the run assumed, under the total
  if (assumptions) out.push(...assumedLines(assumptions));
  return `${out.join('\n')}\n`;
}

/** One line a finding, like a compiler: `file:line: severity: message [rule]`. */
export function formatTerse(findings: readonly Finding[]): string {
  return findings.map((f) => `${f.file}:${f.line}: ${f.severity}: ${f.message} [${f.rule}]\n`).join('');
}

/** A finding as the JSON contract has it: the trace rendered as the text printers show it, and its steps as data. */
export function asJson(f: Finding): Finding & { trace: string[] } {
  return { ...f, trace: renderTrace(f), steps: f.steps };
}

export function formatJson(findings: readonly Finding[], stats: ScanStats, version: string, errors: readonly string[] = [], baseline?: BaselineSummary, assumptions?: Assumptions): string {
  const report = CheckReportSchema.parse({
    tool: 'mnlint',
    version,
    findings: findings.map(asJson),
    stats,
    ...(errors.length ? { errors } : {}),
    ...(baseline ? { baseline } : {}),
    ...(assumptions ? { assumptions } : {}),
  });
  return `${JSON.stringify(report, null, 2)}\n`;
}
