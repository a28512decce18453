// The JSON contract other tools consume (check and inventory). Exported so a
// consumer can validate what it reads; the reporters validate what they print.
import { z } from 'zod';

export const FindingSchema = z.object({
  rule: z.string(),
  severity: z.enum(['error', 'warning', 'info']),
  invariant: z.enum(['I1', 'I2', 'I3', 'I4', 'I5', 'I6', 'I7', 'I8', 'API']).nullable(),
  file: z.string(),
  line: z.number().int().positive(),
  column: z.number().int().positive(),
  endLine: z.number().int().positive(),
  function: z.string().nullable(),
  message: z.string(),
  trace: z.array(z.string()),
});

export const CheckReportSchema = z.object({
  tool: z.literal('mnlint'),
  version: z.string(),
  findings: z.array(FindingSchema),
  stats: z.object({
    files: z.number().int().nonnegative(),
    parsedFiles: z.number().int().nonnegative(),
    tables: z.number().int().nonnegative(),
    callbacks: z.number().int().nonnegative(),
    parseErrors: z.number().int().nonnegative(),
  }),
});

export const InventorySchema = z.object({
  tables: z.array(z.object({
    file: z.string(),
    line: z.number().int().positive(),
    name: z.string(),
    kind: z.enum(['mmu_notifier_ops', 'mmu_interval_notifier_ops']),
    fields: z.record(z.string(), z.string()),
    callbacks: z.array(z.object({
      field: z.string(),
      function: z.string(),
      file: z.string().nullable(),
      line: z.number().int().positive().nullable(),
      summary: z.record(z.string(), z.unknown()).nullable(),
    })),
  })),
});

export type CheckReport = z.infer<typeof CheckReportSchema>;
export type Inventory = z.infer<typeof InventorySchema>;
