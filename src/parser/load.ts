// Loads the tree-sitter runtime and the C grammar (WASM binding; see
// shared/design/stack.md for why not the native one). Both are imported on
// first use: a run whose every file comes from the IR cache never loads the
// 1.1 MB of embedded WASM.
import { setFlagsFromString } from 'node:v8';
import type { Language, Parser } from 'web-tree-sitter';

let ready: Promise<{ language: Language; Parser: typeof Parser }> | undefined;

function load(): Promise<{ language: Language; Parser: typeof Parser }> {
  ready ??= (async () => {
    const [ts, wasm] = await Promise.all([import('web-tree-sitter'), import('./wasm-bytes.js')]);
    // Baseline (Liftoff) code only: a run parses a few hundred KB, and V8's
    // background optimizing compile of the 600 KB grammar costs more than it
    // saves on two cores (bench/run.mjs: 20 files 0.39 s -> 0.30 s).
    setFlagsFromString('--liftoff-only');
    await ts.Parser.init({ wasmBinary: wasm.runtimeWasm() } as object);
    return { language: await ts.Language.load(wasm.cGrammarWasm()), Parser: ts.Parser };
  })();
  return ready;
}

export async function loadCLanguage(): Promise<Language> {
  return (await load()).language;
}

export async function createCParser(): Promise<Parser> {
  const { language, Parser } = await load();
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}
