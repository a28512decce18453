// The parser layer's entry: C text in, IR out. Nothing else imports tree-sitter.
import type { Parser } from 'web-tree-sitter';
import type { FileIR } from '../ir/types.js';
import { createCParser } from './load.js';
import { prepass } from './prepass.js';
import { extractFile } from './extract.js';

import { keepFunctions } from './slice.js';

export { prepass } from './prepass.js';

let shared: Promise<Parser> | undefined;

function parser(): Promise<Parser> {
  shared ??= createCParser();
  return shared;
}

export class ParseFailure extends Error {}

/** Parses one file's text into its IR; `file` is the name used in findings. */
export async function parseToIR(file: string, source: string, wanted: readonly string[] = []): Promise<FileIR> {
  const p = await parser();
  const pre = prepass(source);
  const tree = p.parse(pre.text);
  if (!tree) throw new ParseFailure('tree-sitter returned no tree');
  try {
    return extractFile({ file, source, root: tree.rootNode, loops: pre.loops, wanted });
  } finally {
    tree.delete();
  }
}

/**
 * Parses only the named definitions of a file (a callee wanted by a callback
 * elsewhere): the rest is blanked first, so a 200 KB file costs what its few
 * functions cost. Lines and columns stay those of the full file.
 */
export async function parseFunctionsToIR(file: string, source: string, names: readonly string[]): Promise<FileIR> {
  const kept = keepFunctions(source, new Set(names));
  const ir = await parseToIR(file, kept ?? '', names);
  return { ...ir, tables: [], bindings: [] };
}
