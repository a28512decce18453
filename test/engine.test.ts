// Tests of the path-sensitive walk itself (src/parser/walker.ts), in the manner
// of Clang's debug.ExprInspection: a fixture under fixtures/engine/ says in a
// comment what the walk must know at a point, and the walk reports its live
// states there (`inspectWalk`, which only tests call).
//
// Annotation grammar: a comment on its own line inside a function body,
//
//   // walk: [todo] CLAUSE (SPACE CLAUSE)*
//
//   states=N              N live states
//   truncated=true|false  whether the function had hit the state budget by then
//   atoms=[a, b]          the atoms any live state assumes something of (union)
//   locks=L ('|' L)*      the lock sets held, one list per distinct set: `[e->lock]|[]`
//   scoped=L ('|' L)*     the same for locks held by contract or guard()
//   maps=L ('|' L)*       the same for lockdep maps acquired (lock_map_acquire), kept apart from locks
//   effects=L ('|' L)*    the same for live effects (`+e->count`)
//   when={atom:V, ...}    V = `true`, `false` or `?` (no assumption), joined by `|`:
//                         the values the live states give the atom (the last `:`
//                         splits, so `trylock:e->lock:true` names `trylock:e->lock`)
//   typestate={P/OBJ:S, ...}  the same for the objects of the typestate checkers:
//                         protocol P (ir/kernel-api/protocols.ts), object OBJ as
//                         the protocol names it, S its state, `?` when a helper
//                         was handed it, `-` when the path has no state for it
//                         (the last `:` splits)
//   vars={name:V, ...}    the same for tracked locals, as the walk shows them
//                         (`blockable`, `!blockable`, `0`, `true`, `NULL`, `alloc`,
//                         `?` for untracked; the first `:` splits)
//
// Every clause but `states` and `truncated` compares a SET over the live
// states: `locks=[a]|[]` holds when some states hold a, the others nothing,
// and no state holds anything else; `when={blockable:true}` holds when every
// live state assumes blockable. A clause left out is not checked.
//
// The states are those the statement after the comment starts with (a label's
// arriving gotos included), or the block's last states when the comment ends
// it. A probe the walk never reaches (dead code it skips) has no live state:
// only `states=0` holds there. `todo` marks what the walk should know but does
// not yet: the probe runs as an expected failure (test.fails), so it flips to
// a failure the day the engine learns it, and the `todo` comes off.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { FileIR } from '../src/ir/types.js';
import { inspectWalk, parseToIR, type StateSnapshot, type WalkProbe } from '../src/parser/index.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'engine');

/** What an annotation asserts: each set as sorted canonical strings, so toEqual shows a readable diff. */
interface Expectation {
  states?: number;
  truncated?: boolean;
  atoms?: string[];
  locks?: string[];
  scoped?: string[];
  maps?: string[];
  effects?: string[];
  when?: Record<string, string[]>;
  vars?: Record<string, string[]>;
  typestate?: Record<string, string[]>;
}

interface Annotation {
  line: number;
  text: string;
  todo: boolean;
  expect: Expectation;
}

/** Splits at `sep` outside brackets and braces. */
function splitTop(text: string, sep: (c: string) => boolean): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (depth === 0 && sep(c)) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.map((s) => s.trim()).filter((s) => s !== '');
}

function listText(items: readonly string[]): string {
  return `[${[...items].sort().join(', ')}]`;
}

function parseList(text: string): string[] {
  const m = /^\[(.*)\]$/.exec(text);
  if (!m) throw new Error(`not a list: ${text}`);
  return splitTop(m[1]!, (c) => c === ',');
}

function parseMap(text: string, lastColon: boolean, values?: ReadonlySet<string>): Record<string, string[]> {
  const m = /^\{(.*)\}$/.exec(text);
  if (!m) throw new Error(`not a map: ${text}`);
  const out: Record<string, string[]> = {};
  for (const entry of splitTop(m[1]!, (c) => c === ',')) {
    const at = lastColon ? entry.lastIndexOf(':') : entry.indexOf(':');
    if (at <= 0) throw new Error(`no value: ${entry}`);
    const key = entry.slice(0, at).trim();
    const alts = entry
      .slice(at + 1)
      .split('|')
      .map((v) => v.trim());
    for (const v of alts) if (v === '' || (values && !values.has(v))) throw new Error(`bad value for ${key}: ${v || '(empty)'}`);
    out[key] = [...new Set(alts)].sort();
  }
  return out;
}

function parseAnnotation(text: string): { todo: boolean; expect: Expectation } {
  const clauses = splitTop(text, (c) => /\s/.test(c));
  const todo = clauses[0] === 'todo';
  if (todo) clauses.shift();
  if (clauses.length === 0) throw new Error('an annotation asserts something');
  const expect: Expectation = {};
  for (const clause of clauses) {
    const eq = clause.indexOf('=');
    const key = clause.slice(0, eq);
    const value = clause.slice(eq + 1);
    if (eq <= 0 || key in expect) throw new Error(`bad or repeated clause: ${clause}`);
    switch (key) {
      case 'states':
        if (!/^\d+$/.test(value)) throw new Error(`states=${value}`);
        expect.states = Number(value);
        break;
      case 'truncated':
        if (value !== 'true' && value !== 'false') throw new Error(`truncated=${value}`);
        expect.truncated = value === 'true';
        break;
      case 'atoms':
        expect.atoms = parseList(value).sort();
        break;
      case 'locks':
      case 'scoped':
      case 'maps':
      case 'effects':
        expect[key] = [...new Set(splitTop(value, (c) => c === '|').map((l) => listText(parseList(l))))].sort();
        break;
      case 'when':
        expect.when = parseMap(value, true, new Set(['true', 'false', '?']));
        break;
      case 'vars':
        expect.vars = parseMap(value, false);
        break;
      case 'typestate':
        expect.typestate = parseMap(value, true);
        break;
      default:
        throw new Error(`unknown clause: ${clause}`);
    }
  }
  return { todo, expect };
}

/** The live states seen the way `want` asks: the same keys, the same canonical sets. */
function observe(states: readonly StateSnapshot[], truncated: boolean, want: Expectation): Expectation {
  const set = (values: string[]): string[] => [...new Set(values)].sort();
  const got: Expectation = {};
  if (want.states !== undefined) got.states = states.length;
  if (want.truncated !== undefined) got.truncated = truncated;
  if (want.atoms) got.atoms = set(states.flatMap((s) => Object.keys(s.when)));
  for (const key of ['locks', 'scoped', 'effects'] as const) if (want[key]) got[key] = set(states.map((s) => listText(s[key])));
  if (want.maps) got.maps = set(states.map((s) => listText(s.maps ?? [])));
  if (want.when) got.when = Object.fromEntries(Object.keys(want.when).map((a) => [a, set(states.map((s) => (a in s.when ? String(s.when[a]) : '?')))]));
  if (want.vars) got.vars = Object.fromEntries(Object.keys(want.vars).map((v) => [v, set(states.map((s) => s.vars[v] ?? '?'))]));
  if (want.typestate) got.typestate = Object.fromEntries(Object.keys(want.typestate).map((o) => [o, set(states.map((s) => s.typestate[o] ?? '-'))]));
  return got;
}

/** The `// walk:` comments of a fixture, read from the text (so one the walk never reaches is still checked). */
function annotationsOf(source: string): Annotation[] {
  const out: Annotation[] = [];
  source.split('\n').forEach((line, i) => {
    const m = /^\s*\/[/*]\s*walk:\s*(.*?)\s*(?:\*\/)?\s*$/.exec(line);
    if (m) out.push({ line: i + 1, text: m[1]!, ...parseAnnotation(m[1]!) });
  });
  return out;
}

const walks = new Map<string, Promise<{ ir: FileIR; probes: WalkProbe[] }>>();

/** Walks every function a fixture defines, once per file. */
function walkFixture(file: string): Promise<{ ir: FileIR; probes: WalkProbe[] }> {
  let walk = walks.get(file);
  if (!walk) {
    const source = readFileSync(join(FIXTURES, file), 'utf8');
    walk = parseToIR(file, source).then((ir) =>
      inspectWalk(
        file,
        source,
        ir.defined.map((d) => d.name),
      ),
    );
    walks.set(file, walk);
  }
  return walk;
}

async function checkProbe(file: string, a: Annotation): Promise<void> {
  const { probes } = await walkFixture(file);
  const seen = probes.filter((p) => p.line === a.line);
  // a block walked more than once (none today) would record a point more than once
  const states = seen.flatMap((p) => p.states);
  const truncated = seen.some((p) => p.truncated);
  expect(observe(states, truncated, a.expect), `${file}:${a.line} walk: ${a.text}`).toEqual(a.expect);
}

const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.c'))
  .sort();

describe('the annotation grammar', () => {
  test('reads each clause into a set over the live states', () => {
    expect(parseAnnotation('states=2 locks=[e->lock]|[] when={blockable:true|false, trylock:e->lock:?|true} vars={ok:!blockable}')).toEqual({
      todo: false,
      expect: { states: 2, locks: ['[]', '[e->lock]'], when: { blockable: ['false', 'true'], 'trylock:e->lock': ['?', 'true'] }, vars: { ok: ['!blockable'] } },
    });
    expect(parseAnnotation('todo atoms=[b, a] truncated=true').expect).toEqual({ atoms: ['a', 'b'], truncated: true });
  });

  test('rejects what it does not know, so a typo fails instead of passing', () => {
    for (const bad of ['', 'lock=[a]', 'states=two', 'when={blockable}', 'when={blockable:maybe}', 'locks=a', 'states=1 states=2', 'truncated=yes']) {
      expect(() => parseAnnotation(bad), bad).toThrow();
    }
  });

  test('a wrong annotation fails: the comparison sees the live states', () => {
    const state: StateSnapshot = { when: { blockable: true }, locks: ['e->lock'], scoped: [], effects: [], vars: { ok: '0' }, typestate: {} };
    const wrong = parseAnnotation('states=1 locks=[] when={blockable:false} vars={ok:1}').expect;
    expect(observe([state], false, wrong)).toEqual({ states: 1, locks: ['[e->lock]'], when: { blockable: ['true'] }, vars: { ok: ['0'] } });
    // no live state: every set is empty, so only states=0 holds
    expect(observe([], false, parseAnnotation('locks=[]').expect)).toEqual({ locks: [] });
  });
});

describe.each(fixtures)('fixtures/engine/%s', (file) => {
  const annotations = annotationsOf(readFileSync(join(FIXTURES, file), 'utf8'));

  test('has probes, each in a function the walk reached', async () => {
    expect(annotations.length).toBeGreaterThan(0);
    const { ir, probes } = await walkFixture(file);
    // every defined function was walked, and no probe comes from text the test did not read
    expect(ir.functions.map((f) => f.name).sort()).toEqual(ir.defined.map((d) => d.name).sort());
    expect(probes.map((p) => p.line).filter((l) => !annotations.some((a) => a.line === l))).toEqual([]);
  });

  test('probing leaves the IR as a plain parse makes it', async () => {
    const { ir } = await walkFixture(file);
    const source = readFileSync(join(FIXTURES, file), 'utf8');
    expect(ir).toEqual(
      await parseToIR(
        file,
        source,
        ir.defined.map((d) => d.name),
      ),
    );
  });

  for (const a of annotations) {
    (a.todo ? test.fails : test)(`line ${a.line}: ${a.text}`, () => checkProbe(file, a));
  }
});

describe('the state budget', () => {
  test('six independent flags truncate the walk; the returns kept are real paths', async () => {
    const { ir } = await walkFixture('budget.c');
    const fn = ir.functions.find((f) => f.name === 'eng_wide')!;
    expect(fn.truncated).toBe(true);
    const flags = ['a', 'b', 'c', 'd', 'f', 'g'].map((p) => `param:${p}`);
    const keys = fn.returns.map((r) => flags.map((a) => (a in r.when ? String(r.when[a]) : '?')).join(','));
    // a subset of the 64 paths: each return assumes every flag, none twice, and no atom beyond them
    expect(fn.returns.length).toBe(32);
    expect(new Set(keys).size).toBe(32);
    expect(keys.every((k) => !k.includes('?'))).toBe(true);
    expect(fn.returns.every((r) => Object.keys(r.when).every((a) => flags.includes(a)))).toBe(true);
    // which half survives is the walk's order: the then-branches of the last test
    expect(fn.returns.every((r) => r.when['param:g'] === true)).toBe(true);
  });

  test('forgetting what helpers returned keeps a function under the budget', async () => {
    const { ir } = await walkFixture('budget.c');
    const fn = ir.functions.find((f) => f.name === 'eng_helpers')!;
    expect(fn.truncated).toBe(false);
    // the last helper's result is kept again after the fold (the atom without its position)
    const atoms = fn.returns.map((r) =>
      Object.keys(r.when)
        .map((a) => a.replace(/@\d+:\d+$/, ''))
        .sort()
        .join(','),
    );
    expect(atoms).toEqual(Array(4).fill('blockable,ret:eng_check_g'));
  });
});

describe('backward goto', () => {
  test('a retry loop is walked to a fixpoint: the second round takes the lock it holds', async () => {
    const { ir } = await walkFixture('goto.c');
    const fn = ir.functions.find((f) => f.name === 'eng_retry')!;
    const takes = fn.events.filter((e) => e.kind === 'lock' && e.name === 'mutex_lock');
    expect(takes.map((e) => e.locks)).toEqual([[], ['e->lock']]);
    expect(fn.truncated).toBe(false);
  });

  test('a round learns nothing new from what its calls returned: the loop closes after one more round', async () => {
    const { ir } = await walkFixture('goto.c');
    const fn = ir.functions.find((f) => f.name === 'eng_read');
    expect(fn).toBeDefined();
    // the retry of the first round is forgotten at the back edge, so the second round starts as the first did
    expect(fn!.events.filter((e) => e.kind === 'read_begin')).toHaveLength(1);
    expect(fn!.truncated).toBe(false);
  });

  test('a loop that keeps bringing new states is cut off and marked truncated', async () => {
    const { ir } = await walkFixture('goto.c');
    const fn = ir.functions.find((f) => f.name === 'eng_grow')!;
    expect(fn.truncated).toBe(true);
  });
});

describe('the read-side typestate', () => {
  test('a page use and a helper call after the fault carry the retry that stands on their path', async () => {
    const { ir } = await walkFixture('read-section.c');
    const fn = ir.functions.find((f) => f.name === 'eng_section')!;
    const at = (id: number): string => `${fn.events[id]!.kind} ${fn.events[id]!.name}@${fn.events[id]!.loc.line}`;
    const facts = (fn.readSections ?? []).map((f) => `${at(f.event)} <- ${f.retry === null ? 'no retry' : at(f.retry)}`);
    expect(facts.sort()).toEqual(
      [
        // used before the retry: nothing checked yet (any call may be a helper using the pages)
        'call hmm_pfn_to_page@14 <- no retry',
        'page_use get_page@15 <- no retry',
        // after the retry, under e->lock: the retry at line 17 stands
        'call eng_commit@21 <- read_retry mmu_interval_read_retry@17',
        'page_use set_page_dirty@22 <- read_retry mmu_interval_read_retry@17',
      ].sort(),
    );
  });

  test('no fault, no section', async () => {
    const { ir } = await walkFixture('read-section.c');
    expect(ir.functions.find((f) => f.name === 'eng_no_section')!.readSections).toBeUndefined();
  });
});

describe('the typestate checkers', () => {
  /** The facts of a function as `kind object state call@line <- since@line` lines. */
  async function factsOf(name: string): Promise<string[]> {
    const { ir } = await walkFixture('typestate.c');
    const fn = ir.functions.find((f) => f.name === name)!;
    const at = (id: number | null): string => (id === null ? '-' : `${fn.events[id]!.name}@${fn.events[id]!.loc.line}`);
    return [...new Set((fn.typestates ?? []).map((f) => `${f.kind} ${f.object} ${f.state || '?'} ${f.call ?? f.loc?.line ?? ''} ${at(f.event)} <- ${at(f.since)}`))].sort();
  }

  test('a notifier moved by the function itself: nothing goes against its protocol', async () => {
    expect(await factsOf('eng_lifetime')).toEqual([]);
    expect(await factsOf('eng_escape')).toEqual([]);
    expect(await factsOf('eng_section')).toEqual([]);
  });

  test('a loop round leaving a faulted section to the next begin, and a retry thrown away', async () => {
    expect(await factsOf('eng_chunks')).toEqual(['ignored seq ? mmu_interval_read_retry mmu_interval_read_retry@94 <- -', 'loop seq faulted  - <- mmu_interval_read_begin@87']);
  });
});
