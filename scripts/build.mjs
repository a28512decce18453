// Builds dist/cli.js (ESM, with the tree-sitter runtime and the C grammar
// embedded) and the chunks it loads on demand, and dist/action.js: both
// runnable with no node_modules.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { chmodSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

// what names this build in the IR cache: the sources and the locked
// dependencies (the grammar among them), so a change to either is a new build
function buildId() {
  const h = createHash('sha256');
  const files = readdirSync('src', { recursive: true })
    .filter((f) => String(f).endsWith('.ts'))
    .map(String)
    .sort();
  for (const f of [...files.map((x) => join('src', x)), 'package-lock.json']) h.update(f).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex').slice(0, 32);
}

const embedWasm = {
  name: 'embed-wasm',
  setup(b) {
    // replace the file-reading module by one that imports both .wasm as bytes
    b.onResolve({ filter: /\/wasm-bytes\.js$/ }, () => ({ path: 'wasm-bytes', namespace: 'embed-wasm' }));
    b.onLoad({ filter: /.*/, namespace: 'embed-wasm' }, () => ({
      resolveDir: process.cwd(),
      loader: 'js',
      contents: `import runtime from 'web-tree-sitter/web-tree-sitter.wasm';
import grammar from 'tree-sitter-c/tree-sitter-c.wasm';
export const runtimeWasm = () => runtime;
export const cGrammarWasm = () => grammar;`,
    }));
  },
};

// ESM for Node 20, both .wasm files embedded; `require` for the CommonJS
// dependencies esbuild inlines
const REQUIRE_SHIM = "import { createRequire as __mnlintCreateRequire } from 'node:module'; const require = __mnlintCreateRequire(import.meta.url);";
const common = {
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  loader: { '.wasm': 'binary' },
  plugins: [embedWasm],
  legalComments: 'none',
  logLevel: 'warning',
  define: { 'process.env.MNLINT_BUILD': JSON.stringify(buildId()) },
};

// chunk names carry content hashes: old ones would pile up
rmSync('dist/chunks', { recursive: true, force: true });

await build({
  ...common,
  // the worker threads start dist/worker.js: the parser without the CLI
  // bin.js is the command: it loads cli.js unless `kbuild` has nothing to check
  entryPoints: { bin: 'src/cli/bin.ts', cli: 'src/cli/main.ts', worker: 'src/cli/worker.ts' },
  // the patch/git commands' libraries go to chunks loaded on demand: `check`
  // does not parse them at startup
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  banner: { js: `#!/usr/bin/env node\n${REQUIRE_SHIM}` },
});
chmodSync('dist/cli.js', 0o755);
chmodSync('dist/bin.js', 0o755);

// The GitHub Action: one self-contained file, committed, so the runner needs
// no npm install. Its own worker threads start this same file.
await build({
  ...common,
  entryPoints: { action: 'src/action/main.ts' },
  banner: { js: REQUIRE_SHIM },
});
