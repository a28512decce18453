// Facts about a scanned tree as a whole.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { NEWEST, apiFromHeader, type ApiLevel } from '../model/api.js';

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The API level a kernel tree is written for (its own header and core), else the newest. */
export function apiOfTree(root: string): ApiLevel {
  const header = readOptional(resolve(root, 'include/linux/mmu_notifier.h'));
  return header === undefined ? NEWEST : apiFromHeader(header, readOptional(resolve(root, 'mm/mmu_notifier.c')));
}
