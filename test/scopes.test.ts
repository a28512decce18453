// Locals known by declaration, not by name: the lowering gives each
// declaration its identity (LIdent.local), and the failure codes written to
// locals (FunctionIR.failureStores) are dead exactly where no path reads the
// variable that was written. Fixture: fixtures/engine/scopes.c (its `walk:`
// probes are test/engine.test.ts's).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { LExpr, LStmt } from '../src/ir/lowered.js';
import type { FunctionIR } from '../src/ir/types.js';
import { parseToIR } from '../src/parser/index.js';
import { createCParser } from '../src/parser/load.js';
import { lowerFunction } from '../src/parser/lower.js';
import { prepass } from '../src/parser/prepass.js';
import { declaratorName, lineStarts, type FileCtx } from '../src/parser/syntax.js';

const FILE = join(import.meta.dirname, '..', 'fixtures', 'engine', 'scopes.c');
const source = readFileSync(FILE, 'utf8');

async function functions(): Promise<Map<string, FunctionIR>> {
  const ir = await parseToIR('scopes.c', source, ['eng_shadow', 'eng_one_ret', 'eng_overwritten', 'eng_read_once']);
  return new Map(ir.functions.map((f) => [f.name, f]));
}

/** What each failure store of a function says: `variable=text@line dead|read`, shadowing marked. */
function storesOf(fn: FunctionIR | undefined): string[] {
  return (fn?.failureStores ?? []).map((s) => `${s.variable}${s.shadows ? '(inner)' : ''}=${s.text}@${s.loc.line} ${s.dead ? 'dead' : 'read'}`);
}

describe('failure codes written to locals', () => {
  test('an inner ret written and left by goto is dead; the outer one returned is not it', async () => {
    const fns = await functions();
    const fn = fns.get('eng_shadow')!;
    expect(storesOf(fn)).toEqual(['ret(inner)=-EAGAIN@14 dead']);
    // the return that follows returns the outer ret (0), and the store is on its way
    const r = fn.returns.find((x) => x.stores?.length);
    expect(r?.value).toEqual({ k: 'int', v: 0 });
    expect(r?.text).toBe('ret');
  });

  test('the same store into the one ret is read by the return: not dead', async () => {
    const fns = await functions();
    expect(storesOf(fns.get('eng_one_ret'))).toEqual(['ret=-EAGAIN@29 read']);
    expect(fns.get('eng_one_ret')!.returns.map((r) => r.value)).toContainEqual({ k: 'int', v: -11 });
  });

  test('a store written again before any read is dead; an initializer is no store', async () => {
    const fns = await functions();
    expect(storesOf(fns.get('eng_overwritten'))).toEqual(['ret=-EBUSY@84 dead']);
  });

  test('a store read on one path is not dead, though another path drops it', async () => {
    const fns = await functions();
    expect(storesOf(fns.get('eng_read_once'))).toEqual(['ret=-ENOMEM@94 read']);
  });
});

describe('identity by declaration in the lowered form', () => {
  test('each declaration of a name is its own local; every use names the one in scope', async () => {
    const pre = prepass(source);
    const tree = (await createCParser()).parse(pre.text)!;
    const ctx: FileCtx = { file: 'scopes.c', source, lineStarts: lineStarts(source), loops: new Map(pre.loops.map((l) => [l.offset, l.macro])), defined: new Set() };
    const uses = new Map<string, string[]>();
    for (const d of tree.rootNode.namedChildren.filter((c) => c.type === 'function_definition')) {
      const name = declaratorName(d.childForFieldName('declarator')) ?? '';
      const fn = lowerFunction(ctx, name, ['e'], [], d.childForFieldName('body')!);
      const out: string[] = [];
      const expr = (x: LExpr | null | undefined): void => {
        if (!x) return;
        if (x.kind === 'ident' && x.local) out.push(x.local);
        if (x.kind === 'call') {
          expr(x.fn);
          for (const a of x.argNodes) expr(a);
        } else if (x.kind === 'assign') {
          expr(x.left);
          expr(x.right);
        } else if (x.kind === 'update') expr(x.arg);
        else if ('children' in x) for (const c of x.children) expr(c);
      };
      const stmt = (st: LStmt | null | undefined): void => {
        if (!st) return;
        switch (st.kind) {
          case 'block':
          case 'label':
            for (const c of st.body) stmt(c);
            return;
          case 'decl':
            for (const d of st.declarators) if (d.init) expr(d.init.value);
            return;
          case 'expr':
          case 'return':
            expr(st.expr);
            return;
          case 'if':
            expr(st.cond);
            stmt(st.consequence);
            stmt(st.alternative);
            return;
          case 'for':
            if (st.init?.kind === 'decl') stmt(st.init);
            else expr(st.init);
            expr(st.cond);
            expr(st.update);
            stmt(st.body);
            return;
          default:
            return;
        }
      };
      stmt(fn.body);
      uses.set(name, out);
    }
    tree.delete();
    // the parameter is declared first: its name is its identity
    expect(uses.get('eng_shadow')).toEqual(['e', 'ret#2', 'ret']);
    expect(uses.get('eng_siblings')).toEqual(['e', 'e', 'err', 'e', 'err#2']);
    expect(uses.get('eng_before_inner')).toEqual(['n', 'e', 'm', 'n']);
    expect(uses.get('eng_for_scope')).toEqual(['i#2', 'i#2', 'e', 'i#2', 'i']);
  });
});
