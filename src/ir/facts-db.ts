// The facts database: what mnlint knows of a function by its name, beside
// what it reads from a body it walks. Three layers, asked in this order:
//   - derived: facts a run derived from bodies (the next analyses add them:
//     "this function sleeps", "takes this lock"), which win over the rest;
//   - curated: the kernel-api/ tables, for primitives with no body in C and
//     for core functions outside a driver's lookup area;
//   - bindings: function pointers, the functions a tree assigns to a struct
//     field (ops tables, designated initializers, `x->f = fn`) or passes as a
//     call's argument (`walk(..., &fn, ...)`, bound to walk()'s parameter), and
//     work items, the functions a tree binds a work field to (`INIT_WORK(&x->f, fn)`)
//     and the work it queues on each workqueue: a wait on one is a call of
//     those functions in another context (work-items.ts).
//   - entry locks: the locks a static function's callers in the scan hold
//     where they call it (smatch's caller-held context).
// The walk's checkers ask the curated layer (a worker knows no scan); the
// rules' context holds the whole database of a scan.
import { EFFECT_CALLS } from './kernel-api/effects.js';
import { FAILABLE_ACQUIRES, IMPLICIT_LOCKS, INVERTED_TRYLOCKS, LOCK_CALLS, LOCKDEP_MAP_CALLS, TRYLOCK_CALLS, UNLOCK_CALLS } from './kernel-api/locks.js';
import { ALLOC_GFP_ARG } from './kernel-api/memory.js';
import { CHECK_RETRY, READ_BEGIN, READ_RETRY, SET_SEQ } from './kernel-api/notifier.js';
import { HMM_FAULT_CALLS, PAGE_USE_CALLS } from './kernel-api/pages.js';
import { isSleepingCall } from './kernel-api/sleep.js';
import { type LockClass, sameClass } from './lock-class.js';
import type { ReclaimHold } from './reclaim-locks.js';
import { CALL_DEPTH } from './summary.js';
import { lockMember } from './queries.js';
import type { FieldBinding, FileIR, Loc, ParamBinding } from './types.js';
import { WorkIndex, type WaitTarget } from './work-items.js';

/** What a call does, as far as mnlint knows it by name. Absent fields: not known to. */
export interface CallFacts {
  /** a call of the interval notifier API that the read side and the invalidation are made of */
  readonly notifier?: 'set_seq' | 'read_begin' | 'read_retry' | 'check_retry';
  /** takes a lock: its argument's, or the one named here (rcu_read_lock, preempt_disable) */
  readonly acquires?: { readonly sleeps: boolean; readonly implicit?: string; readonly canFail: boolean };
  /** releases a lock: its argument's, or the one named here */
  readonly releases?: { readonly implicit?: string };
  /** a lockdep annotation (lock_map_acquire, lock_map_release): acquires or releases its argument's map, a region lockdep checks, not a lock */
  readonly lockdepMap?: 'acquire' | 'release';
  /** takes its argument's lock when it succeeds (when it returns 0 if `inverted`) */
  readonly trylock?: { readonly inverted: boolean };
  /** allocates with the GFP mask in argument `gfpArg` */
  readonly allocates?: { readonly gfpArg: number };
  /** may sleep */
  readonly sleeps?: boolean;
  /** raises (+1) or lowers (-1) the counter or reference in argument `arg` */
  readonly counts?: { readonly arg: number; readonly delta: 1 | -1 };
  /** fills a read section's pfns (hmm_range_fault) */
  readonly faults?: boolean;
  /** references, maps or dirties a page given to it */
  readonly usesPage?: boolean;
}

const NOTIFIER_CALLS: Readonly<Record<string, CallFacts['notifier']>> = { [SET_SEQ]: 'set_seq', [READ_BEGIN]: 'read_begin', [READ_RETRY]: 'read_retry', [CHECK_RETRY]: 'check_retry' };

const curated = new Map<string, CallFacts>();

/** The curated facts of a name (memoized: the walk asks for every call). */
export function curatedFacts(name: string): CallFacts {
  let f = curated.get(name);
  if (f) return f;
  const facts: { -readonly [K in keyof CallFacts]: CallFacts[K] } = {};
  // own entries only: a C function named `constructor` is not Object's
  const own = <T>(table: Readonly<Record<string, T>>): T | undefined => (Object.hasOwn(table, name) ? table[name] : undefined);
  const notifier = own(NOTIFIER_CALLS);
  if (notifier) facts.notifier = notifier;
  const lock = own(LOCK_CALLS);
  const implicit = own(IMPLICIT_LOCKS);
  if (lock) facts.acquires = { sleeps: lock.sleeps, canFail: FAILABLE_ACQUIRES.has(name), ...(implicit ? { implicit } : {}) };
  if (UNLOCK_CALLS.has(name)) facts.releases = implicit ? { implicit } : {};
  const map = own(LOCKDEP_MAP_CALLS);
  if (map !== undefined) facts.lockdepMap = map ? 'acquire' : 'release';
  if (TRYLOCK_CALLS.has(name)) facts.trylock = { inverted: INVERTED_TRYLOCKS.has(name) };
  const gfpArg = own(ALLOC_GFP_ARG);
  if (gfpArg !== undefined) facts.allocates = { gfpArg };
  if (isSleepingCall(name)) facts.sleeps = true;
  const effect = own(EFFECT_CALLS);
  if (effect) facts.counts = effect;
  if (HMM_FAULT_CALLS.has(name)) facts.faults = true;
  if (PAGE_USE_CALLS.has(name)) facts.usesPage = true;
  f = facts;
  curated.set(name, f);
  return f;
}

/**
 * Facts derived from a kernel tree's own code (parser/derive-facts.ts): the
 * functions that sleep and those that reclaim as their GFP argument allows,
 * each with why (`call file:line`, the call that makes it so).
 */
export interface DerivedTable {
  /** the tree it was derived from */
  readonly source: string;
  /** name -> `call file:line` */
  readonly sleeps: Readonly<Record<string, string>>;
  /** name -> [index of its GFP argument, `call file:line`] */
  readonly reclaims: Readonly<Record<string, readonly [number, string]>>;
}

/** The facts of one scan: derived facts over curated ones, and the scan's function-pointer bindings. */
export class FactsDatabase {
  private readonly derived = new Map<string, CallFacts>();
  private readonly byField = new Map<string, FieldBinding[]>();
  /** `callee\0index` -> the functions passed there */
  private readonly byParam = new Map<string, ParamBinding[]>();
  /** callee -> the arguments of its walked call sites (`file:line` and the texts) */
  private readonly sites = new Map<string, Array<{ file: string; line: number; args: readonly string[] }>>();
  private readonly work = new WorkIndex();
  /** lock class chain -> where a lock of it is held around reclaim (gathered when first asked) */
  private holds?: Map<string, ReclaimHold[]>;
  private gatherHolds?: (wanted: LockClass) => readonly ReclaimHold[];
  private readonly files = new Map<string, FileIR>();
  private readonly entries = new Map<string, EntryLocks | null>();

  /** The bindings of a scan: every ops table field and every other field a function is assigned to. */
  static ofScan(files: readonly FileIR[]): FactsDatabase {
    const db = new FactsDatabase();
    for (const f of files) {
      db.files.set(f.file, f);
      for (const t of f.tables) for (const x of t.fields) if (x.function) db.bind({ field: x.field, function: x.function, file: t.file, line: x.loc.line });
      for (const b of f.fieldBindings ?? []) db.bind(b);
      for (const b of f.paramBindings ?? []) db.bindParam(b);
      db.work.add(f.workBindings, f.queuedWork);
    }
    // the walked call sites of the functions something is passed to: which pass something else
    for (const f of files) {
      for (const fn of f.functions) {
        for (const e of fn.events) {
          if (e.kind !== 'call' || e.field !== undefined || e.param !== undefined || !db.passedTo.has(e.name)) continue;
          const list = db.sites.get(e.name) ?? [];
          list.push({ file: fn.file, line: e.loc.line, args: e.args });
          db.sites.set(e.name, list);
        }
      }
    }
    return db;
  }

  /** the callees a function is passed to somewhere */
  private readonly passedTo = new Set<string>();

  bindParam(b: ParamBinding): void {
    const key = `${b.callee}\0${b.index}`;
    const list = this.byParam.get(key) ?? [];
    if (!list.some((x) => x.function === b.function && x.file === b.file && x.line === b.line)) list.push(b);
    this.byParam.set(key, list);
    this.passedTo.add(b.callee);
  }

  /**
   * The functions a call through parameter `index` of `callee` (defined in
   * `file`) may reach: those its call sites pass there, from its own file when
   * it is static; none when more than PASSED_LIMIT are. `unknown`: the walked
   * call sites that pass something else there (a variable, a parameter), whose
   * functions are not known.
   */
  boundParam(callee: string, index: number, file: string, isStatic: boolean): { bound: readonly ParamBinding[]; unknown: number } {
    const key = `${callee}\0${index}\0${isStatic ? file : ''}`;
    let r = this.paramMemo.get(key);
    if (!r) {
      r = this.passed(callee, index, file, isStatic);
      this.paramMemo.set(key, r);
    }
    return r;
  }

  private readonly paramMemo = new Map<string, { bound: readonly ParamBinding[]; unknown: number }>();

  private passed(callee: string, index: number, file: string, isStatic: boolean): { bound: readonly ParamBinding[]; unknown: number } {
    const all = (this.byParam.get(`${callee}\0${index}`) ?? []).filter((b) => !isStatic || b.file === file);
    const names = new Set(all.map((b) => b.function));
    const sites = (this.sites.get(callee) ?? []).filter((s) => !isStatic || s.file === file);
    const unknown = sites.filter((s) => {
      const arg = s.args[index];
      const name = arg === undefined ? undefined : FUNCTION_ARG.exec(arg)?.[1];
      return !name || !names.has(name);
    }).length;
    if (names.size > PASSED_LIMIT) return { bound: [], unknown };
    return { bound: all.filter((b, i) => all.findIndex((x) => x.function === b.function) === i), unknown };
  }

  /** What a call of `name` does: what a run derived, else the curated facts. */
  call(name: string): CallFacts {
    return this.derived.get(name) ?? curatedFacts(name);
  }

  /** Records what a run derived about a function (it wins over the curated entry). */
  derive(name: string, facts: CallFacts): void {
    this.derived.set(name, facts);
  }

  /** How the scan's "held around reclaim" facts are gathered, a class at a time when a rule first asks (they need summaries). */
  holdsFrom(gather: (wanted: LockClass) => readonly ReclaimHold[]): void {
    this.gatherHolds = gather;
    this.holds = new Map();
  }

  /** Where the scan holds a lock of this class around an allocation that may reclaim. */
  heldAroundReclaim(cls: LockClass): readonly ReclaimHold[] {
    this.holds ??= new Map();
    const key = `${cls.chain}\0${cls.type ?? ''}\0${cls.global?.dir ?? ''}`;
    let list = this.holds.get(key);
    if (!list) {
      // only the takers of this class are summarized
      list = [...(this.gatherHolds?.(cls) ?? [])];
      this.holds.set(key, list);
    }
    return list.filter((h) => sameClass(h.cls, cls));
  }

  bind(b: FieldBinding): void {
    const list = this.byField.get(b.field) ?? [];
    if (!list.some((x) => x.function === b.function && x.file === b.file && x.line === b.line)) list.push(b);
    this.byField.set(b.field, list);
  }

  /**
   * The work functions a call of `name` in `fromFile` waits for: the work
   * item's (flush_work(), cancel_delayed_work_sync()...) or those queued on
   * the workqueue (flush_workqueue()...), by the bindings near it; none when
   * the call waits for no work or its work is not bound near.
   */
  waited(name: string, args: readonly string[], fromFile: string): readonly WaitTarget[] {
    return this.work.waited(name, args, fromFile);
  }

  /**
   * The locks held at the entry of a static function of `file`, known from its
   * callers: each call site with the locks held there (the caller's own, and
   * those held for sure at the caller's entry in turn), and the locks every
   * site holds. Null when its callers are not all known: its address is taken,
   * no function calls it, or a caller was not walked whole (the scan walks the
   * callers of the static functions that retry a read section).
   */
  entryLocks(file: string, name: string): EntryLocks | null {
    return this.entryLocksAt(file, name, 0, new Set());
  }

  private entryLocksAt(file: string, name: string, depth: number, open: Set<string>): EntryLocks | null {
    const key = `${file}\0${name}`;
    if (this.entries.has(key)) return this.entries.get(key)!;
    if (depth > CALL_DEPTH || open.has(key)) return null;
    open.add(key);
    const found = this.computeEntry(file, name, depth, open);
    open.delete(key);
    this.entries.set(key, found);
    return found;
  }

  private computeEntry(file: string, name: string, depth: number, open: Set<string>): EntryLocks | null {
    const f = this.files.get(file);
    const known = f?.entryCallers?.find((e) => e.name === name);
    if (!f || !known || known.addressTaken || known.callers.length === 0) return null;
    const sites: EntrySite[] = [];
    for (const caller of known.callers) {
      const fn = f.functions.find((x) => x.name === caller);
      if (!fn || fn.truncated || fn.tooDeep) return null;
      const calls = fn.events.filter((e) => (e.kind === 'call' || e.kind === 'sleep') && e.name === name);
      if (!calls.length) return null;
      const above = this.entryLocksAt(file, caller, depth + 1, open)?.held ?? [];
      for (const e of calls) sites.push({ caller, file, loc: e.loc, locks: [...new Set([...e.locks, ...above])].sort() });
    }
    const held = sites[0]!.locks.filter((l) => sites.every((s) => s.locks.some((x) => lockMember(x) === lockMember(l))));
    return { sites, held };
  }

  /** The functions a call through `->field` may reach, in the order the scan found them. */
  bound(field: string): readonly FieldBinding[] {
    return this.byField.get(field) ?? [];
  }

  /**
   * The functions a call through `->field` in `fromFile` may reach, by what the
   * tree near it assigns: the designated initializers of the one struct type
   * that has the member (see ofOneType); else the bindings of its own file,
   * else of its directory; none when more than BOUND_LIMIT are (a field name
   * shared by unrelated structs says too little).
   */
  boundNear(field: string, fromFile: string): readonly FieldBinding[] {
    const all = this.byField.get(field);
    if (!all) return [];
    const typed = ofOneType(all, fromFile);
    if (typed) return typed;
    const own = all.filter((b) => b.file === fromFile);
    const dir = dirOf(fromFile);
    const near = own.length ? own : all.filter((b) => dirOf(b.file) === dir);
    const names = new Set(near.map((b) => b.function));
    return names.size > BOUND_LIMIT ? [] : near.filter((b, i) => near.findIndex((x) => x.function === b.function) === i);
  }
}

/**
 * The functions the designated initializers of one struct type set `field`
 * to under the caller's parent directory (the scan looks the tree's
 * initializers up there: scan.ts), when they are all of one type: a call
 * through `->field` there is a call through that type's member, and may run
 * any of them (which one depends on the object). Undefined when none is
 * typed, when two types have the member, or past TYPED_LIMIT functions.
 */
function ofOneType(all: readonly FieldBinding[], fromFile: string): FieldBinding[] | undefined {
  const area = `${dirOf(dirOf(fromFile))}/`;
  const near = all.filter((b) => b.struct !== undefined && (area === '/' || b.file.startsWith(area)));
  if (!near.length || near.some((b) => b.struct !== near[0]!.struct)) return undefined;
  const distinct = near.filter((b, i) => near.findIndex((x) => x.function === b.function) === i);
  return distinct.length > TYPED_LIMIT ? undefined : distinct;
}

/** A place a static function is called from, and the locks held there. */
export interface EntrySite {
  readonly caller: string;
  readonly file: string;
  readonly loc: Loc;
  /** the caller's locks at the call, and those held for sure at the caller's own entry */
  readonly locks: readonly string[];
}

/** What a function's callers hold where they call it. */
export interface EntryLocks {
  /** every call site of the scan (all of them: the function is static and its address is not taken) */
  readonly sites: readonly EntrySite[];
  /** the locks every site holds (by member name: `a->lock` and `b->lock` are one), as the first site names them */
  readonly held: readonly string[];
}

/** Functions one field may be bound to before a call through it is left unresolved. */
export const BOUND_LIMIT = 4;
/** The same for a member of one struct type's designated initializers: its type says they are the candidates. */
export const TYPED_LIMIT = 16;
/** Functions one parameter may be passed before a call through it is left unresolved (the call site's own argument picks one: see summary.ts). */
export const PASSED_LIMIT = 8;

/** A call argument that is a function name alone, `&fn` or `(cast)fn`. */
export const FUNCTION_ARG = /^(?:\([^()]*\)\s*)?&?\s*([A-Za-z_]\w*)$/;

function dirOf(file: string): string {
  const i = file.lastIndexOf('/');
  return i < 0 ? '' : file.slice(0, i);
}

/** Why a derived function sleeps or reclaims: the call that does it, and where (`file:line`). */
export interface DerivedWhy {
  readonly call: string;
  readonly at: string;
}

/** What a derived table knows of a name, read into its parts. */
export interface DerivedFacts {
  readonly sleeps?: DerivedWhy;
  /** the index of its GFP argument, and why */
  readonly reclaims?: { readonly gfpArg: number; readonly why: DerivedWhy };
}

/** The table keeps a reason as `call file:line`. */
function whyOf(text: string): DerivedWhy {
  const space = text.indexOf(' ');
  return space < 0 ? { call: text, at: '' } : { call: text.slice(0, space), at: text.slice(space + 1) };
}

/** What a derived table says of a name: why it sleeps, or the GFP argument it reclaims by. */
export function derivedOf(table: DerivedTable, name: string): DerivedFacts | undefined {
  if (Object.hasOwn(table.sleeps, name)) return { sleeps: whyOf(table.sleeps[name]!) };
  if (Object.hasOwn(table.reclaims, name)) {
    const [gfpArg, why] = table.reclaims[name]!;
    return { reclaims: { gfpArg, why: whyOf(why) } };
  }
  return undefined;
}
