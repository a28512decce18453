// Facts about a scanned tree as a whole.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { API_LEVELS, NEWEST, apiForKernel, versionOfMakefile, type ApiLevel } from '../model/api.js';
import { apiFromHeader } from './header.js';

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The files the API level is read from. */
export const LEVEL_FILES = ['include/linux/mmu_notifier.h', 'Makefile'] as const;

/**
 * Where a run's API level came from: `--api`, `--kernel`, the configuration
 * file's `kernel`, the tree's notifier header alone, the header narrowed by
 * the Makefile's version, or the newest because no header was found.
 */
export type LevelSource = 'api' | 'kernel' | 'config' | 'header' | 'makefile' | 'newest';

/** The API level a run used, and where it came from. */
export interface LevelChoice {
  level: ApiLevel;
  source: LevelSource;
  /** where, in words: `--kernel 6.1`, `include/linux/mmu_notifier.h and Makefile (6.12)`, `no include/linux/mmu_notifier.h at or above the tree` */
  from: string;
}

/**
 * The API level a kernel tree is written for (its header and its Makefile's
 * version), else the newest, with where it came from. `text` gives a file's
 * text in place of the tree's (the base of a change checked out at its head).
 */
export function levelOfTree(root: string, text: (path: string) => string | undefined = () => undefined): LevelChoice {
  // a driver directory checked inside a kernel tree takes that tree's level
  const top = kernelTopOf(root) ?? root;
  const header = text(LEVEL_FILES[0]) ?? readOptional(resolve(top, LEVEL_FILES[0]));
  const makefile = text(LEVEL_FILES[1]) ?? readOptional(resolve(top, LEVEL_FILES[1]));
  if (header === undefined) return { level: NEWEST, source: 'newest', from: `no ${LEVEL_FILES[0]} at or above the tree` };
  const version = makefile === undefined ? undefined : versionOfMakefile(makefile);
  const level = apiFromHeader(header, version);
  // the Makefile counts when its version chose among the levels the header matches
  if (version !== undefined && level !== apiFromHeader(header)) return { level, source: 'makefile', from: `${LEVEL_FILES[0]} and ${LEVEL_FILES[1]} (${version})` };
  return { level, source: 'header', from: LEVEL_FILES[0] };
}

/** The API level a kernel tree is written for: levelOfTree's level. */
export function apiOfTree(root: string, text?: (path: string) => string | undefined): ApiLevel {
  return levelOfTree(root, text).level;
}

/** The kernel tree a path is in: the nearest directory at or above it holding the notifier header. */
export function kernelTopOf(path: string): string | undefined {
  let d = resolve(path);
  try {
    if (!statSync(d).isDirectory()) d = dirname(d);
  } catch {
    return undefined;
  }
  for (;;) {
    if (existsSync(join(d, LEVEL_FILES[0]))) return d;
    if (dirname(d) === d) return undefined;
    d = dirname(d);
  }
}

/**
 * The directory the API level of a scan's inputs is read from: the deepest
 * one holding them all (a file's own directory when it is alone), so a file
 * of a kernel tree named from outside it takes that tree's level.
 */
export function inputsDirOf(paths: readonly string[]): string {
  const dirs = paths.map((p) => {
    const abs = resolve(p);
    try {
      return statSync(abs).isDirectory() ? abs : dirname(abs);
    } catch {
      return dirname(abs);
    }
  });
  let common = dirs[0] ?? resolve('.');
  for (const d of dirs.slice(1)) while (d !== common && !d.startsWith(common.endsWith(sep) ? common : `${common}${sep}`)) common = dirname(common);
  return common;
}

/** Why a named kernel version has no API level: "6.99: not a version ...", for the caller to prefix with where it was named. */
export function unknownKernel(kernel: string): string {
  return `${kernel}: not a version mnlint models (${API_LEVELS[0]!.id} or later, like 6.12)`;
}

/**
 * The API level: of a named kernel version (`--kernel`, or the configuration
 * file's `kernel` named by `config`), else of the tree; a string says why the
 * version has none.
 */
export function levelOfKernelOrTree(kernel: string | null | undefined, root: string, config?: string): LevelChoice | string {
  if (kernel === null || kernel === undefined) return levelOfTree(root);
  const level = apiForKernel(kernel);
  if (level === undefined) return unknownKernel(kernel);
  return config === undefined ? { level, source: 'kernel', from: `--kernel ${kernel}` } : { level, source: 'config', from: `kernel ${kernel} of ${config}` };
}
