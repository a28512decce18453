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

/** The API level a kernel tree is written for (its header and its Makefile's version), else the newest. */
export function apiOfTree(root: string): ApiLevel {
  const header = readOptional(resolve(root, 'include/linux/mmu_notifier.h'));
  const makefile = readOptional(resolve(root, 'Makefile'));
  return header === undefined ? NEWEST : apiFromHeader(header, makefile === undefined ? undefined : versionOfMakefile(makefile));
}
