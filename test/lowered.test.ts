// The lowered form (src/ir/lowered.ts) is plain data: a function lowered by
// the parser, sent through JSON, walks to the same facts as the original.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createCParser } from '../src/parser/load.js';
import { lowerFunction } from '../src/parser/lower.js';
import { prepass } from '../src/parser/prepass.js';
import { declaratorName, lineStarts, type FileCtx } from '../src/parser/syntax.js';
import { walkFunction } from '../src/path/engine/walk.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'engine');

describe('lowered functions', () => {
  for (const name of readdirSync(FIXTURES).filter((f) => f.endsWith('.c'))) {
    test(`${name}: JSON round trip walks the same`, async () => {
      const source = readFileSync(join(FIXTURES, name), 'utf8');
      const pre = prepass(source);
      const tree = (await createCParser()).parse(pre.text)!;
      const ctx: FileCtx = { file: name, source, lineStarts: lineStarts(source), loops: new Map(pre.loops.map((l) => [l.offset, l.macro])), defined: new Set() };
      const defs = tree.rootNode.namedChildren.filter((c) => c.type === 'function_definition');
      for (const d of defs) ctx.defined.add(declaratorName(d.childForFieldName('declarator')) ?? '');
      expect(defs.length).toBeGreaterThan(0);
      for (const d of defs) {
        const fn = lowerFunction(ctx, declaratorName(d.childForFieldName('declarator')) ?? '', [], [], d.childForFieldName('body')!);
        const copy = JSON.parse(JSON.stringify(fn));
        expect(copy).toEqual(fn);
        expect(walkFunction(copy, ctx.defined)).toEqual(walkFunction(fn, ctx.defined));
      }
      tree.delete();
    });
  }
});
