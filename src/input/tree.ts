// Facts about a scanned tree as a whole.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { NEWEST, apiFromHeader, versionOfMakefile, type ApiLevel } from '../model/api.js';

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
  const header = text(LEVEL_FILES[0]) ?? readOptional(resolve(root, LEVEL_FILES[0]));
  const makefile = text(LEVEL_FILES[1]) ?? readOptional(resolve(root, LEVEL_FILES[1]));
  return header === undefined ? NEWEST : apiFromHeader(header, makefile === undefined ? undefined : versionOfMakefile(makefile));
}
