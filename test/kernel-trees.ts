// Locations of the unpacked Debian kernel trees (scripts/fetch-kernels.sh).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export function kernelDir(version: string): string {
  const cache = process.env.MNLINT_KERNEL_CACHE ?? resolve(import.meta.dirname, '..', '.cache', 'kernels');
  return resolve(cache, `linux-${version}`);
}

export function haveKernel(version: string): boolean {
  return existsSync(resolve(kernelDir(version), '.unpacked'));
}
