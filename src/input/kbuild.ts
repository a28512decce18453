// What kbuild hands a checker: `$(CHECK) $(CHECKFLAGS) $(c_flags) file.c`
// (scripts/Makefile.build, cmd_checksrc), as sparse reads it. The flags that
// decide #if (-D, -U, and the autoconf.h that -include'd kconfig.h pulls in
// through -I) are kept; every other compiler flag is skipped.
import { existsSync, readFileSync } from 'node:fs';
import { notRegular, readInput } from './read.js';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { MacroEnv } from '../ir/kernel-api/macros.js';
import { mentionsNotifierApi } from '../ir/kernel-api/notifier.js';

export interface KbuildArgs {
  /** -D, in order (a later -D or -U of a name wins) */
  macros: Array<{ name: string; value: string } | { name: string; undef: true }>;
  includeDirs: string[];
  /** -include and -imacros files */
  preincludes: string[];
  /** the source files (kbuild passes one) */
  files: string[];
  /** mnlint's own options before the compiler's: --fail-on LEVEL */
  failOn?: string;
}

// compiler flags whose value is the next argument (when not joined)
const WITH_VALUE = new Set(['-D', '-U', '-I', '-include', '-imacros', '-isystem', '-idirafter', '-iquote', '-MF', '-MT', '-MQ', '-o', '-x', '--param', '-Xlinker', '-iprefix', '-iwithprefix']);

export function parseKbuildArgs(argv: readonly string[]): KbuildArgs {
  const out: KbuildArgs = { macros: [], includeDirs: [], preincludes: [], files: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--fail-on') out.failOn = next();
    else if (a.startsWith('--fail-on=')) out.failOn = a.slice('--fail-on='.length);
    else if (a.startsWith('-D')) {
      const d = a === '-D' ? next() : a.slice(2);
      const eq = d.indexOf('=');
      out.macros.push(eq < 0 ? { name: d, value: '1' } : { name: d.slice(0, eq), value: d.slice(eq + 1) });
    } else if (a.startsWith('-U')) out.macros.push({ name: a === '-U' ? next() : a.slice(2), undef: true });
    else if (a.startsWith('-I')) out.includeDirs.push(a === '-I' ? next() : a.slice(2));
    else if (a === '-include' || a === '-imacros') out.preincludes.push(next());
    else if (WITH_VALUE.has(a)) next();
    else if (a.startsWith('-')) continue;
    else out.files.push(a);
  }
  return out;
}

/** Object-like #defines of a flat header such as include/generated/autoconf.h. */
function definesOf(text: string): Array<[string, string]> {
  return [...text.matchAll(/^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)(?![\w(])[ \t]*(.*)$/gm)].map((m) => [m[1]!, m[2]!.trim()]);
}

/**
 * The macros the build defines: the -D/-U flags, and autoconf.h when an
 * -include'd header includes it (kconfig.h does); relative paths are the
 * build's (kbuild runs the checker in the object tree).
 */
export function macroEnvOf(args: KbuildArgs, cwd: string): MacroEnv {
  const defines = new Map<string, string>();
  const undefined_ = new Set<string>();
  let configComplete = false;
  const find = (name: string, from: string): string | undefined => {
    const dirs = [from, ...args.includeDirs.map((d) => resolve(cwd, d))];
    return dirs.map((d) => join(d, name)).find((p) => existsSync(p));
  };
  for (const pre of args.preincludes) {
    const path = isAbsolute(pre) ? pre : resolve(cwd, pre);
    // a -include the compiler could not read fails the build: so does its check (InputError, named by the caller)
    const text = readInput(path, { label: pre }).toString('latin1');
    // its own includes, one level: kconfig.h has `#include <generated/autoconf.h>`
    for (const m of text.matchAll(/^[ \t]*#[ \t]*include[ \t]*[<"]([^>"]+)[>"]/gm)) {
      if (!m[1]!.endsWith('autoconf.h')) continue;
      const conf = find(m[1]!, dirname(path));
      if (!conf) continue;
      for (const [n, v] of definesOf(readInput(conf).toString('latin1'))) defines.set(n, v);
      configComplete = true;
    }
  }
  for (const m of args.macros) {
    if ('undef' in m) {
      defines.delete(m.name);
      undefined_.add(m.name);
    } else {
      undefined_.delete(m.name);
      defines.set(m.name, m.value);
    }
  }
  return { defines, undefined: undefined_, configComplete };
}

/** Whether any file kbuild names mentions the notifier API (the entry's test before it loads the analyzer). */
export function kbuildNeedsAnalysis(argv: readonly string[], cwd: string): boolean {
  let files: string[];
  try {
    files = parseKbuildArgs(argv).files;
  } catch {
    return true;
  }
  return (
    !files.length ||
    files.some((f) => {
      try {
        // a FIFO or a device is never read here: the analyzer names it
        const path = resolve(cwd, f);
        if (notRegular(path)) return true;
        return mentionsNotifierApi(readFileSync(path, 'latin1'));
      } catch {
        // the analyzer names what cannot be read
        return true;
      }
    })
  );
}
