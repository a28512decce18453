// SARIF 2.1.0 (for GitHub code scanning and friends) and reviewdog's rdjsonl.
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { occurrenceKeys, type Finding, type Rule, type Step } from '../rules/rule.js';
import type { BaselineSummary } from './baseline.js';
import { formatExplain } from './rules.js';
import { renderTrace } from './trace.js';

const LEVEL: Record<Finding['severity'], 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/**
 * A fingerprint that survives code moving up or down: the rule, the file, the
 * function and the message with its `file:line` references taken out.
 */
/** Each finding's fingerprint: its occurrence key, hashed (unique per finding, stable across line moves). */
export function fingerprints(findings: readonly Finding[]): Map<Finding, string> {
  const keys = occurrenceKeys(findings);
  return new Map([...keys].map(([f, k]) => [f, createHash('sha256').update(k).digest('hex').slice(0, 32)]));
}

export interface SarifBase {
  /** the directory URIs are relative to (absolute): the repository's top */
  root: string;
  /** the scanned tree's path below it ('' when they are one), prefixed to each finding's file */
  prefix: string;
}

/** What a run did not see: the run is marked partial, and each gap is a notification of its invocation. */
export interface SarifRunNotes {
  partial: boolean;
  notifications: ReadonlyArray<{ id: string; text: string; file?: string; line?: number }>;
}

export const INFORMATION_URI = 'https://github.com/mnlint/mnlint';

/**
 * SARIF 2.1.0. URIs are relative to the repository root (`%SRCROOT%`, defined
 * in originalUriBaseIds), so code scanning matches them to the repository's
 * files whatever directory was scanned.
 *
 * Compared with a baseline, the results are its new findings, each with
 * `baselineState: "new"`; the unchanged ones (in the baseline, found again)
 * and the absent ones (in it, no longer found) are not results, because
 * GitHub code scanning opens an alert for every result whatever its
 * baselineState, kind or suppressions: they are counted in the run's
 * `properties.baseline` (`unchanged`, and `fixed`: the entries absent).
 */
export function formatSarif(findings: readonly Finding[], rules: readonly Rule[], version: string, base?: SarifBase, notes?: SarifRunNotes, runProperties?: Record<string, unknown>, baseline?: BaselineSummary): string {
  const uri = (file: string): string => (base?.prefix ? `${base.prefix}/${file}` : file);
  // every rule of the run, so ruleIndex is stable whatever fired
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const prints = fingerprints(findings);
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'mnlint',
            version,
            informationUri: INFORMATION_URI,
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase()),
              shortDescription: { text: r.title.replace(/`/g, '') },
              fullDescription: { text: r.docs.what },
              help: { text: formatExplain(r), markdown: formatExplain(r) },
              defaultConfiguration: { level: LEVEL[r.severity] },
              properties: { invariant: r.invariant, tags: ['mmu_notifier', r.invariant] },
            })),
          },
        },
        ...(base ? { originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(base.root.endsWith('/') ? base.root : `${base.root}/`).href } } } : {}),
        columnKind: 'utf16CodeUnits',
        // a partial review: the run says so, each hunk not reviewed is a notification
        ...(notes?.partial
          ? {
              invocations: [
                {
                  executionSuccessful: true,
                  toolExecutionNotifications: notes.notifications.map((n) => ({
                    descriptor: { id: n.id },
                    level: 'warning',
                    message: { text: n.text },
                    ...(n.file ? { locations: [{ physicalLocation: { artifactLocation: { uri: uri(n.file), uriBaseId: '%SRCROOT%' }, ...(n.line ? { region: { startLine: n.line } } : {}) } }] } : {}),
                  })),
                },
              ],
            }
          : {}),
        results: findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: index.get(f.rule),
          level: LEVEL[f.severity],
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: uri(f.file), uriBaseId: '%SRCROOT%' },
                region: { startLine: f.line, startColumn: f.column, endLine: Math.max(f.line, f.endLine) },
              },
              ...(f.function ? { logicalLocations: [{ name: f.function, kind: 'function' }] } : {}),
            },
          ],
          ...pathOf(f.steps, uri),
          partialFingerprints: { 'mnlint/v2': prints.get(f)! },
          ...(baseline ? { baselineState: 'new' } : {}),
          properties: { invariant: f.invariant, trace: renderTrace(f) },
        })),
        ...(notes?.partial || runProperties || baseline ? { properties: { ...(notes?.partial ? { partial: true } : {}), ...runProperties, ...(baseline ? { baseline } : {}) } } : {}),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

type Located = Step & { file: string; line: number };

/**
 * The trace's located steps as a code flow (GitHub's "show paths") and as
 * related locations; nothing when no step has a place (a remark, a model line
 * of its own, a step on a whole file are left to properties.trace).
 */
function pathOf(steps: readonly Step[], uri: (file: string) => string): object {
  const located = steps.filter((s): s is Located => s.file !== undefined && s.line !== undefined);
  if (!located.length) return {};
  const at = (s: Located) => ({
    physicalLocation: {
      artifactLocation: { uri: uri(s.file), uriBaseId: '%SRCROOT%' },
      region: { startLine: s.line, ...(s.column !== undefined ? { startColumn: s.column } : {}) },
    },
    // a model line is indented under its scenario in text; not here
    message: { text: s.text.trim() },
  });
  return {
    codeFlows: [{ threadFlows: [{ locations: located.map((s) => ({ location: at(s) })) }] }],
    relatedLocations: located.map((s, i) => ({ id: i + 1, ...at(s) })),
  };
}

const RD_SEVERITY: Record<Finding['severity'], string> = { error: 'ERROR', warning: 'WARNING', info: 'INFO' };

/** reviewdog's rdjsonl: one diagnostic a line. */
export function formatRdjsonl(findings: readonly Finding[]): string {
  return findings
    .map(
      (f) =>
        `${JSON.stringify({
          message: f.message,
          location: { path: f.file, range: { start: { line: f.line, column: f.column }, end: { line: Math.max(f.line, f.endLine) } } },
          severity: RD_SEVERITY[f.severity],
          source: { name: 'mnlint' },
          code: { value: f.rule },
        })}\n`,
    )
    .join('');
}
