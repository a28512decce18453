// Which files of a scan belong together: a driver's files share a directory.
import type { FileIR } from './types.js';

/** `drivers/gpu/drm/xe/` for `drivers/gpu/drm/xe/xe_vm.c` ('' at the scan root). */
export function dirOf(file: string): string {
  return file.slice(0, file.lastIndexOf('/') + 1);
}

/** The files in the same directory as `file` (itself included). */
export function filesBeside(files: readonly FileIR[], file: string): FileIR[] {
  const dir = dirOf(file);
  return files.filter((f) => dirOf(f.file) === dir);
}
