// Loads the tree-sitter runtime and the C grammar (WASM binding; see
// shared/design/stack.md for why not the native one).
import { setFlagsFromString } from 'node:v8';
import { Parser, Language } from 'web-tree-sitter';
import { runtimeWasm, cGrammarWasm } from './wasm-bytes.js';

let ready: Promise<Language> | undefined;

export function loadCLanguage(): Promise<Language> {
  ready ??= (async () => {
    // Baseline (Liftoff) code only: a run parses a few hundred KB, and V8's
    // background optimizing compile of the 600 KB grammar costs more than it
    // saves on two cores (bench/run.mjs: 20 files 0.39 s -> 0.30 s).
    setFlagsFromString('--liftoff-only');
    await Parser.init({ wasmBinary: runtimeWasm() } as object);
    return Language.load(cGrammarWasm());
  })();
  return ready;
}

export async function createCParser(): Promise<Parser> {
  const language = await loadCLanguage();
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}
