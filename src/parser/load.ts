// Loads the tree-sitter runtime and the C grammar (WASM binding; see
// shared/design/stack.md for why not the native one).
import { Parser, Language } from 'web-tree-sitter';
import { runtimeWasm, cGrammarWasm } from './wasm-bytes.js';

let ready: Promise<Language> | undefined;

export function loadCLanguage(): Promise<Language> {
  ready ??= (async () => {
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
