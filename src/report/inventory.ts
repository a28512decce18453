// `mnlint inventory`: every ops table, its fields, and the facts of each callback.
import type { FileIR } from '../ir/types.js';
import { callbackFacts } from '../ir/facts.js';
import { summarize } from '../ir/summary.js';
import type { FunctionIndex } from '../ir/function-index.js';
import { InventorySchema, type Inventory } from './schema.js';

export function buildInventory(files: readonly FileIR[], index: FunctionIndex): Inventory {
  const tables = files
    .filter((f) => !f.callbacksOnly)
    .flatMap((f) => f.tables)
    .map((t) => ({
      file: t.file,
      line: t.loc.line,
      name: t.name,
      kind: t.kind,
      fields: Object.fromEntries(t.fields.map((f) => [f.field, f.function ?? f.value])),
      callbacks: t.fields
        .filter((f) => f.function)
        .map((f) => {
          const fn = index.resolve(f.function!, t.file);
          return {
            field: f.field,
            function: f.function!,
            file: fn?.file ?? null,
            line: fn?.loc.line ?? null,
            summary: fn ? (callbackFacts(summarize(fn, index.resolve)) as unknown as Record<string, unknown>) : null,
          };
        }),
    }));
  return InventorySchema.parse({ tables });
}

export function formatInventoryText(inv: Inventory): string {
  const out: string[] = [];
  for (const t of inv.tables) {
    out.push(`${t.file}:${t.line}: ${t.kind} ${t.name}`);
    for (const cb of t.callbacks) {
      const s = cb.summary as { sleeps?: unknown[]; allocations?: unknown[]; setSeq?: unknown[]; testsBlockable?: boolean } | null;
      const where = cb.file ? `${cb.file}:${cb.line}` : 'body not found';
      const facts = s
        ? [
            s.testsBlockable ? 'tests blockable' : null,
            s.sleeps?.length ? `${s.sleeps.length} sleeping calls` : null,
            s.allocations?.length ? `${s.allocations.length} allocations` : null,
            s.setSeq?.length ? 'sets seq' : null,
          ]
            .filter(Boolean)
            .join(', ')
        : '';
      out.push(`  .${cb.field} = ${cb.function} (${where})${facts ? `: ${facts}` : ''}`);
    }
    for (const [field, value] of Object.entries(t.fields)) {
      if (!t.callbacks.some((c) => c.field === field)) out.push(`  .${field} = ${value}`);
    }
  }
  out.push(`${inv.tables.length} ops tables in ${new Set(inv.tables.map((t) => t.file)).size} files`);
  return `${out.join('\n')}\n`;
}
