// Runs the rules over a set of parsed files. Pure: IR in, findings out.
import type { FileIR, FunctionIR, OpsTable } from '../ir/types.js';
import { filesBeside } from '../ir/files.js';
import { Summarizer, type FunctionSummary, type Resolver } from '../ir/summary.js';
import { RULES } from '../rules/index.js';
import type { CallbackView, CoreView, Finding, ModelView, Rule, RuleContext } from '../rules/rule.js';
import { NEWEST, type ApiLevel } from '../model/api.js';
import { exploreWithCompanions } from '../model/explore.js';
import { abstractNotifier } from './abstract.js';
import { coreSteps, isCoreFile, missingStepViolation } from './core-steps.js';
import type { CoreStep } from '../model/core.js';

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

export function analyze(files: readonly FileIR[], index: FunctionIndex, rules: readonly Rule[] = RULES, api: ApiLevel = NEWEST): Finding[] {
  const tables: OpsTable[] = files.flatMap((f) => f.tables);
  const summaries = new Map<FunctionIR, FunctionSummary>();
  const models = new Map<OpsTable, ModelView>();
  const findings: Finding[] = [];
  let current: Rule | undefined;
  const summarizer = new Summarizer(index.resolve);
  const summary = (fn: FunctionIR): FunctionSummary => {
    let s = summaries.get(fn);
    if (!s) {
      s = summarizer.summary(fn);
      summaries.set(fn, s);
    }
    return s;
  };
  const usesReadSide = (table: OpsTable): boolean => readSideOf(files, table);
  const cores = new Map<FileIR, CoreView | null>();
  const stepViolations = new Map<CoreStep, ReturnType<typeof missingStepViolation>>();
  const ctx: RuleContext = {
    core(file) {
      if (!cores.has(file)) {
        cores.set(
          file,
          isCoreFile(file)
            ? {
                steps: coreSteps(file),
                violation(step) {
                  if (!stepViolations.has(step)) stepViolations.set(step, missingStepViolation(api, step));
                  return stepViolations.get(step);
                },
              }
            : null,
        );
      }
      return cores.get(file)!;
    },
    tables,
    files,
    api,
    usesReadSide,
    model(table) {
      let m = models.get(table);
      if (!m) {
        const notifier = abstractNotifier(table, (name) => index.resolve(name, table.file), summary, usesReadSide(table));
        // alone first (the shortest traces), then with its twin and a counting companion:
        // what it does to other subscribers of the mm shows too
        const result = exploreWithCompanions(api, notifier);
        const own = new Set([table.name, `${table.name}#2`]);
        m = { notifier, result, first: (inv) => result.violations.find((v) => v.invariant === inv && v.notifier !== null && own.has(v.notifier)) };
        models.set(table, m);
      }
      return m;
    },
    callback(table, fieldName): CallbackView | undefined {
      const field = table.fields.find((f) => f.field === fieldName && f.function !== null);
      if (!field) return undefined;
      return { table, field, fn: index.resolve(field.function!, table.file) };
    },
    summary,
    report(r) {
      const rule = current!;
      findings.push({
        rule: rule.id,
        severity: r.severity ?? rule.severity,
        invariant: rule.invariant,
        file: r.file,
        line: r.line,
        column: r.column,
        endLine: r.endLine,
        function: r.function,
        message: r.message,
        trace: r.trace,
      });
    },
  };
  for (const rule of rules) {
    current = rule;
    if (rule.checkTable) for (const t of tables) rule.checkTable(t, ctx);
    if (rule.checkFile) for (const f of files) if (!f.textOnly) rule.checkFile(f, ctx);
  }
  return sortFindings(dedupe(findings));
}

/** One finding per rule and location: two callbacks reaching one helper report it once. */
function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.rule}\0${f.file}\0${f.line}\0${f.column}\0${f.severity}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function sortFindings(findings: Finding[]): Finding[] {
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return findings.sort((a, b) => cmp(a.file, b.file) || a.line - b.line || cmp(a.rule, b.rule) || a.column - b.column || cmp(a.message, b.message));
}

/**
 * Callees the rules will want but the index lacks: every callback named by a
 * table and its callees down to `depth`. Maps each missing name to the files
 * calling it.
 */
export function neededCallees(files: readonly FileIR[], index: FunctionIndex, depth: number): Map<string, string[]> {
  const missing = new Map<string, string[]>();
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
      if (level < depth) for (const c of fn.callees) next.push({ name: c, from: fn.file });
    }
    frontier = next;
  }
  return missing;
}

/** A read side that can miss an invalidation: one that retries (read_begin alone only waits). */
const READ_SIDE = new Set(['mmu_interval_read_retry', 'mmu_interval_check_retry']);
const INSERTS = new Set(['mmu_interval_notifier_insert', 'mmu_interval_notifier_insert_locked']);
const norm = (arg: string): string => arg.replace(/\s+/g, '').replace(/^\(|\)$/g, '');
const isIdentifier = (arg: string): boolean => /^[A-Za-z_]\w*$/.test(arg);

/**
 * Whether the driver runs the read side on this table's notifiers.
 *
 * The notifier objects: an insert binding the table (`insert(&obj->notifier,
 * ..., &table)`) in the table's directory, or an insert of an ops pointer
 * (`insert(&umem->notifier, ..., ops)`) in the file defining a helper the
 * table is handed to (`ib_umem_odp_get(..., &mlx5_mn_ops)`).
 *
 * The read side: a read_retry/check_retry beside either insert on that object
 * or on a pointer that may be it (`range->notifier`), or one inside a wrapper
 * the table's directory calls (`amdgpu_hmm_range_get_pages_done()` from
 * amdkfd) on a pointer it was handed. A driver calling read_begin alone
 * (gntdev, radeon) only waits; it cannot miss an invalidation.
 */
export function readSideOf(files: readonly FileIR[], table: OpsTable): boolean {
  const near = filesBeside(files, table.file);
  const objects = new Set(
    near
      .flatMap((f) => f.apiCalls)
      .filter((c) => INSERTS.has(c.name) && norm(c.args[c.args.length - 1] ?? '') === `&${table.name}`)
      .map((c) => norm(c.args[0] ?? '')),
  );
  const retryFiles = new Set(near);
  // the table handed to a helper: that helper's file inserts an ops pointer
  const helpers = new Set(
    near
      .flatMap((f) => f.tableArgCalls ?? [])
      .filter((c) => c.args[0] === table.name)
      .map((c) => c.name),
  );
  for (const f of files) {
    if (!f.defined.some((d) => helpers.has(d.name))) continue;
    const inserts = f.apiCalls.filter((c) => INSERTS.has(c.name) && isIdentifier(norm(c.args[c.args.length - 1] ?? '')));
    if (!inserts.length) continue;
    for (const c of inserts) objects.add(norm(c.args[0] ?? ''));
    for (const g of filesBeside(files, f.file)) retryFiles.add(g);
  }
  if (objects.size === 0) return false;
  const retries = (f: FileIR) => f.apiCalls.filter((c) => READ_SIDE.has(c.name));
  const direct = [...retryFiles].flatMap(retries).some((c) => {
    const arg = norm(c.args[0] ?? '');
    return objects.has(arg) || !arg.startsWith('&');
  });
  if (direct) return true;
  // a wrapper elsewhere in the scan retrying on a pointer it was handed
  const called = new Set(near.flatMap((f) => f.calledNames ?? []));
  return files.some((f) => !retryFiles.has(f) && retries(f).some((c) => c.function !== null && called.has(c.function) && !norm(c.args[0] ?? '').startsWith('&')));
}
