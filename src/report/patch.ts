// Printers for `mnlint patch`: findings grouped by patch.
import type { PatchReview } from '../engine/review.js';
import type { Series } from '../input/patch.js';
import { changedLines } from '../input/apply.js';
import { formatTerse, type LineText } from './findings.js';
import { CheckReportSchema } from './schema.js';
import * as z from 'zod/mini';

export const PatchReportSchema = z.object({
  tool: z.literal('mnlint'),
  version: z.string(),
  partial: z.boolean(),
  series: z.array(z.object({
    source: z.string(),
    version: z.number(),
    cover: z.nullable(z.string()),
    dropped: z.array(z.string()),
    patches: z.array(z.object({
      label: z.string(),
      index: z.number(),
      total: z.number(),
      messageId: z.nullable(z.string()),
      problems: z.array(z.string()),
      findings: CheckReportSchema.shape.findings,
      /** findings of the base that the patch removes (the `new` filter) */
      fixed: CheckReportSchema.shape.findings,
    })),
  })),
});

export function formatPatchJson(runs: ReadonlyArray<{ series: Series; reviews: PatchReview[] }>, version: string): string {
  const report = PatchReportSchema.parse({
    tool: 'mnlint',
    version,
    partial: runs.some((r) => r.reviews.some((x) => x.partial)),
    series: runs.map(({ series, reviews }) => ({
      source: series.source,
      version: series.version,
      cover: series.cover?.subject ?? null,
      dropped: series.dropped,
      patches: reviews.map((r) => ({ label: r.label, index: r.patch.index, total: r.patch.total, messageId: r.patch.messageId, problems: r.problems, findings: r.findings, fixed: r.fixed })),
    })),
  });
  return JSON.stringify(report, null, 2) + '\n';
}

export function formatPatchText(runs: ReadonlyArray<{ series: Series; reviews: PatchReview[] }>, lineText: LineText, terse: boolean): string {
  const out: string[] = [];
  let errors = 0;
  let warnings = 0;
  for (const { reviews } of runs) {
    for (const r of reviews) {
      if (terse) {
        if (r.findings.length) out.push(formatTerse(r.findings).trimEnd());
        continue;
      }
      out.push(`--- ${r.label}${r.partial ? ' (partial review: no --tree, only what the hunks contain)' : ''}`);
      for (const f of r.findings) {
        out.push(`${f.severity.toUpperCase()}:${f.rule}: ${f.message}`);
        out.push(`#${f.file}:${f.line}:`);
        const post = r.postImage.get(f.file);
        const src = post !== undefined ? post.split('\n')[r.treeLine(f.file, f.line) - 1] : lineText(f.file, f.line);
        // `+` for a line the patch adds, ` ` for the context a deletion left
        const fp = r.patch.files.find((x) => x.newPath === f.file);
        if (src !== undefined) out.push(`${fp && !changedLines(fp).added.has(f.line) ? ' ' : '+'}${src}`);
        for (const t of f.trace) out.push(`  ${t}`);
        out.push('');
      }
      for (const f of r.fixed) out.push(`FIXED:${f.rule}: ${f.file}:${f.line}: ${f.message}`);
      if (r.fixed.length) out.push('');
      errors += r.findings.filter((f) => f.severity === 'error').length;
      warnings += r.findings.filter((f) => f.severity === 'warning').length;
    }
  }
  if (!terse) out.push(`total: ${errors} errors, ${warnings} warnings, ${runs.reduce((n, r) => n + r.reviews.length, 0)} patches reviewed`);
  const text = out.join('\n').replace(/\n+$/, '');
  return text ? `${text}\n` : '';
}
