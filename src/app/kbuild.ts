// `make C=1 CHECK="mnlint kbuild"`: kbuild runs the checker once per file it
// compiles (C=2: every file), in the object tree, with the compiler's flags.
// A file that names no notifier API costs a read (bin.ts returns before the
// analyzer loads); one that does is analyzed with its #if branches decided
// by the build's configuration, and its findings go to stderr as sparse
// prints its own: `file:line:col: warning: message [rule]`.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { analyze } from '../engine/analyze.js';
import type { IrCache } from '../engine/ir-cache.js';
import { scan } from '../engine/scan.js';
import { mentionsNotifierApi } from '../ir/kernel-api/notifier.js';
import { InputError, readSource } from '../input/files.js';
import { macroEnvOf, parseKbuildArgs } from '../input/kbuild.js';
import { apiOfTree, kernelTopOf } from '../input/tree.js';
import { configure } from '../parser/cpp.js';
import { FAIL_ON, type FailOn, failsAt } from '../report/findings.js';
import { RULES } from '../rules/index.js';
import type { Severity } from '../rules/rule.js';
import type { DerivedTable } from '../ir/facts-db.js';

/** The kernel source tree around `dir`, or among the include directories (an external module). */
function kernelRoot(dir: string, includeDirs: readonly string[], cwd: string): string | undefined {
  const top = kernelTopOf(dir);
  if (top !== undefined) return top;
  for (const inc of includeDirs) {
    const d = resolve(cwd, inc);
    if (existsSync(join(d, 'linux/mmu_notifier.h'))) return dirname(d);
  }
  return undefined;
}

// sparse's words: a finding mnlint grades info is a note, as gcc prints one
const WORD: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'note' };

export interface KbuildRun {
  argv: readonly string[];
  cwd: string;
  irCache?: IrCache;
  /** the kernel facts of a tree (derived once per tree and cached); Linux 6.12's table when absent */
  derivedOf?: (root: string) => DerivedTable;
  /** stderr */
  write(text: string): void;
}

/** Checks the files kbuild names; the exit status (0 unless --fail-on says otherwise, 2 for bad input). */
export async function runKbuild(run: KbuildRun): Promise<number> {
  let args: ReturnType<typeof parseKbuildArgs>;
  try {
    args = parseKbuildArgs(run.argv);
  } catch (e) {
    run.write(`mnlint kbuild: ${(e as Error).message}\n`);
    return 2;
  }
  const failOn = (args.failOn ?? 'never') as FailOn;
  if (!FAIL_ON.includes(failOn)) {
    run.write(`mnlint kbuild: unknown --fail-on ${args.failOn} (${FAIL_ON.join(', ')})\n`);
    return 2;
  }
  if (!args.files.length) {
    run.write('mnlint kbuild: no source file in the arguments (kbuild passes the file last)\n');
    return 2;
  }
  let env: ReturnType<typeof macroEnvOf>;
  try {
    env = macroEnvOf(args, run.cwd);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    run.write(`mnlint kbuild: -include ${e.message}\n`);
    return 2;
  }
  let status = 0;
  for (const given of args.files) {
    const abs = resolve(run.cwd, given);
    let text: string;
    try {
      // the checks `mnlint check` makes of an input: a file, UTF-8, not binary, not huge
      text = readSource(abs);
    } catch (e) {
      run.write(`mnlint kbuild: ${given}: ${e instanceof InputError ? e.reason : (e as Error).message}\n`);
      status = 2;
      continue;
    }
    if (!mentionsNotifierApi(text)) continue;
    const root = kernelRoot(dirname(abs), args.includeDirs, run.cwd);
    const inTree = root !== undefined && !relative(root, abs).startsWith('..');
    const base = inTree ? root : dirname(abs);
    const configured = configure(text, env);
    const result = await scan({ paths: [abs], root: base, jobs: 1, overlay: new Map([[abs, configured.text]]), irCache: run.irCache });
    for (const p of result.problems) {
      run.write(`mnlint kbuild: ${given}: ${p.message}\n`);
      status = 2;
    }
    const api = apiOfTree(root ?? base);
    const own = relative(base, abs).split('\\').join('/');
    // findings in the file kbuild named: a helper's own file gets its own CHECK
    const findings = analyze(result.files, result.index, RULES, api, root ? run.derivedOf?.(root) : undefined).filter((f) => f.file === own);
    const shown = (file: string): string => (isAbsolute(given) ? join(base, file) : relative(run.cwd, join(base, file)));
    for (const f of findings) run.write(`${shown(f.file)}:${f.line}:${f.column}: ${WORD[f.severity]}: ${f.message} [${f.rule}]\n`);
    if (status === 0 && failsAt(findings, failOn)) status = 1;
  }
  return status;
}
