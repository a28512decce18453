// What a run assumed, as every format says it: the API level and where it
// came from, and the functions seen only in part. The text printers take
// lines, the machine ones (JSON, SARIF run properties) the same fields.
import * as z from 'zod/mini';
import type { LevelChoice } from '../input/tree.js';

const lineNumber = z.int().check(z.positive());

/** The API level a run used: its id, where it came from (a LevelSource), and that place in words. */
export const ApiUsedSchema = z.object({
  level: z.string(),
  source: z.enum(['api', 'kernel', 'config', 'header', 'makefile', 'newest']),
  from: z.string(),
});

export const AssumptionsSchema = z.object({
  api: ApiUsedSchema,
  /** the functions seen in part: text tree-sitter could not parse, or nesting deeper than mnlint walks */
  partial: z.array(z.object({ file: z.string(), line: lineNumber, function: z.string(), why: z.string() })),
});
export type ApiUsed = z.infer<typeof ApiUsedSchema>;
export type Assumptions = z.infer<typeof AssumptionsSchema>;

/** A function the scan saw in part (the scan's `partial` entries). */
export interface SeenInPart {
  file: string;
  line: number;
  function: string;
  lines: readonly number[];
  tooDeep?: boolean;
}

/** The level as the machine formats carry it. */
export function apiUsed(choice: LevelChoice): ApiUsed {
  return { level: choice.level.id, source: choice.source, from: choice.from };
}

/** A run's assumptions: its level and the functions it saw in part. */
export function assumptionsOf(choice: LevelChoice, partial: readonly SeenInPart[] = []): Assumptions {
  return {
    api: apiUsed(choice),
    partial: partial.map((p) => ({
      file: p.file,
      line: p.line,
      function: p.function,
      why: p.tooDeep ? 'nests deeper than mnlint walks' : `text tree-sitter could not parse (line ${p.lines.join(', ')})`,
    })),
  };
}

/** `6.12, from include/linux/mmu_notifier.h`; the newest says why. */
export function levelWords(api: ApiUsed): string {
  return api.source === 'newest' ? `${api.level}, the newest: ${api.from}` : `${api.level}, from ${api.from}`;
}

/** The text printers' line: `api: 6.12, from include/linux/mmu_notifier.h`. */
export function apiLine(api: ApiUsed): string {
  return `api: ${levelWords(api)}`;
}

/** The text printers' lines: the level, then each function seen in part. */
export function assumedLines(a: Assumptions): string[] {
  return [apiLine(a.api), ...a.partial.map((p) => `partial: ${p.file}:${p.line}: ${p.function}() ${p.why}`)];
}
