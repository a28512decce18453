// Work items as calls: which function a wait on a work item (flush_work(),
// cancel_delayed_work_sync()...) or on a workqueue (flush_workqueue()...)
// waits for, by the bindings and queueing calls of the scanned code. A work
// item is known by the member path written at the wait (`&p->svms.restore_work`)
// and matched to the bindings written elsewhere (`INIT_DELAYED_WORK(&svms->restore_work, fn)`)
// by its field name and as many members before it as agree: a binding by
// field name, not a proof (the struct type is not tracked).
import { workWait } from './kernel-api/work.js';
import type { QueuedWork, WorkBinding } from './types.js';

/**
 * The member path of a work item or workqueue as written: `&p->svms.restore_work`
 * is `p`, `svms`, `restore_work`; a root that is a call or a cast expression
 * (`to_i915(obj)->mm.wq`) is `?`; subscripts are dropped. `dotted`: the last
 * member follows a `.` (`&x->dwork.work`, the work inside a delayed work).
 * Null for anything else (a call's result, arithmetic).
 */
export function memberPath(text: string): { parts: string[]; dotted: boolean } | null {
  let t = text.trim().replace(/^&\s*/, '');
  // subscripts, innermost first
  for (let prev = ''; prev !== t; ) {
    prev = t;
    t = t.replace(/\[[^[\]]*\]/g, '');
  }
  while (/^\(.*\)$/s.test(t) && balanced(t.slice(1, -1))) t = t.slice(1, -1).trim();
  // a root that is a call, a cast or a parenthesized expression: what follows it
  const close = t.lastIndexOf(')');
  if (close >= 0) {
    const rest = t.slice(close + 1).trim();
    if (!/^(->|\.)/.test(rest)) return null;
    t = `?${rest}`;
  }
  const parts: string[] = [];
  const seps: string[] = [];
  const re = /\s*(->|\.)\s*/g;
  let from = 0;
  for (const m of t.matchAll(re)) {
    parts.push(t.slice(from, m.index));
    seps.push(m[1]!);
    from = m.index + m[0].length;
  }
  parts.push(t.slice(from));
  if (!parts.every((p, i) => /^[A-Za-z_]\w*$/.test(p) || (i === 0 && p === '?'))) return null;
  return { parts, dotted: seps[seps.length - 1] === '.' };
}

/** Whether a text's parentheses balance (a member path's `&(...)` may be unwrapped). */
export function balanced(t: string): boolean {
  let depth = 0;
  for (const c of t) {
    if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

/** How many trailing members two paths share (0 when the field itself differs). */
export function sharedSuffix(a: readonly string[], b: readonly string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n] && a[a.length - 1 - n] !== '?') n++;
  return n;
}

/** What a wait waits for: one work function, bound where, and the queueing call when the wait is on a workqueue. */
export interface WaitTarget {
  /** the work function */
  readonly function: string;
  /** the work item as written at the binding (`svms->restore_work`) */
  readonly work: string;
  /** the binding: macro and place */
  readonly by: string;
  readonly file: string;
  readonly line: number;
  /** how many functions the wait may reach in all */
  readonly of: number;
  /** a wait on a workqueue: the queue as written at the wait, and the call that queued this work on it */
  readonly queue?: { readonly name: string; readonly by: string; readonly file: string; readonly line: number };
}

/** Functions one work item may be bound to before a wait on it is left unresolved (as for a function pointer, facts-db's BOUND_LIMIT). */
const BOUND_LIMIT = 4;
/** Work functions one workqueue flush may wait for before it is left unresolved. */
const QUEUE_LIMIT = 8;

function dirOf(file: string): string {
  const i = file.lastIndexOf('/');
  return i < 0 ? '' : file.slice(0, i);
}

/**
 * Of the sites whose path ends in the same field as `path`, in `fromFile` or
 * its directory: those sharing the longest suffix with it, the own file's
 * first.
 */
function nearest<T extends { file: string }>(sites: readonly T[], pathOf: (x: T) => readonly string[], path: readonly string[], fromFile: string): T[] {
  const dir = dirOf(fromFile);
  let best = 0;
  let out: T[] = [];
  for (const s of sites) {
    if (s.file !== fromFile && dirOf(s.file) !== dir) continue;
    const n = sharedSuffix(pathOf(s), path);
    if (n === 0 || n < best) continue;
    if (n > best) {
      best = n;
      out = [];
    }
    out.push(s);
  }
  const own = out.filter((s) => s.file === fromFile);
  return own.length ? own : out;
}

/** The work items and queueing calls of a scan, by field name. */
export class WorkIndex {
  private readonly bindings = new Map<string, WorkBinding[]>();
  private readonly queued = new Map<string, QueuedWork[]>();

  add(bindings: readonly WorkBinding[] = [], queued: readonly QueuedWork[] = []): void {
    for (const b of bindings) push(this.bindings, b.work[b.work.length - 1]!, b);
    for (const q of queued) push(this.queued, q.queue[q.queue.length - 1]!, q);
  }

  /** The bindings of the work item written `path` in `fromFile`: the nearest by member path. */
  private bound(path: { parts: string[]; dotted: boolean }, fromFile: string): WorkBinding[] {
    const of = (parts: readonly string[]): WorkBinding[] => nearest(this.bindings.get(parts[parts.length - 1]!) ?? [], (b) => b.work, parts, fromFile);
    // `&x->dwork.work`: the work inside a delayed work, bound as `x->dwork`
    if (path.dotted && path.parts.length > 1 && path.parts[path.parts.length - 1] === 'work') {
      const outer = of(path.parts.slice(0, -1));
      if (outer.length) return outer;
    }
    return of(path.parts);
  }

  /** What a call of `name` with `args` in `fromFile` waits for: none when it is no wait, the item is not bound near, or too many functions are. */
  waited(name: string, args: readonly string[], fromFile: string): WaitTarget[] {
    const wait = workWait(name);
    if (!wait) return [];
    if ('work' in wait) {
      const path = args[wait.work] === undefined ? null : memberPath(args[wait.work]!);
      if (!path) return [];
      const bound = distinct(this.bound(path, fromFile));
      if (bound.length > BOUND_LIMIT) return [];
      return bound.map((b) => ({ function: b.function, work: b.work.join('->'), by: b.by, file: b.file, line: b.line, of: bound.length }));
    }
    const queue = typeof wait.queue === 'string' ? { parts: [wait.queue], dotted: false } : args[wait.queue] === undefined ? null : memberPath(args[wait.queue]!);
    if (!queue) return [];
    const name_ = queue.parts.join('->');
    const sites = nearest(this.queued.get(queue.parts[queue.parts.length - 1]!) ?? [], (q) => q.queue, queue.parts, fromFile);
    const out: Array<Omit<WaitTarget, 'of'>> = [];
    for (const q of sites) {
      for (const b of distinct(this.bound({ parts: [...q.work], dotted: false }, q.file))) {
        if (out.some((x) => x.function === b.function)) continue;
        out.push({ function: b.function, work: b.work.join('->'), by: b.by, file: b.file, line: b.line, queue: { name: name_, by: q.by, file: q.file, line: q.line } });
      }
    }
    if (out.length > QUEUE_LIMIT) return [];
    return out.map((x) => ({ ...x, of: out.length }));
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** One binding per function (the first found). */
function distinct(list: readonly WorkBinding[]): WorkBinding[] {
  return list.filter((b, i) => list.findIndex((x) => x.function === b.function) === i);
}
