// A scan: paths in, parsed IR out. Directories are walked and prefiltered;
// files named on the command line are always parsed. Callees defined in other
// files are looked up lazily, near the caller, only when a callback needs them.
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { FileIR } from '../ir/types.js';
import { CALL_DEPTH } from '../ir/summary.js';
import { InputError, lineStartNames, isDirectory, notifierMention, readSource, relName, walkC, describeFsError } from '../input/files.js';
import { FunctionIndex, neededCallees } from './analyze.js';
import { inProcessPool, workerPool, type ParseMode, type ParsePool } from './pool.js';

export interface ScanOptions {
  paths: string[];
  /** parse threads; 1 parses in-process */
  jobs?: number;
  /** the script a worker thread starts (the CLI bundle itself) */
  workerScript?: URL;
  cwd?: string;
}

export interface InputProblem {
  path: string;
  message: string;
  /** named on the command line (exit 2) rather than met inside a directory */
  named: boolean;
}

export interface ScanStats {
  files: number;
  parsedFiles: number;
  tables: number;
  callbacks: number;
  parseErrors: number;
}

export interface ScanResult {
  root: string;
  files: FileIR[];
  index: FunctionIndex;
  stats: ScanStats;
  problems: InputProblem[];
  /** callbacks whose body holds unparsed regions: their facts are partial */
  partial: Array<{ file: string; line: number; function: string; lines: number[] }>;
}

/** Scope searched for a callee of `file`: its parent directory, unless that is a hub. */
const SCOPE_FILE_LIMIT = 1500;

export async function scan(opts: ScanOptions): Promise<ScanResult> {
  const cwd = opts.cwd ?? process.cwd();
  const abs = opts.paths.map((p) => resolve(cwd, p));
  const root = abs.length === 1 && isDirectory(abs[0]!) ? abs[0]! : cwd;
  const problems: InputProblem[] = [];
  const dirs: string[] = [];
  const pool: ParsePool = (opts.jobs ?? 1) > 1 && opts.workerScript ? workerPool(opts.workerScript, opts.jobs!) : inProcessPool();
  const parsed = new Map<string, FileIR>();
  const paths = new Map<string, string>();
  const wantedBy = new Map<string, Set<string>>();
  const pending: Array<Promise<void>> = [];
  let considered = 0;

  const full = new Set<string>();
  const parseOne = (path: string, text: string, mode: ParseMode): void => {
    const rel = relName(root, path);
    paths.set(rel, path);
    if (mode === 'full') full.add(rel);
    const wanted = [...(wantedBy.get(rel) ?? [])].sort();
    pending.push(
      pool.parse(rel, text, wanted, mode).then(
        (ir) => { parsed.set(rel, ir); },
        (e: Error) => { problems.push({ path: rel, message: `cannot parse: ${e.message}`, named: false }); },
      ),
    );
  };
  const readAndParse = (path: string, named: boolean, mode: ParseMode): void => {
    try {
      parseOne(path, readSource(path), mode);
    } catch (e) {
      const message = e instanceof InputError ? e.message : describeFsError(e);
      problems.push({ path: named ? path : relName(root, path), message, named });
    }
  };

  try {
    for (let i = 0; i < abs.length; i++) {
      const path = abs[i]!;
      const shown = opts.paths[i]!;
      if (!existsSync(path)) {
        problems.push({ path: shown, message: 'no such file or directory', named: true });
        continue;
      }
      if (isDirectory(path)) {
        dirs.push(path);
        for (const file of walkC(path, (p, m) => problems.push({ path: relName(root, p), message: m, named: false }))) {
          considered++;
          let hit: ReturnType<typeof notifierMention> = false;
          try {
            hit = notifierMention(file);
          } catch (e) {
            problems.push({ path: relName(root, file), message: describeFsError(e), named: false });
          }
          // a file that only uses the API is parsed when a callee is wanted from it
          if (hit === 'tables') readAndParse(file, false, 'full');
        }
      } else {
        considered++;
        try {
          statSync(path);
          parseOne(path, readSource(path), 'full');
        } catch (e) {
          problems.push({ path: shown, message: e instanceof InputError ? e.message : describeFsError(e), named: true });
        }
      }
    }
    await Promise.all(pending.splice(0));
    mark('walk, prefilter and first parse');

    const ordered = (): FileIR[] => [...parsed.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    let index = FunctionIndex.of(ordered());

    // Callees not walked yet: walk them where they are defined (a second,
    // targeted parse), or look for their definition near the caller.
    const searchedScopes = new Map<string, string[]>();
    const lineNames = new Map<string, Set<string>>();
    for (let round = 0; round <= CALL_DEPTH; round++) {
      const missing = plausible(neededCallees(ordered(), index, CALL_DEPTH));
      if (missing.size === 0) break;
      const requests = new Map<string, Set<string>>();
      const request = (rel: string, name: string): void => {
        const set = requests.get(rel) ?? new Set<string>();
        set.add(name);
        requests.set(rel, set);
      };
      const byScope = new Map<string, Set<string>>();
      for (const [name, callers] of missing) {
        const home = index.definitionFile(name, callers);
        if (home && callers.some((c) => sameArea(c, home))) {
          if (!wantedBy.get(home)?.has(name)) request(home, name);
          continue;
        }
        for (const caller of callers) {
          const scope = dirs.length ? scopeOf(resolve(root, caller), dirs, searchedScopes) : null;
          if (!scope) continue;
          const set = byScope.get(scope) ?? new Set<string>();
          set.add(name);
          byScope.set(scope, set);
        }
      }
      for (const [scope, names] of [...byScope].sort(([a], [b]) => (a < b ? -1 : 1))) {
        for (const file of searchedScopes.get(scope)!) {
          const rel = relName(root, file);
          if (full.has(rel)) continue;
          let defined = lineNames.get(file);
          if (!defined) {
            defined = lineStartNames(file);
            lineNames.set(file, defined);
          }
          for (const n of names) if (defined.has(n)) request(rel, n);
        }
      }
      if (requests.size === 0) break;
      for (const [rel, names] of [...requests].sort(([a], [b]) => (a < b ? -1 : 1))) {
        if (process.env.MNLINT_PROFILE) process.stderr.write(`mnlint: profile: request ${rel}: ${[...names].join(" ")}\n`);
        const set = wantedBy.get(rel) ?? new Set<string>();
        for (const n of names) set.add(n);
        wantedBy.set(rel, set);
        readAndParse(paths.get(rel) ?? resolve(root, rel), false, full.has(rel) ? 'full' : 'functions');
      }
      await Promise.all(pending.splice(0));
      index = FunctionIndex.of(ordered());
      mark(`callee round ${round}: ${requests.size} files`);
    }

    const files = ordered();
    const partial: ScanResult['partial'] = [];
    for (const f of files) {
      const callbacks = new Set(f.tables.flatMap((t) => t.fields.map((x) => x.function).filter((x): x is string => !!x)));
      for (const fn of f.functions) {
        if (callbacks.has(fn.name) && fn.parseErrors.length) partial.push({ file: f.file, line: fn.loc.line, function: fn.name, lines: fn.parseErrors });
      }
    }
    const tables = files.flatMap((f) => f.tables);
    return {
      root,
      files,
      index,
      problems: problems.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
      partial,
      stats: {
        files: considered,
        parsedFiles: files.length,
        tables: tables.length,
        callbacks: tables.reduce((n, t) => n + t.fields.filter((x) => x.function).length, 0),
        parseErrors: files.filter((f) => f.parseErrorCount > 0).length,
      },
    };
  } finally {
    await pool.close();
  }
}

const started = performance.now();
/** MNLINT_PROFILE=1 prints phase times on stderr (the bench reads them). */
function mark(phase: string): void {
  if (process.env.MNLINT_PROFILE) process.stderr.write(`mnlint: profile: ${(performance.now() - started).toFixed(0)} ms ${phase}\n`);
}

/** Names worth looking for in C files: macros and kernel helpers are not. */
function plausible(missing: Map<string, string[]>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, callers] of missing) {
    if (!/^[a-z_][a-z0-9_]*$/.test(name) || /^(__builtin_|trace_|pr_|dev_|WARN|BUG|READ_ONCE|WRITE_ONCE|atomic_|list_|hlist_|container_of$|kfree$|likely$|unlikely$)/.test(name)) continue;
    out.set(name, callers);
  }
  return out;
}

function scopeOf(callerPath: string, dirs: string[], cache: Map<string, string[]>): string | null {
  const own = dirname(callerPath);
  const parent = dirname(own);
  const inside = (d: string): boolean => dirs.some((root) => d === root || d.startsWith(root + '/'));
  for (const candidate of [parent, own]) {
    if (!inside(candidate)) continue;
    let files = cache.get(candidate);
    if (!files) {
      files = walkC(candidate, () => {});
      cache.set(candidate, files);
    }
    if (files.length <= SCOPE_FILE_LIMIT || candidate === own) return candidate;
  }
  return null;
}

/**
 * Kernel areas: `drivers/X` and `arch/X` are one each, other top-level
 * directories (mm, lib, virt...) one each. A driver's callee is taken from its
 * own area only: core helpers (lib/xarray.c, mm/page_alloc.c) are described by
 * the kernel API tables, not walked. Paths outside a kernel layout form one area.
 */
function areaOf(file: string): string {
  const parts = file.split('/');
  if (parts.length < 2) return '';
  return parts[0] === 'drivers' || parts[0] === 'arch' ? parts.slice(0, 2).join('/') : parts[0]!;
}

function sameArea(a: string, b: string): boolean {
  const x = areaOf(a);
  const y = areaOf(b);
  return x === y || x === '' || y === '';
}
