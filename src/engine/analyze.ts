// Runs the rules over a set of parsed files. Pure: IR in, findings out.
import type { FileIR, FunctionIR, OpsTable } from '../ir/types.js';
import type { FunctionIndex } from '../ir/function-index.js';
import { readSideOf } from '../ir/read-side.js';
import { Summarizer, type FunctionSummary } from '../ir/summary.js';
import { RULES } from '../rules/index.js';
import { formatMessage, weighUntracked, type Step, type About, type CallbackView, type CoreView, type Finding, type ModelView, type Report, type Rule, type RuleContext } from '../rules/rule.js';
import { NEWEST, type ApiLevel } from '../model/api.js';
import { exploreWithCompanions } from '../model/explore.js';
import { abstractNotifier } from './abstract.js';
import { pointerStep, throughPointer, throughWork } from '../rules/support.js';
import { coreSteps, isCoreFile, missingStepViolation } from './core-steps.js';
import type { CoreStep } from '../model/core.js';
import { FactsDatabase, derivedOf, type DerivedTable } from '../ir/facts-db.js';
import { gatherReclaimHolds } from '../ir/reclaim-locks.js';
import { FALLBACK_DERIVED } from '../ir/kernel-api/derived.js';
import { inDerivedArea } from '../parser/derive-facts.js';

/**
 * The rules over the IR of a scan. `derived`: the facts derived from the
 * kernel's code (engine/derived-facts.ts), by default the table of Linux 6.12.
 */
export function analyze(scanned: readonly FileIR[], index: FunctionIndex, rules: readonly Rule[] = RULES, api: ApiLevel = NEWEST, derived: DerivedTable = FALLBACK_DERIVED): Finding[] {
  // the files looked up for their teardown callbacks only are not checked (FileIR.callbacksOnly)
  const files = scanned.filter((f) => !f.callbacksOnly);
  const tables: OpsTable[] = files.flatMap((f) => f.tables);
  const notifierTables: OpsTable[] = scanned.flatMap((f) => f.tables);
  const summaries = new Map<FunctionIR, FunctionSummary>();
  const models = new Map<OpsTable, ModelView>();
  const findings: Finding[] = [];
  let current: Rule | undefined;
  let currentTable: OpsTable | undefined;
  let facts: FactsDatabase | undefined;
  const database = (): FactsDatabase => {
    if (!facts) {
      facts = FactsDatabase.ofScan(files);
      // every walked function of the scan may hold a lock around reclaim
      facts.holdsFrom((wanted) =>
        gatherReclaimHolds(
          files.flatMap((f) => f.functions),
          summary,
          wanted,
        ),
      );
    }
    return facts;
  };
  const summarizer = new Summarizer(index.resolve, {
    // a name the scan defines outside the kernel's core is that function, not the core's namesake
    derived: (name, fromFile) => {
      const home = index.definitionFile(name, [fromFile]);
      return home !== undefined && !inDerivedArea(home) ? undefined : derivedOf(derived, name);
    },
    bound: (field, fromFile) => database().boundNear(field, fromFile),
    boundParam: (fn, index) => database().boundParam(fn.name, index, fn.file, fn.isStatic),
    waited: (name, args, fromFile) => database().waited(name, args, fromFile),
  });
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
    notifierTables,
    functionIn(file, name) {
      return scanned.find((f) => f.file === file)?.functions.find((f) => f.name === name);
    },
    // built when a rule first asks: most runs have no rule that does
    get facts() {
      return database();
    },
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
        m = {
          notifier,
          result,
          find: (q) =>
            result.evidence.find(
              (v) =>
                v.notifier !== null &&
                own.has(v.notifier) &&
                q.kinds.includes(v.kind) &&
                (q.callback === undefined || v.cause?.callback === q.callback) &&
                (q.site === undefined || !!v.cause?.sites.some((x) => x.file === q.site!.file && x.line === q.site!.line)),
            ),
        };
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
      const template = rule.messages[r.messageId];
      if (template === undefined) throw new Error(`rule ${rule.id} reported an unknown message id ${r.messageId}`);
      // evidence reached through a function pointer is not a proof: the tree may set the field elsewhere
      const indirect = throughPointer(r.steps);
      // and so is evidence in a work function reached by a wait: the work is bound by field name
      const work = throughWork(r.steps);
      const weighed = weighUntracked(r.severity ?? rule.severity, formatMessage(template, r.data), r.decidedBy);
      const severity = (indirect || work) && weighed.severity === 'error' ? 'warning' : weighed.severity;
      const message =
        weighed.message +
        (indirect ? ` (through a function pointer: ${pointerNote(r.steps) ?? 'the function that runs there is what the tree assigns, not proved'})` : '') +
        (work ? ' (through a wait on a work item: the work function is the one the tree binds to that field name, not proved)' : '');
      findings.push({
        rule: rule.id,
        messageId: r.messageId,
        severity,
        invariant: rule.invariant,
        file: r.file,
        line: r.line,
        column: r.column,
        endLine: r.endLine,
        function: r.function,
        message,
        steps: r.steps,
        ...(r.diagram ? { diagram: r.diagram } : {}),
        ...(r.data ? { data: r.data } : {}),
        about: aboutOf(r, currentTable),
      });
    },
  };
  for (const rule of rules) {
    current = rule;
    if (rule.checkTable)
      for (const t of tables) {
        currentTable = t;
        rule.checkTable(t, ctx);
      }
    currentTable = undefined;
    if (rule.checkFile) for (const f of files) if (!f.textOnly) rule.checkFile(f, ctx);
  }
  return sortFindings(dedupe(findings));
}

/**
 * What a report is about: as the rule says, else (a rule checking a table) the
 * member its function is bound to, or the member its trace's binding step
 * shows, or the table itself for a finding about no function.
 */
function aboutOf(r: Report, table: OpsTable | undefined): About {
  if (r.about?.callback !== undefined || !table) return r.about ?? {};
  const bound = table.fields.find((f) => f.function !== null && f.function === r.function) ?? table.fields.find((f) => r.steps.some((s) => s.role === 'binding' && s.file === table.file && s.line === f.loc.line));
  const callback = bound ? `${table.name}.${bound.field}` : r.function === null ? table.name : undefined;
  return callback === undefined ? (r.about ?? {}) : { ...r.about, callback, tableFile: table.file };
}

/** The indirect call a finding stands on and the candidate it took, when that was one of several (`FILE:LINE calls through ->m() ..., one of N functions ...`). */
function pointerNote(steps: readonly Step[]): string | undefined {
  const s = pointerStep(steps);
  if (!s || !/, one of \d+ functions/.test(s.text)) return undefined;
  return `${s.file}:${s.line} ${s.text}, not proved`;
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
