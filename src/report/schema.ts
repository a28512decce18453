// The JSON contract other tools consume (check and inventory). Exported so a
// consumer can validate what it reads; the reporters validate what they print.
// zod/mini: the same validation as zod at a sixteenth of the bundle, which
// every run of the CLI loads.
import * as z from 'zod/mini';

const count = z.int().check(z.nonnegative());
const lineNumber = z.int().check(z.positive());

export const FindingSchema = z.object({
  rule: z.string(),
  /** which of the rule's messages (see `mnlint explain RULE`) */
  messageId: z.string(),
  severity: z.enum(['error', 'warning', 'info']),
  invariant: z.nullable(z.enum(['I1', 'I2', 'I3', 'I4', 'I5', 'I6', 'I7', 'I8', 'API'])),
  file: z.string(),
  line: lineNumber,
  column: lineNumber,
  endLine: lineNumber,
  function: z.nullable(z.string()),
  message: z.string(),
  trace: z.array(z.string()),
});

export const CheckReportSchema = z.object({
  tool: z.literal('mnlint'),
  version: z.string(),
  findings: z.array(FindingSchema),
  stats: z.object({
    files: count,
    parsedFiles: count,
    tables: count,
    callbacks: count,
    parseErrors: count,
  }),
});

export const InventorySchema = z.object({
  tables: z.array(
    z.object({
      file: z.string(),
      line: lineNumber,
      name: z.string(),
      kind: z.enum(['mmu_notifier_ops', 'mmu_interval_notifier_ops']),
      fields: z.record(z.string(), z.string()),
      callbacks: z.array(
        z.object({
          field: z.string(),
          function: z.string(),
          file: z.nullable(z.string()),
          line: z.nullable(lineNumber),
          summary: z.nullable(z.record(z.string(), z.unknown())),
        }),
      ),
    }),
  ),
});

export type CheckReport = z.infer<typeof CheckReportSchema>;
export type Inventory = z.infer<typeof InventorySchema>;
