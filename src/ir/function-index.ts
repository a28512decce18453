// The symbol table of a scan: every walked function by name, and every definition
// seen (walked or not), resolved the way the linker would for a caller's file.
import type { FileIR, FunctionIR } from './types.js';
import type { Resolver } from './summary.js';
import { FactsDatabase } from './facts-db.js';

export class FunctionIndex {
  private readonly byName = new Map<string, FunctionIR[]>();
  /** every definition seen, walked or not: name -> files */
  private readonly defined = new Map<string, Array<{ file: string; isStatic: boolean }>>();

  static of(files: readonly FileIR[]): FunctionIndex {
    const index = new FunctionIndex();
    for (const f of files) index.add(f);
    return index;
  }

  add(file: FileIR): void {
    for (const fn of file.functions) {
      const list = this.byName.get(fn.name);
      if (list) list.push(fn);
      else this.byName.set(fn.name, [fn]);
    }
    for (const d of file.defined) {
      const list = this.defined.get(d.name) ?? [];
      list.push({ file: file.file, isStatic: d.isStatic });
      this.defined.set(d.name, list);
    }
  }

  /** The parsed file that defines `name` for these callers, walked or not. */
  definitionFile(name: string, callers: readonly string[]): string | undefined {
    const list = this.defined.get(name);
    if (!list) return undefined;
    for (const c of callers) if (list.some((d) => d.file === c)) return c;
    const global = list.filter((d) => !d.isStatic).sort((a, b) => commonPrefix(b.file, callers[0] ?? '') - commonPrefix(a.file, callers[0] ?? '') || (a.file < b.file ? -1 : 1));
    return global[0]?.file;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Same file first (static functions); else the non-static definition nearest in the tree. */
  readonly resolve: Resolver = (name, fromFile) => {
    const list = this.byName.get(name);
    if (!list) return undefined;
    const local = list.find((f) => f.file === fromFile);
    if (local) return local;
    let best: FunctionIR | undefined;
    let bestScore = -1;
    for (const f of list) {
      if (f.isStatic) continue;
      const score = commonPrefix(f.file, fromFile);
      if (score > bestScore || (score === bestScore && best && f.file < best.file)) {
        best = f;
        bestScore = score;
      }
    }
    return best;
  };
}

function commonPrefix(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  let i = 0;
  while (i < pa.length && i < pb.length && pa[i] === pb[i]) i++;
  return i;
}

/**
 * Callees the rules will want but the index lacks: every callback named by a
 * table and its callees down to `depth`, a call through a struct field
 * followed to the functions the tree near it binds the field to, a call
 * through a parameter to the functions its call sites pass, a wait on a
 * work item to its work functions. Maps each
 * missing name to the files calling it (for a bound function: its own file).
 * `fieldCalls`, when given, gets each field called through and the files of
 * those calls.
 */
export function neededCallees(files: readonly FileIR[], index: FunctionIndex, depth: number, fieldCalls?: Map<string, Set<string>>): Map<string, string[]> {
  const missing = new Map<string, string[]>();
  let bindings: FactsDatabase | undefined;
  let frontier: Array<{ name: string; from: string }> = files.flatMap((f) => f.tables.flatMap((t) => t.fields.filter((x) => x.function).map((x) => ({ name: x.function!, from: t.file }))));
  const visited = new Set<string>();
  for (let level = 0; level <= depth && frontier.length; level++) {
    const next: Array<{ name: string; from: string }> = [];
    for (const { name, from } of frontier) {
      const key = `${name}\0${from}`;
      if (visited.has(key)) continue;
      visited.add(key);
      const fn = index.resolve(name, from);
      if (!fn) {
        const callers = missing.get(name) ?? [];
        if (!callers.includes(from)) callers.push(from);
        missing.set(name, callers);
        continue;
      }
      if (level >= depth) continue;
      for (const c of fn.callees) next.push({ name: c, from: fn.file });
      for (const e of fn.events) {
        if (!('args' in e)) continue;
        bindings ??= FactsDatabase.ofScan(files);
        // a wait on a work item: the work functions it waits for
        for (const w of bindings.waited(e.name, e.args, fn.file)) next.push({ name: w.function, from: w.file });
        if (e.kind !== 'call') continue;
        // a call through a parameter: the functions passed there
        if (e.param !== undefined) for (const b of bindings.boundParam(fn.name, e.param, fn.file, fn.isStatic).bound) next.push({ name: b.function, from: b.file });
        if (e.field === undefined) continue;
        for (const b of bindings.boundNear(e.field, fn.file)) next.push({ name: b.function, from: b.file });
        // the files calling through each field: where the tree's initializers of it are looked for
        if (fieldCalls) {
          const from = fieldCalls.get(e.field) ?? new Set<string>();
          from.add(fn.file);
          fieldCalls.set(e.field, from);
        }
      }
    }
    frontier = next;
  }
  return missing;
}
