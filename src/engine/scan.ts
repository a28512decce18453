// A scan: paths in, parsed IR out. Directories are walked and prefiltered;
// files named on the command line are always parsed. Callees defined in other
// files are looked up lazily, near the caller, only when a callback needs them.
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { FieldBinding, FileIR } from '../ir/types.js';
import { TYPED_LIMIT } from '../ir/facts-db.js';
import { CALL_DEPTH } from '../ir/summary.js';
import { HMM_RANGE_FAULT, RETRY_CALLS, mentionsNotifierApi } from '../ir/kernel-api/notifier.js';
import { isKernelHelper } from '../ir/kernel-api/helpers.js';
import { isDirectory, missingPathReason, readLatin1, readSource, relName, walkCFiles, describeFsError } from '../input/files.js';
import { designatedBindingsOf, lineStartNames } from '../parser/slice.js';
import { mayHold } from './name-filter.js';
import { FunctionIndex, neededCallees } from '../ir/function-index.js';
import { inProcessPool, workerPool, type Facts, type WorkPool, type Mention } from './pool.js';
import { textFactsOf } from '../parser/index.js';
import type { IrCache } from './ir-cache.js';
import { mark } from './profile.js';
import { lockClassesOverMmput } from '../ir/mm-teardown.js';

export interface ScanOptions {
  paths: string[];
  /** parse threads; 1 parses in-process */
  jobs?: number;
  /** the script a worker thread starts (the CLI bundle itself) */
  workerScript?: URL;
  cwd?: string;
  /** what file names are relative to (default: the one directory scanned, else cwd) */
  root?: string;
  /**
   * Texts that replace files on disk (absolute path -> text): the post-image
   * of a patch over its tree, or a mutation in a test.
   */
  overlay?: ReadonlyMap<string, string>;
  /** what an earlier scan of the same tree parsed (the other image of a patch): reused where text and request are the same */
  cache?: ScanCache;
  /** parsed IR kept between runs (see ir-cache.ts) */
  irCache?: IrCache;
  /** told how far the scan is, as files are read and parsed */
  progress?: (p: ScanProgress) => void;
  /**
   * Functions to walk in a file named in `paths` (absolute path -> names),
   * beside what its tables need: the static inline functions of a header a
   * patch changes.
   */
  want?: ReadonlyMap<string, readonly string[]>;
}

export interface ScanProgress {
  /** files walked and prefiltered */
  read: number;
  /** files parsed (walked functions) */
  parsed: number;
}

/** Parses and prefilter verdicts of one tree, shared by the scans of a patch's pre- and post-image. */
export interface ScanCache {
  /** file, wanted functions and text -> its IR */
  parsed: Map<string, FileIR>;
  /** a disk file's prefilter verdict (absolute path) */
  verdicts: Map<string, Mention>;
  /** a disk file's text facts (absolute path and name) */
  facts: Map<string, Facts>;
}

export function scanCache(): ScanCache {
  return { parsed: new Map(), verdicts: new Map(), facts: new Map() };
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
  /** callbacks whose body holds unparsed regions (or nests too deep to walk): their facts are partial */
  partial: Array<{ file: string; line: number; function: string; lines: number[]; tooDeep?: boolean }>;
}

/** Scope searched for a callee of `file`: its parent directory, unless that is a hub. */
const SCOPE_FILE_LIMIT = 1500;
/** Files per prefilter task and per names task handed to a worker. */
const PREFILTER_BATCH = 2048;
const NAMES_BATCH = 128;

const FACTS_BATCH = 16;
/** What the IR cache files text facts under, beside the functions asked of a parse. */
const TEXT_FACTS = '\0text-facts';

export async function scan(opts: ScanOptions): Promise<ScanResult> {
  const cwd = opts.cwd ?? process.cwd();
  const abs = opts.paths.map((p) => resolve(cwd, p));
  const root = opts.root ? resolve(opts.root) : abs.length === 1 && isDirectory(abs[0]!) ? abs[0]! : cwd;
  const problems: InputProblem[] = [];
  const dirs: string[] = [];
  const pool: WorkPool = (opts.jobs ?? 1) > 1 && opts.workerScript ? workerPool(opts.workerScript, opts.jobs!) : inProcessPool();
  const parsed = new Map<string, FileIR>();
  const paths = new Map<string, string>();
  const wantedBy = new Map<string, Set<string>>();
  const pending: Array<Promise<void>> = [];
  /** files that use the API without naming an ops struct: first place to look for a callee */
  const mentions: string[] = [];
  let considered = 0;
  const counts: ScanProgress = { read: 0, parsed: 0 };
  let parsedBytes = 0;
  /** the `.c` files of the scanned directories, for the callee search's scopes */
  const treeFiles: string[] = [];
  for (const [path, names] of opts.want ?? []) if (names.length) wantedBy.set(relName(root, path), new Set(names));

  const parseOne = (path: string, text: string): void => {
    const rel = relName(root, path);
    paths.set(rel, path);
    const wanted = [...(wantedBy.get(rel) ?? [])].sort();
    const key = `${rel}\0${wanted.join(',')}\0${text}`;
    const cached = opts.cache?.parsed.get(key);
    if (cached) {
      parsed.set(rel, cached);
      return;
    }
    const diskKey = opts.irCache?.key(rel, wanted, text);
    const stored = diskKey === undefined ? undefined : opts.irCache!.get(diskKey);
    if (stored) {
      parsed.set(rel, stored);
      opts.cache?.parsed.set(key, stored);
      counts.parsed++;
      opts.progress?.(counts);
      return;
    }
    parsedBytes += text.length;
    pending.push(
      pool.parse(rel, text, wanted).then(
        (ir) => {
          parsed.set(rel, ir);
          opts.cache?.parsed.set(key, ir);
          if (diskKey !== undefined) opts.irCache!.put(diskKey, ir);
          counts.parsed++;
          opts.progress?.(counts);
        },
        (e: Error) => {
          problems.push({ path: rel, message: `cannot parse: ${e.message}`, named: false });
        },
      ),
    );
  };
  const overlay = opts.overlay ?? new Map<string, string>();
  const read = (path: string): string => overlay.get(resolve(path)) ?? readSource(path);
  const readAndParse = (path: string, named: boolean): void => {
    try {
      parseOne(path, read(path));
    } catch (e) {
      const message = describeFsError(e);
      problems.push({ path: named ? path : relName(root, path), message, named });
    }
  };

  try {
    for (let i = 0; i < abs.length; i++) {
      const path = abs[i]!;
      const shown = opts.paths[i]!;
      const overlaid = overlay.get(path);
      if (overlaid !== undefined && !existsSync(path)) {
        // a file only the overlay has (a patch's hunks without a tree)
        considered++;
        parseOne(path, overlaid);
        continue;
      }
      if (!existsSync(path)) {
        problems.push({ path: shown, message: missingPathReason(path), named: true });
        continue;
      }
      if (isDirectory(path)) {
        const before = treeFiles.length;
        dirs.push(path);
        // batches go to the workers while the walk goes on; each batch's
        // table files start parsing as soon as its verdicts are back
        const verdict = (file: string, disk: Mention): void => {
          counts.read++;
          if (counts.read % 1024 === 0) opts.progress?.(counts);
          const text = overlay.get(file);
          const hit = text !== undefined ? mentionOf(text) : disk;
          if (hit === 'tables') readAndParse(file, false);
          else if (hit === 'mention') mentions.push(file);
          else if (hit) problems.push({ path: relName(root, file), message: hit.error, named: false });
        };
        const onError = (p: string, m: string): void => {
          problems.push({ path: relName(root, p), message: m, named: false });
        };
        const walking: Array<Promise<void>> = [];
        let batch: string[] = [];
        const dispatch = (): void => {
          // verdicts known from the other image of the patch are not read again
          const known = opts.cache ? batch.filter((f) => opts.cache!.verdicts.has(f)) : [];
          for (const f of known) verdict(f, opts.cache!.verdicts.get(f)!);
          const b = known.length ? batch.filter((f) => !opts.cache!.verdicts.has(f)) : batch;
          batch = [];
          if (!b.length) return;
          walking.push(
            pool.prefilter(b).then((v) => {
              b.forEach((file, k) => {
                opts.cache?.verdicts.set(file, v[k]!);
                verdict(file, v[k]!);
              });
            }),
          );
        };
        for (const file of walkCFiles(path, onError)) {
          treeFiles.push(file);
          batch.push(file);
          if (batch.length === PREFILTER_BATCH) dispatch();
        }
        if (batch.length) dispatch();
        mark(`walked ${treeFiles.length - before} files`);
        await Promise.all(walking);
        const walked = new Set(treeFiles);
        // files only the overlay has (a patch creating them) belong to the walk too
        let added = 0;
        for (const file of [...overlay.keys()].sort()) {
          if (walked.has(file) || !file.startsWith(`${path}/`) || !file.endsWith('.c')) continue;
          added++;
          verdict(file, false);
        }
        considered += treeFiles.length - before + added;
        mark('walked and prefiltered');
      } else {
        considered++;
        try {
          statSync(path);
          parseOne(path, read(path));
        } catch (e) {
          problems.push({ path: shown, message: describeFsError(e), named: true });
        }
      }
    }
    // API users without a table: their definitions and API calls from the text
    // only API users in the area of some table matter: callees and the read
    // side are looked for within an area (core mm/ code beside no table is skipped)
    const tableAreas = new Set([...paths.keys()].map(areaOf));
    // a copy: `mentions` is emptied and refilled below
    const relevant = tableAreas.has('') ? [...mentions] : mentions.filter((p) => tableAreas.has(areaOf(relName(root, p))));
    mentions.length = 0;
    mentions.push(...relevant.sort());
    const factBatches: Array<Array<{ path: string; file: string }>> = [];
    for (let b = 0; b < mentions.length; b += FACTS_BATCH) factBatches.push(mentions.slice(b, b + FACTS_BATCH).map((p) => ({ path: p, file: relName(root, p) })));
    // a disk file's text facts known from the other image of a patch are kept
    const factsOf = async (b: Array<{ path: string; file: string }>): Promise<Facts[]> => {
      const disk = b.filter((x) => !overlay.has(x.path));
      const id = (x: { path: string; file: string }): string => `${x.path}\0${x.file}`;
      // from the other image of a patch, or from the IR cache by their text
      // (a file that cannot be read is left to the pool to name)
      const known = new Map<string, Facts>();
      const keys = new Map<string, string>();
      for (const x of disk) {
        const shared = opts.cache?.facts.get(id(x));
        if (shared) {
          known.set(id(x), shared);
          continue;
        }
        if (!opts.irCache) continue;
        let text: string;
        try {
          text = readSource(x.path);
        } catch {
          continue;
        }
        const key = opts.irCache.key(x.file, [TEXT_FACTS], text);
        const ir = opts.irCache.get(key);
        if (ir) {
          known.set(id(x), ir);
          opts.cache?.facts.set(id(x), ir);
        } else keys.set(id(x), key);
      }
      const todo = disk.filter((x) => !known.has(id(x)));
      const got = todo.length ? await pool.facts(todo) : [];
      for (const [k, x] of todo.entries()) {
        const f = got[k]!;
        known.set(id(x), f);
        opts.cache?.facts.set(id(x), f);
        const key = keys.get(id(x));
        if (key !== undefined && !('error' in f)) opts.irCache!.put(key, f);
      }
      return disk.map((x) => known.get(id(x))!);
    };
    const facts = (await Promise.all(factBatches.map(factsOf))).flat();
    // files replaced by the overlay: their facts from the overlay text
    for (const p of mentions) {
      const text = overlay.get(p);
      if (text !== undefined) facts.splice(mentions.indexOf(p), 0, textFactsOf(relName(root, p), text));
    }
    facts.forEach((f, k) => {
      const rel = relName(root, mentions[k]!);
      paths.set(rel, mentions[k]!);
      if ('error' in f) problems.push({ path: rel, message: f.error, named: false });
      else if (!parsed.has(rel)) parsed.set(rel, f);
    });
    mark(`text facts of ${mentions.length} API users`);
    // API users whose read side retries or faults: walk those functions (their
    // locks matter; a section faulted here and not retried stays open past it,
    // until a retry elsewhere on the sequence it stored or returned)
    for (const f of [...parsed.values()]) {
      if (!f.textOnly) continue;
      const readers = f.apiCalls.filter((c) => (RETRY_CALLS.has(c.name) || c.name === HMM_RANGE_FAULT) && c.function).map((c) => c.function!);
      if (!readers.length) continue;
      wantedBy.set(f.file, new Set(readers));
      readAndParse(paths.get(f.file)!, false);
    }
    await Promise.all(pending.splice(0));
    mark('walk, prefilter and first parse');

    const ordered = (): FileIR[] => [...parsed.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    let index = FunctionIndex.of(ordered());

    // Callees not walked yet: walk them where they are defined (a targeted
    // parse), or look for their definition: in the API users first, then in
    // the caller's directory, then in its parent directory.
    const dirFiles = new Map<string, string[] | null>();
    const sortedTree = [...treeFiles].sort();
    // what each candidate file may define, as a Bloom filter from the pool
    // (the names themselves, for 2,500 files, would hold tens of MB); a hit is
    // confirmed on the file's text, once per file
    const filters = new Map<string, Uint32Array>();
    const confirmed = new Map<string, Set<string>>();
    const definesName = (file: string, name: string): boolean => {
      const filter = filters.get(file);
      if (!filter || !mayHold(filter, name)) return false;
      let names = confirmed.get(file);
      if (!names) {
        names = lineStartNames(readLatin1(file));
        confirmed.set(file, names);
      }
      return names.has(name);
    };
    // directories named together are one program (virt/kvm with arch/arm64/kvm,
    // which its Makefile links in): a callee is looked for in the others too
    const namedDir = (abs: string): string | undefined => (dirs.length > 1 ? dirs.find((d) => abs === d || abs.startsWith(`${d}/`)) : undefined);
    const namedTogether = (a: string, b: string): boolean => {
      const x = namedDir(resolve(root, a));
      const y = namedDir(resolve(root, b));
      return x !== undefined && y !== undefined && x !== y;
    };
    const otherNamed = (callerPath: string): string[][] => {
      const own = namedDir(callerPath);
      if (own === undefined) return [];
      return dirs
        .filter((d) => d !== own)
        .flatMap((d) => {
          if (!dirFiles.has(d)) dirFiles.set(d, filesUnder(sortedTree, d, Infinity));
          const files = dirFiles.get(d);
          return files ? [files] : [];
        });
    };
    // a call through `->member`: the tree's designated initializers of that
    // member near the caller (its own directory and its parent's, as for a
    // callee), read from the text once per file; when they are all of one
    // struct type, each function they set is walked (facts-db.ts: ofOneType)
    const members = new Map<string, Set<string>>();
    const designated = new Map<string, FieldBinding[]>();
    const lookedUp = new Set<string>();
    const designatedIn = (file: string, field: string): FieldBinding[] => {
      let names = members.get(file);
      let text: string | undefined;
      if (!names) {
        try {
          text = read(file);
        } catch {
          text = '';
        }
        names = new Set([...text.matchAll(DESIGNATOR)].map((m) => m[1]!));
        members.set(file, names);
      }
      if (!names.has(field)) return [];
      let list = designated.get(file);
      if (!list) {
        list = designatedBindingsOf(relName(root, file), text ?? read(file));
        designated.set(file, list);
      }
      return list.filter((b) => b.field === field);
    };
    const initializers = (fieldCalls: ReadonlyMap<string, ReadonlySet<string>>, request: (rel: string, name: string) => void): void => {
      for (const [field, callers] of fieldCalls) {
        for (const caller of callers) {
          const key = `${field}\0${dirname(caller)}`;
          if (lookedUp.has(key)) continue;
          lookedUp.add(key);
          const seen = new Set<string>();
          const found: FieldBinding[] = [];
          for (const files of scopesOf(resolve(root, caller), root, dirs, sortedTree, dirFiles)) {
            for (const file of files) {
              if (seen.has(file)) continue;
              seen.add(file);
              found.push(...designatedIn(file, field));
            }
          }
          const fns = new Set(found.map((b) => `${b.file}\0${b.function}`));
          if (!found.length || found.some((b) => b.struct !== found[0]!.struct) || fns.size > TYPED_LIMIT) continue;
          for (const b of found) if (sameArea(caller, b.file) && !wantedBy.get(b.file)?.has(b.function)) request(b.file, b.function);
        }
      }
    };
    for (let round = 0; round <= CALL_DEPTH; round++) {
      const fieldCalls = new Map<string, Set<string>>();
      const missing = plausible(neededCallees(ordered(), index, CALL_DEPTH, fieldCalls));
      const requests = new Map<string, Set<string>>();
      const request = (rel: string, name: string): void => {
        const set = requests.get(rel) ?? new Set<string>();
        set.add(name);
        requests.set(rel, set);
      };
      if (dirs.length) initializers(fieldCalls, request);
      if (missing.size === 0 && requests.size === 0) break;
      // filter what the candidate files define, in parallel, before deciding
      if (dirs.length) {
        const candidates = new Set<string>();
        for (const [name, callers] of missing) {
          if (index.definitionFile(name, callers)) continue;
          for (const caller of callers) {
            for (const list of [mentions, ...scopesOf(resolve(root, caller), root, dirs, sortedTree, dirFiles), ...otherNamed(resolve(root, caller))]) for (const f of list) if (!filters.has(f)) candidates.add(f);
          }
        }
        const todo = [...candidates].sort();
        const batches: string[][] = [];
        for (let b = 0; b < todo.length; b += NAMES_BATCH) batches.push(todo.slice(b, b + NAMES_BATCH));
        const listed = (await Promise.all(batches.map((b) => pool.names(b)))).flat();
        listed.forEach((filter, k) => {
          filters.set(todo[k]!, filter);
        });
        mark(`callee round ${round}: filtered the functions of ${todo.length} files`);
      }
      for (const [name, callers] of missing) {
        const home = index.definitionFile(name, callers);
        if (home && callers.some((c) => sameArea(c, home) || namedTogether(c, home))) {
          if (!wantedBy.get(home)?.has(name)) request(home, name);
          continue;
        }
        if (!dirs.length) continue;
        search: for (const caller of callers) {
          const callerPath = resolve(root, caller);
          for (const candidates of [mentions, ...scopesOf(callerPath, root, dirs, sortedTree, dirFiles), ...otherNamed(callerPath)]) {
            for (const file of candidates) {
              if (!definesName(file, name)) continue;
              const rel = relName(root, file);
              if (parsed.has(rel) || !(sameArea(caller, rel) || namedTogether(caller, rel))) continue;
              request(rel, name);
              break search;
            }
          }
        }
      }
      if (requests.size === 0) break;
      for (const [rel, names] of [...requests].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const set = wantedBy.get(rel) ?? new Set<string>();
        for (const n of names) set.add(n);
        wantedBy.set(rel, set);
        readAndParse(paths.get(rel) ?? resolve(root, rel), false);
      }
      await Promise.all(pending.splice(0));
      index = FunctionIndex.of(ordered());
      mark(`callee round ${round}: ${requests.size} files`);
    }

    // mmput() under a lock whose class is a struct's member: the teardown
    // callbacks taking it may live in another directory of the area (a core
    // library whose drivers pass it their ops tables). Their files are parsed
    // for those callbacks only: no rule checks their tables or the files.
    const teardownFiles = await lookUpTeardownCallbacks(ordered(), root, dirs, new Set(treeFiles), (p) => readAndParse(p, false));
    if (teardownFiles.length) {
      await Promise.all(pending.splice(0));
      for (const rel of teardownFiles) {
        const ir = parsed.get(rel);
        if (ir) parsed.set(rel, { ...ir, callbacksOnly: true });
      }
      index = FunctionIndex.of(ordered());
      mark(`teardown callbacks: ${teardownFiles.length} files of the area`);
    }

    const files = ordered();
    mark(`scanned: ${considered} files walked, ${counts.parsed} parses of ${parsedBytes} bytes${opts.irCache ? ` (${opts.irCache.hits} parses and text facts from the IR cache)` : ''}`);
    const partial: ScanResult['partial'] = [];
    for (const f of files) {
      const callbacks = new Set(f.tables.flatMap((t) => t.fields.map((x) => x.function).filter((x): x is string => !!x)));
      for (const fn of f.functions) {
        if (fn.tooDeep) partial.push({ file: f.file, line: fn.loc.line, function: fn.name, lines: [], tooDeep: true });
        else if (callbacks.has(fn.name) && fn.parseErrors.length) partial.push({ file: f.file, line: fn.loc.line, function: fn.name, lines: [...fn.parseErrors] });
      }
    }
    const tables = files.filter((f) => !f.callbacksOnly).flatMap((f) => f.tables);
    return {
      root,
      files,
      index,
      problems: problems.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
      partial,
      stats: {
        files: considered,
        parsedFiles: files.filter((f) => !f.textOnly && !f.callbacksOnly).length,
        tables: tables.length,
        callbacks: tables.reduce((n, t) => n + t.fields.filter((x) => x.function).length, 0),
        parseErrors: files.filter((f) => f.parseErrorCount > 0).length,
      },
    };
  } finally {
    await pool.close();
  }
}

/** Files of an area looked up for teardown callbacks, at most (more: none is parsed, the class says too little). */
const TEARDOWN_LOOKUP_LIMIT = 8;

/**
 * The files of the holders' areas, outside the scanned directories, that may
 * hold a teardown callback taking a lock class held over mmput(): each names
 * an ops struct, the class's struct type and its member chain. Sent to
 * `parse`; their paths relative to the root are returned.
 */
async function lookUpTeardownCallbacks(files: readonly FileIR[], root: string, dirs: readonly string[], scanned: ReadonlySet<string>, parse: (path: string) => void): Promise<string[]> {
  const classes = lockClassesOverMmput(files).filter((c) => c.type && !c.global);
  if (!classes.length || !dirs.length) return [];
  const out: string[] = [];
  const areas = new Set(classes.map((c) => areaOf(c.file)).filter((a) => a !== ''));
  for (const area of [...areas].sort()) {
    const at = resolve(root, area);
    // the whole area is scanned already
    if (dirs.some((d) => at === d || at.startsWith(`${d}/`)) || !isDirectory(at)) continue;
    const wanted = classes.filter((c) => areaOf(c.file) === area);
    const tests = wanted.map((c) => ({
      type: new RegExp(`\\bstruct\\s+${c.type}\\b`),
      chain: new RegExp(`(?:->|\\.)\\s*${c.chain.split('.').join('\\s*(?:->|\\.)\\s*')}\\b`),
    }));
    const found: string[] = [];
    for (const file of walkCFiles(at, () => {})) {
      if (scanned.has(file)) continue;
      let text: string;
      try {
        text = readLatin1(file);
      } catch {
        continue;
      }
      if (mentionOf(text) !== 'tables') continue;
      if (tests.some((t) => t.type.test(text) && t.chain.test(text))) found.push(file);
    }
    if (!found.length || found.length > TEARDOWN_LOOKUP_LIMIT) continue;
    for (const file of found.sort()) {
      parse(file);
      out.push(relName(root, file));
    }
  }
  return out;
}

/** A designated initializer's member, `.name =` (not `==`): a file worth reading for its initializers of that member. */
const DESIGNATOR = /\.\s*([A-Za-z_]\w*)\s*=(?!=)/g;

/** Names worth looking for in C files: macros and kernel helpers are not. */
function plausible(missing: Map<string, string[]>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, callers] of missing) {
    if (!/^[a-z_][a-z0-9_]*$/.test(name) || name.startsWith('__builtin_') || isKernelHelper(name)) continue;
    out.set(name, callers);
  }
  return out;
}

/**
 * Where to look for a callee of `callerPath`: its own directory, then its
 * parent directory unless that is a hub of more than SCOPE_FILE_LIMIT files.
 */
function scopesOf(callerPath: string, root: string, dirs: string[], tree: readonly string[], cache: Map<string, string[] | null>): string[][] {
  const own = dirname(callerPath);
  const parent = dirname(own);
  const area = areaOf(relName(root, callerPath));
  const inside = (d: string): boolean => dirs.some((r) => d === r || d.startsWith(`${r}/`));
  const out: string[][] = [];
  for (const candidate of [own, parent]) {
    const rel = relName(root, candidate);
    if (!inside(candidate) || (area && rel !== area && !rel.startsWith(`${area}/`))) continue;
    if (!cache.has(candidate)) cache.set(candidate, filesUnder(tree, candidate, candidate === own ? Infinity : SCOPE_FILE_LIMIT));
    const files = cache.get(candidate);
    if (files) out.push(files);
  }
  return out;
}

/** The files of a sorted walk below `dir`, sorted; null past `limit` of them. */
function filesUnder(tree: readonly string[], dir: string, limit: number): string[] | null {
  const prefix = `${dir}/`;
  let lo = 0;
  let hi = tree.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (tree[mid]! < prefix) lo = mid + 1;
    else hi = mid;
  }
  const out: string[] = [];
  for (let i = lo; i < tree.length && tree[i]!.startsWith(prefix); i++) {
    out.push(tree[i]!);
    if (out.length > limit) return null;
  }
  return out;
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

/** The prefilter's verdict on a text in memory (see notifierMention). */
function mentionOf(text: string): Mention {
  if (!mentionsNotifierApi(text)) return false;
  return text.includes('notifier_ops') ? 'tables' : 'mention';
}
