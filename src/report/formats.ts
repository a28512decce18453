// The output formats: which command prints which, and one renderer for a list
// of findings, shared by the CLI and the Action.
import type { ScanStats } from '../engine/scan.js';
import type { Finding, Rule } from '../rules/rule.js';
import type { BaselineSummary } from './baseline.js';
import type { Assumptions } from './assumed.js';
import { formatJson, formatTerse, formatText, type LineText } from './findings.js';
import { formatHtml } from './html.js';
import { formatRdjsonl, formatSarif, type SarifBase, type SarifRunNotes } from './sarif.js';

/** The formats of a list of findings (`check`, and `patch`/`git` after their own ones). */
export const FINDING_FORMATS = ['text', 'terse', 'json', 'sarif', 'rdjsonl'] as const;
export type FindingFormat = (typeof FINDING_FORMATS)[number];

/** Each command's formats; the first is its default. */
export const FORMATS = {
  // html: one page with the source lines and the diagrams
  check: [...FINDING_FORMATS, 'html'],
  // checkpatch's shapes (text, checkpatch, terse), the machine ones, and replies
  patch: ['text', 'checkpatch', 'terse', 'json', 'email', 'sarif', 'rdjsonl'],
  inventory: ['text', 'json'],
  rules: ['text', 'json'],
  explore: ['text', 'json'],
  checklist: ['markdown', 'json', 'b4'],
} as const satisfies Record<string, readonly string[]>;
export type FormatCommand = keyof typeof FORMATS;

/** The format asked for, the command's default when none was; a string saying why when the command has no such format. */
export function formatFor<C extends FormatCommand>(command: C, asked: string | undefined, label: string = command): (typeof FORMATS)[C][number] | { error: string } {
  const names: readonly string[] = FORMATS[command];
  const format = asked ?? names[0]!;
  return names.includes(format) ? (format as (typeof FORMATS)[C][number]) : { error: `${label}: unknown --format ${format} (${names.join(', ')})` };
}

/** For the formats that carry no scan statistics (SARIF, rdjsonl) when nothing was scanned. */
export const NO_SCAN_STATS: ScanStats = { files: 0, parsedFiles: 0, tables: 0, callbacks: 0, parseErrors: 0 };

export interface FindingsOutput {
  findings: readonly Finding[];
  stats: ScanStats;
  /** every rule of the run (SARIF lists them all) */
  rules: readonly Rule[];
  version: string;
  /** text: the source line under each finding */
  lineText: LineText;
  /** sarif: where URIs start */
  sarifBase?: SarifBase;
  /** sarif: what the run did not see (a partial patch review) */
  sarifNotes?: SarifRunNotes;
  /** json: the inputs that could not be read */
  errors?: readonly string[];
  /** sarif: the run's properties (a patch review: the bases reviewed against) */
  runProperties?: Record<string, unknown>;
  /** json, sarif: the findings were compared with a baseline (they are its new ones) */
  baseline?: BaselineSummary;
  /** what the run assumed (the API level and its source, the functions seen in part): text lines under the total, JSON's and SARIF's `assumptions`, the HTML header; not terse or rdjsonl (a line a finding) */
  assumptions?: Assumptions;
}

export function renderFindings(format: FindingFormat | 'html', out: FindingsOutput): string {
  switch (format) {
    case 'html':
      return formatHtml(out.findings, out.stats, out.lineText, out.version, out.assumptions);
    case 'json':
      return formatJson(out.findings, out.stats, out.version, out.errors, out.baseline, out.assumptions);
    case 'sarif':
      return formatSarif(out.findings, out.rules, out.version, out.sarifBase, out.sarifNotes, out.assumptions ? { ...out.runProperties, assumptions: out.assumptions } : out.runProperties, out.baseline);
    case 'rdjsonl':
      return formatRdjsonl(out.findings);
    case 'terse':
      return formatTerse(out.findings);
    case 'text':
      return formatText(out.findings, out.stats, out.lineText, out.assumptions);
  }
}
