// Facts about a scanned tree as a whole.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
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
 * The API level a kernel tree is written for (its header and its Makefile's
 * version), else the newest. `text` gives a file's text in place of the
 * tree's (the base of a change checked out at its head).
 */
export function apiOfTree(root: string, text: (path: string) => string | undefined = () => undefined): ApiLevel {
  // a driver directory checked inside a kernel tree takes that tree's level
  const top = kernelTopOf(root) ?? root;
  const header = text(LEVEL_FILES[0]) ?? readOptional(resolve(top, LEVEL_FILES[0]));
  const makefile = text(LEVEL_FILES[1]) ?? readOptional(resolve(top, LEVEL_FILES[1]));
  return header === undefined ? NEWEST : apiFromHeader(header, makefile === undefined ? undefined : versionOfMakefile(makefile));
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

/** Why a named kernel version has no API level: "6.99: not a version ...", for the caller to prefix with where it was named. */
export function unknownKernel(kernel: string): string {
  return `${kernel}: not a version mnlint models (${API_LEVELS[0]!.id} or later, like 6.12)`;
}

/** The API level: of a named kernel version, else of the tree; a string says why the version has none. */
export function apiOfKernelOrTree(kernel: string | null | undefined, root: string): ApiLevel | string {
  if (kernel === null || kernel === undefined) return apiOfTree(root);
  return apiForKernel(kernel) ?? unknownKernel(kernel);
}
