// The JSON contract other tools consume (check and inventory). Exported so a
// consumer can validate what it reads; the reporters validate what they print.
// zod/mini: the same validation as zod at a sixteenth of the bundle, which
// every run of the CLI loads.
import * as z from 'zod/mini';
import { STEP_ROLES } from '../rules/rule.js';
import { BaselineEntrySchema } from './baseline.js';
import { AssumptionsSchema } from './assumed.js';

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
  /** the trace as the text printers show it, a line a step */
  trace: z.array(z.string()),
  /** the same trace as data: a step's place (none on a remark or a model line of its own) and what it is */
  steps: z.array(
    z.object({
      file: z.optional(z.string()),
      line: z.optional(lineNumber),
      column: z.optional(lineNumber),
      text: z.string(),
      role: z.enum(STEP_ROLES),
      indirect: z.optional(z.literal(true)),
      waits: z.optional(z.literal(true)),
    }),
  ),
  /** a model counterexample by lanes (the CPUs, mm/mmu_notifier.c, the notifiers), as the diagrams draw it */
  diagram: z.optional(
    z.object({
      title: z.string(),
      lanes: z.array(z.string()),
      steps: z.array(z.union([z.object({ kind: z.enum(['call', 'return']), from: z.string(), to: z.string(), text: z.string() }), z.object({ kind: z.literal('note'), over: z.string(), text: z.string() })])),
      end: z.string(),
    }),
  ),
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
  /** the inputs that could not be read, each `path: why` (the run exits 2); absent when all were */
  errors: z.optional(z.array(z.string())),
  /** with --baseline: the file, how many findings are new (the ones listed) and unchanged (not listed), and the entries no longer found */
  baseline: z.optional(z.object({ file: z.string(), new: count, unchanged: count, fixed: z.array(BaselineEntrySchema) })),
  /** what the run assumed: the API level and where it came from, the functions seen in part */
  assumptions: z.optional(AssumptionsSchema),
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

/** `inventory --survey --format json`: a row per notifier user (ops table). */
export const SurveySchema = z.object({
  api: z.string(),
  users: z.array(
    z.object({
      table: z.string(),
      file: z.string(),
      line: lineNumber,
      kind: z.enum(['mmu_notifier_ops', 'mmu_interval_notifier_ops']),
      callbacks: z.array(z.string()),
      /** how a non-blockable range is answered: false, -EAGAIN, "trylock, ..." ; "tested, never fails"; "not tested"; "n/a" */
      nonBlockable: z.string(),
      readSide: z.boolean(),
      twoPass: z.boolean(),
      /** setup/teardown calls: insert/remove, register/unregister, get/put */
      lifetime: z.string(),
      findings: z.object({ error: count, warning: count, info: count, rules: z.array(z.string()) }),
    }),
  ),
});
export type Survey = z.infer<typeof SurveySchema>;
