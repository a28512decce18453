// The rule interface: one file per rule, ESLint/ruff style. A rule declares
// what it protects and documents itself; its check sees only the IR (through
// the context) and reports findings, it never prints.
import type { FactsDatabase } from '../ir/facts-db.js';
import type { FileIR, FunctionIR, Loc, OpsField, OpsTable, UntrackedCondition } from '../ir/types.js';
import type { FunctionSummary } from '../ir/summary.js';
import type { ApiLevel } from '../model/api.js';
import type { AbstractNotifier, CoreStep, TraceStep, Violation, ViolationKind } from '../model/core.js';
import type { ExploreResult } from '../model/explore.js';

export type Severity = 'error' | 'warning' | 'info';
const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** Whether a severity is `min` or above. */
export function atLeast(severity: Severity, min: Severity): boolean {
  return SEVERITY_RANK[severity] >= SEVERITY_RANK[min];
}
export type Invariant = 'I1' | 'I2' | 'I3' | 'I4' | 'I5' | 'I6' | 'I7' | 'I8' | 'API';

/**
 * How far a rule is proven (ruff's stable/preview): `stable` when it has
 * reported a true defect on real kernel code (a release tree, a posted patch,
 * a file as released before its fix) with no false error open against it;
 * `preview` when only mnlint's own reduced fixtures show it.
 */
export type RuleStatus = 'stable' | 'preview';

export interface RuleDocs {
  /** What it does */
  what: string;
  /** Why is this bad? (the kernel reason, with header, commit or thread) */
  why: string;
  /** Example: C that must give exactly one finding of this rule */
  bad: string;
  /** Use instead: C that must give none */
  good: string;
  references: string[];
}

/**
 * What a step of a finding's trace is: a table field bound to a callback, a
 * call on the way down, an event there (a lock, a sleep, an allocation...), a
 * return, a line of the model's counterexample, a remark, or (patch review)
 * where the finding itself is.
 */
export const STEP_ROLES = ['binding', 'call', 'event', 'return', 'model', 'note', 'origin'] as const;
export type StepRole = (typeof STEP_ROLES)[number];

/**
 * One step of a finding's trace, as data: the printers render it (src/report),
 * SARIF draws its places as a code flow, patch review reads them. No place on a
 * remark; a model step's text names the driver's place itself, and carries it
 * beside for tools.
 */
export interface Step {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly text: string;
  readonly role: StepRole;
  /** a call through a function pointer: what runs there is what the tree assigns, not proved */
  readonly indirect?: true;
  /** a wait for a work item (also `indirect`): the work function runs in another context, bound by field name */
  readonly waits?: true;
}

export interface Finding {
  rule: string;
  /** which of the rule's messages (its `messages` key) */
  messageId: string;
  severity: Severity;
  invariant: Invariant | null;
  file: string;
  line: number;
  column: number;
  endLine: number;
  function: string | null;
  message: string;
  /** the trace: the path to the finding, step by step */
  steps: readonly Step[];
  /** a model counterexample, drawable as a sequence diagram (its text is in steps) */
  diagram?: TraceDiagram;
  /** the values its message was filled from */
  data?: MessageData;
  /** what the finding is about, as data (see About): how patch review matches it across the two images */
  about?: About;
}

/** What a finding's subject is: a call (the sleeping or forbidden call), a lock class, an ops member, a field or object of the driver, a step of the core. */
export type SubjectKind = 'call' | 'lock' | 'member' | 'field' | 'object' | 'step';

/**
 * What a finding is about, apart from where it is and how its message reads
 * (ESLint keeps a report's identity in its messageId and data, never in the
 * text): the ops table and member it concerns (`drv_ops.invalidate`, not the
 * C function bound there, so a renamed callback is the same finding), and its
 * typed subject: the calls, the lock, the member or field. A finding that
 * groups several sites (one per callback, "and 2 more") names them all, each
 * once per site.
 */
export interface About {
  /** `table.member`, or `table` for a finding about the table as a whole */
  readonly callback?: string;
  /** the file of the callback's table: a finding about a callback is the same wherever the callback's code moves */
  readonly tableFile?: string;
  readonly subject?: { readonly kind: SubjectKind; readonly names: readonly string[] };
}

/** A model trace with lanes: the scenario, its steps, and the violation it ends on. */
export interface TraceDiagram {
  title: string;
  /** the CPUs, mm/mmu_notifier.c, then the notifiers */
  lanes: readonly string[];
  steps: readonly TraceStep[];
  end: string;
}

declare const placeBrand: unique symbol;
/** Where a finding points: made by the location helpers of support.ts only (atEvent, atReturn, atField, atLoc, atLine). */
export type Where = Pick<Finding, 'file' | 'line' | 'column' | 'endLine'> & { readonly [placeBrand]: true };

/** The location helpers' constructor: the one place a Where is built from numbers. */
export function place(file: string, line: number, column: number, endLine: number): Where {
  return { file, line, column, endLine } as Where;
}

/** The values a message's `{{name}}` placeholders take. */
export type MessageData = Readonly<Record<string, string | number>>;

/** What a rule reports: a place, one of its message ids with the data it needs, and the trace's steps. */
export type Report<M extends string = string> = Where & {
  function: string | null;
  messageId: M;
  data?: MessageData;
  steps: readonly Step[];
  diagram?: TraceDiagram;
  /** only where one finding of the rule is graded apart from its default */
  severity?: Severity;
  /** what the finding is about (its callback when the function reported is not the one bound, and its subject) */
  about?: About;
  /**
   * The untracked conditions the finding's path is decided by (an event's or a
   * return's `untracked`, see support.ts `decidedBy`): the path may be
   * infeasible, so an error is reported as a warning whose message names them.
   */
  decidedBy?: readonly UntrackedCondition[];
};

/** A finding's severity and message once its path's untracked conditions are weighed: an error on such a path is a warning that says why. */
export function weighUntracked(severity: Severity, message: string, decidedBy: readonly UntrackedCondition[] | undefined): { severity: Severity; message: string } {
  if (!decidedBy?.length) return { severity, message };
  const first = decidedBy[0]!;
  const more = decidedBy.length > 1 ? ` (and ${decidedBy.length - 1} more such test${decidedBy.length > 2 ? 's' : ''})` : '';
  const at = first.line ? ` at line ${first.line}` : '';
  const reason = ` [unproven: the path needs \`${first.text}\` ${first.holds ? 'true' : 'false'}${at}${more}, a test of ${first.data}, which the function builds and mnlint does not track]`;
  return { severity: severity === 'error' ? 'warning' : severity, message: `${message}${reason}` };
}

/** A message template filled in: `{{name}}` from data; a name without a value is a bug in the rule. */
export function formatMessage(template: string, data: MessageData = {}): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = data[name];
    if (value === undefined) throw new Error(`message "${template}" has no value for {{${name}}}`);
    return String(value);
  });
}

/** A callback named by an ops table field, with its function if it was found. */
export interface CallbackView {
  table: OpsTable;
  field: OpsField;
  /** the function's IR, or undefined when its body is not in the scanned sources */
  fn: FunctionIR | undefined;
}

/** The model's view of one table's notifier at the API level, explored with its twin and a counting companion. */
export interface ModelView {
  notifier: AbstractNotifier;
  result: ExploreResult;
  /**
   * The first counterexample of this notifier whose violation is the one
   * asked for: one of `kinds`, following from an outcome of `callback` that
   * stands for the return at `site` (each when given). Never another
   * defect's trace with the same invariant.
   */
  find(query: EvidenceQuery): (Violation & { scenario: string }) | undefined;
}

/** Which violation a finding is about. */
export interface EvidenceQuery {
  readonly kinds: readonly ViolationKind[];
  readonly callback?: string;
  readonly site?: { readonly file: string; readonly line: number };
}

/** One step of the core as a scanned mm/mmu_notifier.c takes it or lacks it. */
export interface CoreStepView {
  step: CoreStep;
  holds: boolean;
  function: string;
  file: string;
  loc: Loc;
  evidence: string;
}

/** A scanned core: its steps, and what the model shows when one is missing. */
export interface CoreView {
  steps: readonly CoreStepView[];
  /** the first violation the model finds with `step` missing (probe notifiers, the level's core otherwise) */
  violation(step: CoreStep): (Violation & { scenario: string }) | undefined;
}

export interface RuleContext<M extends string = string> {
  readonly tables: readonly OpsTable[];
  /**
   * every ops table the scan knows: `tables`, and those of the files it looked
   * up outside the scanned directories for their teardown callbacks only
   * (FileIR.callbacksOnly), which no rule checks
   */
  readonly notifierTables: readonly OpsTable[];
  /** a walked function of any file of the scan, the looked-up ones too */
  functionIn(file: string, name: string): FunctionIR | undefined;
  /** every file of the scan, with the API calls each makes */
  readonly files: readonly FileIR[];
  /** the API level the code is checked against (--kernel / --api, or detected) */
  readonly api: ApiLevel;
  /** what the scan knows of functions by name: curated and derived call facts, function-pointer bindings */
  readonly facts: FactsDatabase;
  /** the core's steps when `file` is mm/mmu_notifier.c (or a patched copy), else null */
  core(file: FileIR): CoreView | null;
  /** the model of a table's notifier (memoized) */
  model(table: OpsTable): ModelView;
  /** the driver calls mmu_interval_read_begin/read_retry in the table's directory */
  usesReadSide(table: OpsTable): boolean;
  /** the callback behind a field of a table, if the field names a function */
  callback(table: OpsTable, field: string): CallbackView | undefined;
  /** interprocedural facts of a function (memoized) */
  summary(fn: FunctionIR): FunctionSummary;
  report(finding: Report<M>): void;
}

export interface Rule<M extends string = string> {
  id: string;
  title: string;
  severity: Severity;
  invariant: Invariant;
  status: RuleStatus;
  /** the mnlint version that first shipped the rule */
  since: string;
  docs: RuleDocs;
  /** the rule's messages by id (ESLint's meta.messages): `{{name}}` placeholders are filled from a report's data */
  messages: Readonly<Record<M, string>>;
  /** called once per ops table */
  checkTable?(table: OpsTable, ctx: RuleContext<M>): void;
  /** called once per parsed file (rules about the core itself) */
  checkFile?(file: FileIR, ctx: RuleContext<M>): void;
}

/**
 * What makes two findings the same one across line moves, renames and
 * rewording: the rule, which of its messages, the callback it is about
 * (`table.member` in its table's file; else the function in the finding's
 * file), and the kind of its subject. Never the message text or the line. The subject's
 * names and the occurrence are matched apart (engine/review.ts
 * compareFindings), so that a finding whose first site changed but whose
 * sites did not is still the same one.
 */
export function identityOf(f: Finding): string {
  const where = f.about?.callback !== undefined ? [f.about.tableFile ?? f.file, f.about.callback] : [f.file, f.function ?? ''];
  return [f.rule, f.messageId, ...where, f.about?.subject?.kind ?? ''].join('\0');
}

/** A finding's subject names, sorted, each site once (`x`, `x` for two calls of x). */
export function subjectNames(f: Finding): readonly string[] {
  return [...(f.about?.subject?.names ?? [])].sort();
}

/**
 * One key per finding, unique and stable across line moves (as GitHub's own
 * primaryLocationLineHash): its identity, its subject and its occurrence among
 * findings of the same identity and subject, in line order. Two equal
 * findings in one callback keep two keys.
 */
export function occurrenceKeys(findings: readonly Finding[]): Map<Finding, string> {
  const sorted = [...findings].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
  const seen = new Map<string, number>();
  const out = new Map<Finding, string>();
  for (const f of sorted) {
    const id = `${identityOf(f)}\0${subjectNames(f).join(',')}`;
    const n = seen.get(id) ?? 0;
    seen.set(id, n + 1);
    out.set(f, `${id}\0${n}`);
  }
  return out;
}

/** A rule, its message ids typed from its `messages`: a report naming another id does not compile. */
export function defineRule<M extends string>(rule: Rule<M>): Rule {
  return Object.freeze(rule) as Rule;
}

/** The field of a table if it names a function (not NULL). */
export function fieldFn(table: OpsTable, name: string): OpsField | undefined {
  return table.fields.find((f) => f.field === name && f.function !== null);
}
