// Printers for `mnlint patch`: findings grouped by patch.
import type { PatchReview } from '../engine/review.js';
import { inputLineOf, type FilePatch, type Series } from '../input/patch.js';
import type { Finding } from '../rules/rule.js';
import { changedLines } from '../input/apply.js';
import { asJson, type LineText } from './findings.js';
import { CheckReportSchema } from './schema.js';
import * as z from 'zod/mini';
import { renderTrace } from './trace.js';

export const PatchReportSchema = z.object({
  tool: z.literal('mnlint'),
  version: z.string(),
  partial: z.boolean(),
  series: z.array(
    z.object({
      source: z.string(),
      version: z.number(),
      cover: z.nullable(z.string()),
      /** which base the series was reviewed against, in one line */
      base: z.optional(z.string()),
      /** what the base lacked: prerequisite patches missing or not applying */
      baseProblems: z.optional(z.array(z.string())),
      dropped: z.array(z.string()),
      patches: z.array(
        z.object({
          label: z.string(),
          index: z.number(),
          total: z.number(),
          messageId: z.nullable(z.string()),
          problems: z.array(z.string()),
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
}

export function formatPatchJson(runs: ReadonlyArray<PatchRun>, version: string): string {
  const report = PatchReportSchema.parse({
    tool: 'mnlint',
    version,
    partial: runs.some((r) => r.reviews.some((x) => x.partial)),
    series: runs.map(({ series, reviews, base, baseProblems }) => ({
      source: series.source,
      version: series.version,
      cover: series.cover?.subject ?? null,
      ...(base !== undefined ? { base } : {}),
      ...(baseProblems?.length ? { baseProblems } : {}),
      dropped: series.dropped,
      patches: reviews.map((r) => ({ label: r.label, index: r.patch.index, total: r.patch.total, messageId: r.patch.messageId, problems: r.problems, findings: r.findings.map(asJson), fixed: r.fixed.map(asJson) })),
    })),
  });
  return `${JSON.stringify(report, null, 2)}\n`;
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
  for (const { series, reviews, base } of runs) {
    let errors = 0;
    let warnings = 0;
    const input = series.source === '<stdin>' ? '-' : series.source;
    // not in checkpatch's shapes: b4 reads every line of those as a warning
    if (base !== undefined && !o.terse && !o.checkpatch) out.push(`base: ${base}`);
    for (const r of reviews) {
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
      if (!o.checkpatch) out.push(`--- ${r.label}${r.partial ? ' (partial review: no --tree, only what the hunks contain)' : ''}`);
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
