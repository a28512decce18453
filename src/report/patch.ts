// Printers for `mnlint patch`: findings grouped by patch.
import { describeRejected, partialNote, type PatchReview } from '../engine/review.js';
import { inputLineOf, seriesLabel, type FilePatch, type Series } from '../input/patch.js';
import type { Finding } from '../rules/rule.js';
import { changedLines } from '../input/apply.js';
import { asJson, type LineText } from './findings.js';
import { CheckReportSchema } from './schema.js';
import * as z from 'zod/mini';
import { renderTrace } from './trace.js';
import type { SarifRunNotes } from './sarif.js';
import type { LevelChoice } from '../input/tree.js';
import { apiLine, apiUsed, ApiUsedSchema } from './assumed.js';

export const PatchReportSchema = z.object({
  tool: z.literal('mnlint'),
  version: z.string(),
  partial: z.boolean(),
  series: z.array(
    z.object({
      source: z.string(),
      /** the series as a maintainer names it: `[PATCH AUTOSEL 5.15 0/41] title` */
      label: z.string(),
      version: z.number(),
      /** what the subjects say besides vN M/T: RFC, RESEND, the stable release (AUTOSEL), tree tags */
      labels: z.object({ rfc: z.boolean(), resend: z.boolean(), stable: z.nullable(z.string()), autosel: z.boolean(), tags: z.array(z.string()) }),
      cover: z.nullable(z.string()),
      /** which base the series was reviewed against, in one line */
      base: z.optional(z.string()),
      /** what the base lacked: prerequisite patches missing or not applying */
      baseProblems: z.optional(z.array(z.string())),
      /** the API level the series was reviewed at, and where it came from */
      api: z.optional(ApiUsedSchema),
      dropped: z.array(z.string()),
      patches: z.array(
        z.object({
          label: z.string(),
          index: z.number(),
          total: z.number(),
          messageId: z.nullable(z.string()),
          problems: z.array(z.string()),
          /** only part of the patch was reviewed: no tree, or hunks that did not apply */
          partial: z.boolean(),
          /** the hunks that did not apply (not in the image, not reviewed) */
          rejected: z.array(
            z.object({
              file: z.string(),
              hunk: z.number(),
              total: z.number(),
              header: z.string(),
              reason: z.string(),
              conflictsWith: z.optional(z.number()),
            }),
          ),
          findings: CheckReportSchema.shape.findings,
          /** findings of the base that the patch removes (the `new` filter) */
          fixed: CheckReportSchema.shape.findings,
        }),
      ),
    }),
  ),
});

/** A series' reviews, with the base they were made against. */
export interface PatchRun {
  series: Series;
  reviews: PatchReview[];
  base?: string;
  baseProblems?: string[];
  /** the API level the series was reviewed at, and where it came from */
  api?: LevelChoice;
}

export function formatPatchJson(runs: ReadonlyArray<PatchRun>, version: string): string {
  const report = PatchReportSchema.parse({
    tool: 'mnlint',
    version,
    partial: runs.some((r) => r.reviews.some((x) => x.partial)),
    series: runs.map(({ series, reviews, base, baseProblems, api }) => ({
      source: series.source,
      label: seriesLabel(series),
      version: series.version,
      labels: series.labels ?? { rfc: false, resend: false, stable: null, autosel: false, tags: [] },
      cover: series.cover?.subject ?? null,
      ...(base !== undefined ? { base } : {}),
      ...(baseProblems?.length ? { baseProblems } : {}),
      ...(api ? { api: apiUsed(api) } : {}),
      dropped: series.dropped,
      patches: reviews.map((r) => ({
        label: r.label,
        index: r.patch.index,
        total: r.patch.total,
        messageId: r.patch.messageId,
        problems: r.problems,
        partial: r.partial,
        rejected: r.rejected.map((x) => ({ ...x })),
        findings: r.findings.map(asJson),
        fixed: r.fixed.map(asJson),
      })),
    })),
  });
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** For SARIF: the partial reviews of the runs, each rejected hunk a notification. */
export function patchSarifNotes(runs: ReadonlyArray<{ reviews: PatchReview[] }>): SarifRunNotes {
  const reviews = runs.flatMap((r) => r.reviews);
  return {
    partial: reviews.some((r) => r.partial),
    notifications: reviews.flatMap((r) => {
      if (!r.partial) return [];
      if (!r.rejected.length) return [{ id: 'mnlint/partial-review', text: `${r.label}: partial review: ${partialNote(r)}` }];
      return r.rejected.map((x) => {
        const hunk = r.patch.files.find((f) => (f.newPath ?? f.oldPath) === x.file)?.hunks[x.hunk - 1];
        return { id: 'mnlint/rejected-hunk', text: `${r.label}: ${describeRejected(x)} (not reviewed)`, file: x.file, ...(hunk ? { line: Math.max(1, hunk.oldStart) } : {}) };
      });
    }),
  };
}

export interface PatchTextOptions {
  /** checkpatch's --terse: one `FILE:N: LEVEL:TYPE: message` line per finding */
  terse?: boolean;
  /** the bare checkpatch block (what b4's prep --check reads): no patch labels, traces or fixed lines */
  checkpatch?: boolean;
  /** checkpatch's --no-summary: no `total:` line */
  summary?: boolean;
}

/**
 * checkpatch's output shape: `LEVEL:TYPE: message`, `#N: FILE: path:line:`
 * (N the line in the patch file), the quoted line, and per input
 * `total: N errors, N warnings, N lines checked`. The text format adds the
 * patch labels, the traces and the findings each patch fixes.
 */
export function formatPatchText(runs: ReadonlyArray<PatchRun>, lineText: LineText, opts: PatchTextOptions | boolean = {}): string {
  const o: PatchTextOptions = typeof opts === 'boolean' ? { terse: opts } : opts;
  const out: string[] = [];
  for (const { series, reviews, base, api } of runs) {
    let errors = 0;
    let warnings = 0;
    // not in checkpatch's shapes: b4 reads every line of those as a warning
    if (base !== undefined && !o.terse && !o.checkpatch) out.push(`base: ${base}`);
    if (api !== undefined && !o.terse && !o.checkpatch) out.push(apiLine(apiUsed(api)));
    for (const r of reviews) {
      // a series given as several files: each patch's own file
      const input = (series.source.includes(' ') && !series.source.startsWith('commit ') ? r.patch.source : series.source).replace(/^<stdin>$/, '-');
      const where = (f: Finding): { n: number | null; fp: FilePatch | undefined } => {
        const fp = r.patch.files.find((x) => x.newPath === f.file);
        return { n: fp ? inputLineOf(fp, f.line) : null, fp };
      };
      errors += r.findings.filter((f) => f.severity === 'error').length;
      warnings += r.findings.filter((f) => f.severity === 'warning').length;
      if (o.terse) {
        for (const f of r.findings) out.push(`${input}:${where(f).n ?? f.line}: ${f.severity.toUpperCase()}:${f.rule}: ${f.message}`);
        continue;
      }
      if (!o.checkpatch) {
        const note = partialNote(r);
        out.push(`--- ${r.label}${note ? ` (partial review: ${note})` : ''}`);
        for (const x of r.rejected) out.push(`REJECTED: ${describeRejected(x)}`);
        if (r.rejected.length) out.push('');
      }
      for (const f of r.findings) {
        const { n, fp } = where(f);
        out.push(`${f.severity.toUpperCase()}:${f.rule}: ${f.message}`);
        out.push(`${n !== null ? `#${n}: ` : ''}FILE: ${f.file}:${f.line}:`);
        const post = r.postImage.get(f.file);
        const src = post !== undefined ? post.split('\n')[r.treeLine(f.file, f.line) - 1] : lineText(f.file, f.line);
        // `+` for a line the patch adds, ` ` for the context a deletion left
        if (src !== undefined) out.push(`${fp && !changedLines(fp).added.has(f.line) ? ' ' : '+'}${src}`);
        if (!o.checkpatch) for (const t of renderTrace(f)) out.push(`  ${t}`);
        out.push('');
      }
      if (!o.checkpatch) {
        for (const f of r.fixed) out.push(`FIXED:${f.rule}: ${f.file}:${f.line}: ${f.message}`);
        if (r.fixed.length) out.push('');
      }
    }
    // checkpatch prints the total in --terse too
    if (o.summary !== false) out.push(`total: ${errors} errors, ${warnings} warnings, ${series.inputLineCount ?? 0} lines checked`, ...(o.terse ? [] : ['']));
  }
  const text = out.join('\n').replace(/\n+$/, '');
  return text ? `${text}\n` : '';
}
