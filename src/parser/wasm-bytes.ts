// Where the tree-sitter runtime and C grammar bytes come from when running from
// sources (tests, tsx). scripts/build.mjs replaces this module in the bundle by
// one that embeds both files, so dist/ needs no node_modules.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function runtimeWasm(): Uint8Array {
  return readFileSync(require.resolve('web-tree-sitter/web-tree-sitter.wasm'));
}

export function cGrammarWasm(): Uint8Array {
  return readFileSync(require.resolve('tree-sitter-c/tree-sitter-c.wasm'));
}
